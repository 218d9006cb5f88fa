package fff.common.jobs;

import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableSet;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * {@link JobQuery}'s order on a {@link JobDb}'s entries, and reading several of the sorted sets
 * {@link JobIndex} keeps in it as one.
 */
final class JobOrder {

    /** RUNNING: earliest started first; ties newest id first. */
    static final Comparator<JobEntry> RUNNING = (a, b) -> a.startedMillis != b.startedMillis
            ? Long.compare(a.startedMillis, b.startedMillis) : Long.compare(b.id, a.id);
    /** Ended: latest ended first; ties newest id first. */
    static final Comparator<JobEntry> ENDED = (a, b) -> a.endedMillis != b.endedMillis
            ? Long.compare(b.endedMillis, a.endedMillis) : Long.compare(b.id, a.id);

    private JobOrder() {
    }

    /** The entries of disjoint {@link #ENDED} sets in that order, or (descending) in reverse. */
    static Iterator<JobEntry> merged(List<? extends NavigableSet<JobEntry>> sets, boolean descending) {
        if (sets.size() == 1) {
            return descending ? sets.get(0).descendingIterator() : sets.get(0).iterator();
        }
        return new Merged(sets, descending);
    }

    /** A k-way merge: the next entry is the first of the heads. */
    private static final class Merged implements Iterator<JobEntry> {
        private final PriorityQueue<Head> heads;

        private record Head(JobEntry entry, Iterator<JobEntry> rest) {
        }

        Merged(List<? extends NavigableSet<JobEntry>> sets, boolean descending) {
            Comparator<JobEntry> order = descending ? ENDED.reversed() : ENDED;
            heads = new PriorityQueue<>(Math.max(1, sets.size()), (a, b) -> order.compare(a.entry, b.entry));
            for (NavigableSet<JobEntry> s : sets) {
                Iterator<JobEntry> it = descending ? s.descendingIterator() : s.iterator();
                if (it.hasNext()) {
                    heads.add(new Head(it.next(), it));
                }
            }
        }

        @Override
        public boolean hasNext() {
            return !heads.isEmpty();
        }

        @Override
        public JobEntry next() {
            Head h = heads.poll();
            if (h == null) {
                throw new NoSuchElementException();
            }
            if (h.rest.hasNext()) {
                heads.add(new Head(h.rest.next(), h.rest));
            }
            return h.entry;
        }
    }
}

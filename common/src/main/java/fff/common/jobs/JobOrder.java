package fff.common.jobs;

import java.util.AbstractSet;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableSet;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * {@link JobQuery}'s order on a {@link JobDb}'s entries, and the sorted sets {@link JobIndex} keeps in it:
 * building one from a sorted list, and reading several as one.
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

    /** Adds {@code sorted} (in {@link #ENDED} order) to the empty {@code set} in linear time. */
    static void fill(TreeSet<JobEntry> set, List<JobEntry> sorted) {
        if (!set.isEmpty() || set.comparator() != ENDED) {
            throw new IllegalArgumentException("fill an empty set of the ended order");
        }
        set.addAll(new Sorted(sorted));
    }

    /** The entries of disjoint {@link #ENDED} sets in that order, or (descending) in reverse. */
    static Iterator<JobEntry> merged(List<? extends NavigableSet<JobEntry>> sets, boolean descending) {
        if (sets.size() == 1) {
            return descending ? sets.get(0).descendingIterator() : sets.get(0).iterator();
        }
        return new Merged(sets, descending);
    }

    /**
     * A sorted list as a sorted set of the ended order: an empty {@link TreeSet} of the same comparator given
     * one to {@code addAll} builds its tree straight from the iterator, without comparing or rebalancing.
     */
    private static final class Sorted extends AbstractSet<JobEntry> implements SortedSet<JobEntry> {
        private final List<JobEntry> sorted;

        Sorted(List<JobEntry> sorted) {
            this.sorted = sorted;
        }

        @Override
        public Iterator<JobEntry> iterator() {
            return Collections.unmodifiableList(sorted).iterator();
        }

        @Override
        public int size() {
            return sorted.size();
        }

        @Override
        public Comparator<? super JobEntry> comparator() {
            return ENDED;
        }

        @Override
        public JobEntry first() {
            return sorted.get(0);
        }

        @Override
        public JobEntry last() {
            return sorted.get(sorted.size() - 1);
        }

        @Override
        public SortedSet<JobEntry> subSet(JobEntry from, JobEntry to) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SortedSet<JobEntry> headSet(JobEntry to) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SortedSet<JobEntry> tailSet(JobEntry from) {
            throw new UnsupportedOperationException();
        }
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

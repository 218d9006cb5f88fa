package fff.common.jobs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The running and the ended jobs of a {@link JobDb}, each kept in {@link JobQuery} order, so that a page
 * costs a walk over the jobs that match instead of a view and a sort of every job held: the RUNNING page is
 * O(running), an unfiltered history page O(page) wherever it is. Queued jobs are not kept here: the
 * scheduler's queue is their order.
 *
 * <p>Entries sit in sorted sets keyed by their own mutable fields, so the db calls {@link #leave} before it
 * changes an entry's state, start or end time, and {@link #enter} after; otherwise the sets lose them.
 */
final class JobIndex {

    private static final Set<JobState> ENDED = EnumSet.of(JobState.DONE, JobState.FAILED, JobState.CANCELLED);

    /** RUNNING: earliest started first; ties newest id first. */
    private static final Comparator<JobEntry> RUNNING_ORDER = (a, b) -> a.startedMillis != b.startedMillis
            ? Long.compare(a.startedMillis, b.startedMillis) : Long.compare(b.id, a.id);
    /** Ended: latest ended first; ties newest id first. */
    private static final Comparator<JobEntry> ENDED_ORDER = (a, b) -> a.endedMillis != b.endedMillis
            ? Long.compare(b.endedMillis, a.endedMillis) : Long.compare(b.id, a.id);

    private final TreeSet<JobEntry> running = new TreeSet<>(RUNNING_ORDER);
    private final TreeSet<JobEntry> ended = new TreeSet<>(ENDED_ORDER);

    /** Before {@code j}'s state, start or end time changes, or before it is dropped. */
    void leave(JobEntry j) {
        if (j.state == JobState.RUNNING) {
            running.remove(j);
        } else if (j.state.ended()) {
            ended.remove(j);
        }
    }

    /** After {@code j} is added or changed. */
    void enter(JobEntry j) {
        if (j.state == JobState.RUNNING) {
            running.add(j);
        } else if (j.state.ended()) {
            ended.add(j);
        }
    }

    void clear() {
        running.clear();
        ended.clear();
    }

    /**
     * One page of {@code q}: running jobs, then {@code queued} (in queue order; asked only when the query
     * wants queued jobs), then ended ones. Views are built for the page only.
     */
    JobControl.JobPage page(JobQuery q, Supplier<List<JobEntry>> queued, Function<JobEntry, Job> view) {
        Pager p = new Pager(q, view);
        if (q.states().contains(JobState.RUNNING)) {
            p.walk(running);
        }
        if (q.states().contains(JobState.QUEUED)) {
            p.walk(queued.get());
        }
        if (q.group() == null && q.text() == null && q.states().containsAll(ENDED)) {
            p.take(ended); // every ended job matches
        } else if (q.states().stream().anyMatch(JobState::ended)) {
            p.walk(ended);
        }
        return new JobControl.JobPage(p.total, q.offset(), q.limit(), p.page);
    }

    /** For tests: throws unless the sets hold exactly {@code entries}' running and ended jobs, findably. */
    void check(Iterable<JobEntry> entries) {
        int r = 0;
        int e = 0;
        for (JobEntry j : entries) {
            if (j.state == JobState.RUNNING) {
                r++;
                if (!running.contains(j)) {
                    throw new IllegalStateException("running job " + j.id + " is not in the index");
                }
            } else if (j.state.ended()) {
                e++;
                if (!ended.contains(j)) {
                    throw new IllegalStateException(j.state + " job " + j.id + " is not in the index");
                }
            }
        }
        if (r != running.size() || e != ended.size()) {
            throw new IllegalStateException("index holds " + running.size() + " running and " + ended.size()
                    + " ended jobs; the db " + r + " and " + e);
        }
    }

    /** Counts the matches of a query phase by phase and keeps the views of those on its page. */
    private static final class Pager {
        private final JobQuery q;
        private final Function<JobEntry, Job> view;
        private final long from;
        private final long to;
        private final List<Job> page = new ArrayList<>();
        private long total;

        Pager(JobQuery q, Function<JobEntry, Job> view) {
            this.q = q;
            this.view = view;
            this.from = q.offset();
            this.to = (long) q.offset() + q.limit();
        }

        void walk(Iterable<JobEntry> entries) {
            for (JobEntry j : entries) {
                if (q.matches(j.state, j.spec, j.note, j.lastError)) {
                    if (total >= from && total < to) {
                        page.add(view.apply(j));
                    }
                    total++;
                }
            }
        }

        /** Like {@link #walk} when every entry matches: visits only the page, from the nearer end. */
        void take(NavigableSet<JobEntry> all) {
            int n = all.size();
            int skip = (int) Math.max(0, from - total);
            int count = (int) Math.min(n - (long) skip, to - Math.max(from, total));
            if (count > 0) {
                int tail = n - skip - count; // entries after the page
                if (skip <= tail) {
                    Iterator<JobEntry> it = all.iterator();
                    for (int i = 0; i < skip; i++) {
                        it.next();
                    }
                    for (int i = 0; i < count; i++) {
                        page.add(view.apply(it.next()));
                    }
                } else {
                    Iterator<JobEntry> it = all.descendingIterator();
                    for (int i = 0; i < tail; i++) {
                        it.next();
                    }
                    List<Job> backwards = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        backwards.add(view.apply(it.next()));
                    }
                    for (int i = count - 1; i >= 0; i--) {
                        page.add(backwards.get(i));
                    }
                }
            }
            total += n;
        }
    }
}

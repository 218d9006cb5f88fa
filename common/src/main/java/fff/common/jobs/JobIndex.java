package fff.common.jobs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The jobs of a {@link JobDb} arranged for {@link JobQuery} pages and counts: running jobs in query order,
 * ended jobs in query order both all together and per group and state, and the number of jobs per group and
 * state. A page then costs a walk over the jobs it skips and shows, not a view and a sort of every job held:
 * the RUNNING page is O(running), a history page without a text filter O(offset + page) and {@link #counts}
 * O(groups). Queued jobs are not kept here: the scheduler's queue is their order.
 *
 * <p>Entries sit in sorted sets keyed by their own mutable fields, so the db calls {@link #leave} before it
 * changes an entry's state, start or end time (or drops it), and {@link #enter} after it changed or added
 * it; otherwise the sets lose them. Replay does not keep the index (sorted inserts for every replayed
 * event would slow every start-up): {@link #build} makes it once, from all entries, when the db is first
 * asked after recovery. Until then it is empty and {@code leave} and {@code enter} do nothing.
 */
final class JobIndex {

    private static final JobState[] STATES = JobState.values();

    private final TreeSet<JobEntry> running = new TreeSet<>(JobOrder.RUNNING);
    private final TreeSet<JobEntry> ended = new TreeSet<>(JobOrder.ENDED);
    private final Map<String, Group> groups = new HashMap<>();
    private boolean built;

    /** One group's jobs per state, and its ended jobs per state (null for QUEUED and RUNNING). */
    private static final class Group {
        final long[] count = new long[STATES.length];
        final List<TreeSet<JobEntry>> ended = new ArrayList<>(STATES.length);

        Group() {
            for (JobState s : STATES) {
                ended.add(s.ended() ? new TreeSet<>(JobOrder.ENDED) : null);
            }
        }
    }

    /** Before {@code j}'s state, start or end time changes, or before it is dropped. */
    void leave(JobEntry j) {
        if (!built) {
            return;
        }
        Group g = groups.get(j.spec.group());
        g.count[j.state.ordinal()]--;
        if (j.state == JobState.RUNNING) {
            running.remove(j);
        } else if (j.state.ended()) {
            ended.remove(j);
            g.ended.get(j.state.ordinal()).remove(j);
        }
    }

    /** After {@code j} is added or changed. */
    void enter(JobEntry j) {
        if (!built) {
            return;
        }
        Group g = groups.computeIfAbsent(j.spec.group(), name -> new Group());
        g.count[j.state.ordinal()]++;
        if (j.state == JobState.RUNNING) {
            running.add(j);
        } else if (j.state.ended()) {
            ended.add(j);
            g.ended.get(j.state.ordinal()).add(j);
        }
    }

    /** (Re)builds the index from every entry of the db; from then on the db keeps it up to date. */
    void build(Iterable<JobEntry> entries) {
        running.clear();
        ended.clear();
        groups.clear();
        built = true;
        entries.forEach(this::enter);
    }

    boolean built() {
        return built;
    }

    /** Jobs per group and state; groups and states without jobs are left out. */
    Map<String, Map<JobState, Long>> counts() {
        requireBuilt();
        Map<String, Map<JobState, Long>> counts = new HashMap<>();
        groups.forEach((name, g) -> {
            for (JobState s : STATES) {
                if (g.count[s.ordinal()] > 0) {
                    counts.computeIfAbsent(name, n -> new EnumMap<>(JobState.class)).put(s, g.count[s.ordinal()]);
                }
            }
        });
        return counts;
    }

    /**
     * One page of {@code q}: running jobs, then {@code queued} (in queue order; asked for only when the query
     * wants queued jobs), then ended ones. Views are built for the page only.
     */
    JobControl.JobPage page(JobQuery q, Supplier<List<JobEntry>> queued, Function<JobEntry, Job> view) {
        requireBuilt();
        Pager p = new Pager(q, view);
        if (q.states().contains(JobState.RUNNING)) {
            p.walk(running.iterator());
        }
        if (q.states().contains(JobState.QUEUED)) {
            p.walk(queued.get().iterator());
        }
        List<TreeSet<JobEntry>> history = history(q);
        if (q.text() == null) {
            p.take(history); // every job in these sets matches
        } else if (!history.isEmpty()) {
            p.walk(JobOrder.merged(history, false));
        }
        return new JobControl.JobPage(p.total, q.offset(), q.limit(), p.page);
    }

    /** The sets that hold exactly the ended jobs of {@code q}'s states and group. */
    private List<TreeSet<JobEntry>> history(JobQuery q) {
        if (q.group() == null && Arrays.stream(STATES).allMatch(s -> !s.ended() || q.states().contains(s))) {
            return List.of(ended);
        }
        List<TreeSet<JobEntry>> sets = new ArrayList<>();
        groups.forEach((name, g) -> {
            if (q.group() == null || q.group().equals(name)) {
                for (JobState s : q.states()) {
                    if (s.ended() && !g.ended.get(s.ordinal()).isEmpty()) {
                        sets.add(g.ended.get(s.ordinal()));
                    }
                }
            }
        });
        return sets;
    }

    private void requireBuilt() {
        if (!built) {
            throw new IllegalStateException("the job index is not built");
        }
    }

    /** For tests: throws unless the index holds {@code entries} as it should, findably (or is not built). */
    void check(Iterable<JobEntry> entries) {
        if (!built) {
            if (!running.isEmpty() || !ended.isEmpty() || !groups.isEmpty()) {
                throw new IllegalStateException("the index holds jobs before it was built");
            }
            return;
        }
        JobIndex fresh = new JobIndex();
        fresh.build(entries);
        for (JobEntry j : entries) {
            boolean in = j.state == JobState.RUNNING ? running.contains(j) : !j.state.ended()
                    || ended.contains(j) && groups.get(j.spec.group()).ended.get(j.state.ordinal()).contains(j);
            if (!in) {
                throw new IllegalStateException(j.state + " job " + j.id + " is not in the index");
            }
        }
        if (!fresh.running.equals(running) || !fresh.ended.equals(ended) || !fresh.counts().equals(counts())) {
            throw new IllegalStateException("the index differs from one built afresh");
        }
        groups.forEach((name, g) -> {
            if (!g.ended.equals(fresh.groups.getOrDefault(name, new Group()).ended)) {
                throw new IllegalStateException("group '" + name + "': ended jobs differ from the db's");
            }
        });
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

        void walk(Iterator<JobEntry> entries) {
            while (entries.hasNext()) {
                JobEntry j = entries.next();
                if (q.matches(j.state, j.spec, j.note, j.lastError)) {
                    if (total >= from && total < to) {
                        page.add(view.apply(j));
                    }
                    total++;
                }
            }
        }

        /** {@link #walk} over the sets' merge when all match: visits the page only, from the nearer end. */
        void take(List<TreeSet<JobEntry>> sets) {
            long n = sets.stream().mapToLong(TreeSet::size).sum();
            long skip = Math.max(0, from - total);
            long count = Math.min(n - skip, to - Math.max(from, total));
            if (count > 0) {
                long after = n - skip - count;
                boolean forward = skip <= after;
                Iterator<JobEntry> it = JobOrder.merged(sets, !forward);
                for (long i = forward ? skip : after; i > 0; i--) {
                    it.next();
                }
                List<Job> views = new ArrayList<>((int) count);
                for (long i = 0; i < count; i++) {
                    views.add(view.apply(it.next()));
                }
                if (!forward) {
                    Collections.reverse(views);
                }
                page.addAll(views);
            }
            total += n;
        }
    }
}

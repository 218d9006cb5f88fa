package fff.common.jobs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The jobs of a {@link JobDb} arranged for {@link JobQuery} pages and counts: running jobs in query order,
 * ended jobs in query order both all together and per group and state, and the number of jobs per group and
 * state. A page then costs a walk over the jobs it skips and shows instead of a view and a sort of every job
 * held: the RUNNING page is O(running), a history page without a text filter O(offset + page) and
 * {@link #counts} O(groups). Queued jobs are not kept here: the scheduler's queue is their order.
 *
 * <p>Entries sit in sorted sets keyed by their own mutable fields, so the db calls {@link #leave} before it
 * changes an entry's state, start or end time (or drops it), and {@link #enter} after it changed or added
 * it; otherwise the sets lose them.
 */
final class JobIndex {

    private static final JobState[] STATES = JobState.values();

    /** RUNNING: earliest started first; ties newest id first. */
    private static final Comparator<JobEntry> RUNNING_ORDER = (a, b) -> a.startedMillis != b.startedMillis
            ? Long.compare(a.startedMillis, b.startedMillis) : Long.compare(b.id, a.id);
    /** Ended: latest ended first; ties newest id first. */
    private static final Comparator<JobEntry> ENDED_ORDER = (a, b) -> a.endedMillis != b.endedMillis
            ? Long.compare(b.endedMillis, a.endedMillis) : Long.compare(b.id, a.id);

    private final TreeSet<JobEntry> running = new TreeSet<>(RUNNING_ORDER);
    private final TreeSet<JobEntry> ended = new TreeSet<>(ENDED_ORDER);
    private final Map<String, Group> groups = new HashMap<>();

    /** One group's counts per state and its ended jobs per state (null for QUEUED and RUNNING). */
    private static final class Group {
        final long[] count = new long[STATES.length];
        final NavigableSet<JobEntry>[] ended;

        @SuppressWarnings("unchecked")
        Group() {
            ended = new NavigableSet[STATES.length];
            for (JobState s : STATES) {
                if (s.ended()) {
                    ended[s.ordinal()] = new TreeSet<>(ENDED_ORDER);
                }
            }
        }
    }

    /** Before {@code j}'s state, start or end time changes, or before it is dropped. */
    void leave(JobEntry j) {
        Group g = groups.get(j.spec.group());
        g.count[j.state.ordinal()]--;
        if (j.state == JobState.RUNNING) {
            running.remove(j);
        } else if (j.state.ended()) {
            ended.remove(j);
            g.ended[j.state.ordinal()].remove(j);
        }
    }

    /** After {@code j} is added or changed. */
    void enter(JobEntry j) {
        Group g = groups.computeIfAbsent(j.spec.group(), name -> new Group());
        g.count[j.state.ordinal()]++;
        if (j.state == JobState.RUNNING) {
            running.add(j);
        } else if (j.state.ended()) {
            ended.add(j);
            g.ended[j.state.ordinal()].add(j);
        }
    }

    void clear() {
        running.clear();
        ended.clear();
        groups.clear();
    }

    /** Jobs per group and state; groups and states without jobs are left out. */
    Map<String, Map<JobState, Long>> counts() {
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
        Pager p = new Pager(q, view);
        if (q.states().contains(JobState.RUNNING)) {
            p.walk(running.iterator());
        }
        if (q.states().contains(JobState.QUEUED)) {
            p.walk(queued.get().iterator());
        }
        List<NavigableSet<JobEntry>> history = history(q);
        if (q.text() == null) {
            p.take(history); // every job in these sets matches
        } else if (!history.isEmpty()) {
            p.walk(history.size() == 1 ? history.get(0).iterator() : new Merged(history, false));
        }
        return new JobControl.JobPage(p.total, q.offset(), q.limit(), p.page);
    }

    /** The sets that hold exactly the ended jobs of {@code q}'s states and group. */
    private List<NavigableSet<JobEntry>> history(JobQuery q) {
        boolean allEnded = true;
        for (JobState s : STATES) {
            allEnded &= !s.ended() || q.states().contains(s);
        }
        if (allEnded && q.group() == null) {
            return List.of(ended);
        }
        List<NavigableSet<JobEntry>> sets = new ArrayList<>();
        for (Map.Entry<String, Group> g : groups.entrySet()) {
            if (q.group() == null || q.group().equals(g.getKey())) {
                for (JobState s : q.states()) {
                    if (s.ended() && !g.getValue().ended[s.ordinal()].isEmpty()) {
                        sets.add(g.getValue().ended[s.ordinal()]);
                    }
                }
            }
        }
        return sets;
    }

    /** For tests: throws unless the index holds {@code entries} as it should, findably. */
    void check(Iterable<JobEntry> entries) {
        Map<String, long[]> count = new HashMap<>();
        int r = 0;
        int e = 0;
        for (JobEntry j : entries) {
            count.computeIfAbsent(j.spec.group(), g -> new long[STATES.length])[j.state.ordinal()]++;
            if (j.state == JobState.RUNNING) {
                r++;
                if (!running.contains(j)) {
                    throw new IllegalStateException("running job " + j.id + " is not in the index");
                }
            } else if (j.state.ended()) {
                e++;
                if (!ended.contains(j) || !groups.get(j.spec.group()).ended[j.state.ordinal()].contains(j)) {
                    throw new IllegalStateException(j.state + " job " + j.id + " is not in the index");
                }
            }
        }
        long grouped = groups.values().stream().flatMap(g -> Arrays.stream(g.ended))
                .filter(Objects::nonNull).mapToLong(NavigableSet::size).sum();
        if (r != running.size() || e != ended.size() || e != grouped) {
            throw new IllegalStateException("index holds " + running.size() + " running and " + ended.size()
                    + " (" + grouped + " by group) ended jobs; the db " + r + " and " + e);
        }
        groups.forEach((name, g) -> {
            if (!Arrays.equals(g.count, count.getOrDefault(name, new long[STATES.length]))) {
                throw new IllegalStateException("group '" + name + "': counts differ from the db's");
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

        /** Like {@link #walk} over their merge when every entry matches: visits the page only, from the nearer end. */
        void take(List<NavigableSet<JobEntry>> sets) {
            long n = 0;
            for (NavigableSet<JobEntry> s : sets) {
                n += s.size();
            }
            long skip = Math.max(0, from - total);
            long count = Math.min(n - skip, to - Math.max(from, total));
            if (count > 0) {
                long tail = n - skip - count; // entries after the page
                boolean forward = skip <= tail;
                Iterator<JobEntry> it = sets.size() == 1 ? (forward ? sets.get(0).iterator()
                        : sets.get(0).descendingIterator()) : new Merged(sets, !forward);
                for (long i = forward ? skip : tail; i > 0; i--) {
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

    /** The entries of several disjoint sets in {@code ENDED_ORDER} (or its reverse), merged. */
    private static final class Merged implements Iterator<JobEntry> {
        private final PriorityQueue<Head> heads;

        private record Head(JobEntry entry, Iterator<JobEntry> rest) {
        }

        Merged(List<NavigableSet<JobEntry>> sets, boolean descending) {
            Comparator<JobEntry> order = descending ? ENDED_ORDER.reversed() : ENDED_ORDER;
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

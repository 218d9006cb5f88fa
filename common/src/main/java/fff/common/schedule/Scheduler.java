package fff.common.schedule;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Pure, single-threaded dispatch core: events in, {@link Decision}s out. Holds a {@link GroupTree},
 * the current limits, tokens in use per group, one global queue of waiting jobs and the running
 * jobs. Dispatch happens only inside the calls: it starts, in queue order, every unblocked job
 * whose whole group path has a free token, so a job that cannot start never holds back a job of
 * another branch.
 *
 * <p>Queue order is priority descending, then position. A submitted job goes behind every job of
 * the same or higher priority. A move puts the job at the requested place and gives it the
 * priority of its new neighbour, so the queue stays sorted by priority and later submissions land
 * where a person expects.
 *
 * <p>Lowering a limit never stops running jobs; it only blocks new starts until usage falls below
 * the new limit. Unknown jobs or groups and illegal transitions are refused with
 * {@link IllegalArgumentException}.
 *
 * <p>Cost: every call is O(depth · log fanout + log queue) per job it starts, independent of how
 * many jobs wait. The order lives in {@link QueueOrder}, the unblocked jobs of each group in a
 * {@link ReadyHeap}, and {@link DispatchIndex} keeps the next startable job at hand, so dispatch
 * never walks the queue. Only {@link #snapshot()} is O(queue length).
 */
public final class Scheduler {

    /** Positions are 2^20 apart: twenty moves into one gap before a local renumbering. */
    private static final int GAP_BITS = 20;

    private final GroupTree tree;
    private final String[] names;
    private final String[] parents;
    private final Map<String, Integer> index = new HashMap<>();
    private final QueueOrder order;
    private final ReadyHeap[] ready;
    private final DispatchIndex heads;
    private final Map<String, WaitingJob> queued = new HashMap<>();
    private final Map<String, WaitingJob> running = new LinkedHashMap<>(); // in start order

    public Scheduler(GroupTree tree) {
        this(tree, GAP_BITS);
    }

    /** For tests: a small gap forces renumbering often. */
    Scheduler(GroupTree tree, int gapBits) {
        this.tree = Objects.requireNonNull(tree, "tree");
        this.order = new QueueOrder(gapBits);
        names = tree.names().toArray(String[]::new);
        parents = new String[names.length];
        for (int g = 0; g < names.length; g++) {
            index.put(names[g], g);
        }
        int[] parentIndex = new int[names.length];
        int[] limits = new int[names.length];
        ready = new ReadyHeap[names.length];
        for (int g = 0; g < names.length; g++) {
            parents[g] = tree.parent(names[g]).orElse(null);
            parentIndex[g] = parents[g] == null ? -1 : index.get(parents[g]);
            limits[g] = tree.limit(names[g]);
            ready[g] = new ReadyHeap();
        }
        heads = new DispatchIndex(parentIndex, limits);
    }

    public GroupTree tree() {
        return tree;
    }

    /** Queues a job of a group; higher priority goes first. */
    public Decision submit(String jobId, String group, int priority) {
        return submit(jobId, group, priority, false);
    }

    /** Queues a job of a group, blocked from the start when {@code blocked} (see {@link #setBlocked}). */
    public Decision submit(String jobId, String group, int priority, boolean blocked) {
        Objects.requireNonNull(jobId, "jobId");
        Integer g = group == null ? null : index.get(group);
        if (g == null) {
            throw new IllegalArgumentException("job '" + jobId + "': unknown group '" + group + "'");
        }
        if (queued.containsKey(jobId) || running.containsKey(jobId)) {
            throw new IllegalArgumentException("job '" + jobId + "': already known");
        }
        WaitingJob w = new WaitingJob(jobId, g, priority);
        order.append(w);
        queued.put(jobId, w);
        w.blocked = blocked;
        if (!blocked) {
            makeReady(w);
        }
        return dispatch(List.of());
    }

    /** A running job ended (done or failed): releases its tokens on the whole path. */
    public Decision finished(String jobId) {
        WaitingJob w = running.remove(jobId);
        if (w == null) {
            throw new IllegalArgumentException("job '" + jobId + "': not running");
        }
        heads.release(w.group);
        return dispatch(List.of());
    }

    /** Removes a queued job, or releases a running one and reports it in {@link Decision#stop()}. */
    public Decision cancel(String jobId) {
        WaitingJob w = queued.remove(jobId);
        if (w != null) {
            order.remove(w);
            if (!w.blocked) {
                unready(w);
            }
            return dispatch(List.of());
        }
        w = running.remove(jobId);
        if (w == null) {
            throw new IllegalArgumentException("job '" + jobId + "': not queued or running");
        }
        heads.release(w.group);
        return dispatch(List.of(jobId));
    }

    public Decision moveToTop(String jobId) {
        WaitingJob w = waiting(jobId);
        reorder(w, () -> order.moveToTop(w));
        return dispatch(List.of());
    }

    public Decision moveToBottom(String jobId) {
        WaitingJob w = waiting(jobId);
        reorder(w, () -> order.moveToBottom(w));
        return dispatch(List.of());
    }

    public Decision moveBefore(String jobId, String otherId) {
        return moveNextTo(jobId, otherId, false);
    }

    public Decision moveAfter(String jobId, String otherId) {
        return moveNextTo(jobId, otherId, true);
    }

    private Decision moveNextTo(String jobId, String otherId, boolean after) {
        WaitingJob w = waiting(jobId);
        WaitingJob other = waiting(otherId);
        if (w == other) {
            throw new IllegalArgumentException("job '" + jobId + "': cannot move relative to itself");
        }
        reorder(w, () -> order.moveNextTo(w, other, after));
        return dispatch(List.of());
    }

    /** A job's key must not change while a heap holds it: take it out, move it, put it back. */
    private void reorder(WaitingJob w, Runnable move) {
        if (!w.blocked) {
            unready(w);
        }
        move.run();
        if (!w.blocked) {
            makeReady(w);
        }
    }

    /**
     * Marks a queued job blocked (e.g. its receiver said busy) or unblocked. A blocked job is
     * skipped by dispatch and never holds back others; it keeps its place in the queue.
     */
    public Decision setBlocked(String jobId, boolean blocked) {
        WaitingJob w = waiting(jobId);
        if (w.blocked != blocked) {
            w.blocked = blocked;
            if (blocked) {
                unready(w);
            } else {
                makeReady(w);
            }
        }
        return dispatch(List.of());
    }

    /** Changes a group's limit at run time; lowering never stops running jobs. */
    public Decision setLimit(String group, int limit) {
        int g = group(group);
        if (limit < 1) {
            throw new IllegalArgumentException("group '" + group + "': limit " + limit + " must be >= 1");
        }
        heads.setLimit(g, limit);
        return dispatch(List.of());
    }

    public int limit(String group) {
        return heads.limit(group(group));
    }

    public int inUse(String group) {
        return heads.inUse(group(group));
    }

    public boolean isQueued(String jobId) {
        return queued.containsKey(jobId);
    }

    public boolean isRunning(String jobId) {
        return running.containsKey(jobId);
    }

    /** Whether a queued job is blocked; false for a job that is not queued. */
    public boolean isBlocked(String jobId) {
        WaitingJob w = queued.get(jobId);
        return w != null && w.blocked;
    }

    /** The number of queued jobs, blocked ones included; O(1). */
    public int queuedCount() {
        return queued.size();
    }

    /** The queued job ids in queue order, as {@code snapshot().queuedIds()}; O(queue length). */
    public List<String> queuedIds() {
        List<String> ids = new ArrayList<>(order.size());
        order.forEach(w -> ids.add(w.id));
        return ids;
    }

    /** A copy of the whole state; O(queue length). */
    public Snapshot snapshot() {
        int[] queuedPerGroup = new int[names.length];
        List<Snapshot.QueuedJob> jobs = new ArrayList<>(order.size());
        order.forEach(w -> {
            queuedPerGroup[w.group]++;
            jobs.add(new Snapshot.QueuedJob(w.id, names[w.group], w.priority, w.blocked));
        });
        List<Snapshot.GroupState> groups = new ArrayList<>(names.length);
        for (int g = 0; g < names.length; g++) {
            groups.add(new Snapshot.GroupState(names[g], parents[g], heads.limit(g), heads.inUse(g),
                    queuedPerGroup[g]));
        }
        return new Snapshot(groups, jobs, List.copyOf(running.keySet()));
    }

    /** For tests: checks every internal structure against the others; throws when one is off. */
    void checkInternals() {
        order.check();
        WaitingJob[] headOf = new WaitingJob[names.length];
        int[] readyCount = new int[names.length];
        for (int g = 0; g < names.length; g++) {
            ready[g].check();
            headOf[g] = ready[g].peek();
        }
        for (WaitingJob w : queued.values()) {
            if (ready[w.group].contains(w) == w.blocked) {
                throw new IllegalStateException("job '" + w.id + "': ready heap disagrees with blocked flag");
            }
            readyCount[w.group] += w.blocked ? 0 : 1;
        }
        for (int g = 0; g < names.length; g++) {
            if (readyCount[g] != ready[g].size()) {
                throw new IllegalStateException("group '" + names[g] + "': ready heap holds strangers");
            }
        }
        if (order.size() != queued.size()) {
            throw new IllegalStateException("queue order and job map differ in size");
        }
        heads.check(headOf);
    }

    private Decision dispatch(List<String> stop) {
        WaitingJob w = heads.next();
        if (w == null) {
            return stop.isEmpty() ? Decision.NONE : new Decision(List.of(), stop);
        }
        List<String> start = new ArrayList<>();
        for (; w != null; w = heads.next()) {
            ReadyHeap r = ready[w.group];
            r.remove(w);
            order.remove(w);
            queued.remove(w.id);
            running.put(w.id, w);
            heads.acquire(w.group, r.peek());
            start.add(w.id);
        }
        return new Decision(start, stop);
    }

    private void makeReady(WaitingJob w) {
        ReadyHeap r = ready[w.group];
        r.add(w);
        if (r.peek() == w) {
            heads.headChanged(w.group, w);
        }
    }

    private void unready(WaitingJob w) {
        ReadyHeap r = ready[w.group];
        boolean wasHead = r.peek() == w;
        r.remove(w);
        if (wasHead) {
            heads.headChanged(w.group, r.peek());
        }
    }

    private WaitingJob waiting(String jobId) {
        WaitingJob w = queued.get(jobId);
        if (w == null) {
            throw new IllegalArgumentException("job '" + jobId + "': not queued");
        }
        return w;
    }

    private int group(String group) {
        Integer g = group == null ? null : index.get(group);
        if (g == null) {
            throw new IllegalArgumentException("unknown group '" + group + "'");
        }
        return g;
    }
}

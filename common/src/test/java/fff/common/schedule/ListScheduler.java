package fff.common.schedule;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Test oracle: the first, obviously correct scheduler, one {@code ArrayList} walked in order on
 * every dispatch (O(queue length) per event). {@link Scheduler} must make exactly the same
 * decisions; {@code SchedulerDifferentialTest} compares the two step by step.
 */
final class ListScheduler {

    private final GroupTree tree;
    private final Map<String, Integer> limits = new HashMap<>();
    private final Map<String, Integer> inUse = new HashMap<>();
    private final List<Waiting> queue = new ArrayList<>();
    private final Map<String, Waiting> queued = new HashMap<>();
    private final Map<String, String> running = new LinkedHashMap<>(); // id -> group, in start order

    private static final class Waiting {
        final String id;
        final String group;
        int priority;
        boolean blocked;

        Waiting(String id, String group, int priority) {
            this.id = id;
            this.group = group;
            this.priority = priority;
        }
    }

    ListScheduler(GroupTree tree) {
        this.tree = Objects.requireNonNull(tree, "tree");
        for (String g : tree.names()) {
            limits.put(g, tree.limit(g));
            inUse.put(g, 0);
        }
    }

    public GroupTree tree() {
        return tree;
    }

    /** Queues a job of a group; higher priority goes first. */
    public Decision submit(String jobId, String group, int priority) {
        Objects.requireNonNull(jobId, "jobId");
        if (!tree.contains(group)) {
            throw new IllegalArgumentException("job '" + jobId + "': unknown group '" + group + "'");
        }
        if (queued.containsKey(jobId) || running.containsKey(jobId)) {
            throw new IllegalArgumentException("job '" + jobId + "': already known");
        }
        Waiting w = new Waiting(jobId, group, priority);
        int at = 0;
        while (at < queue.size() && queue.get(at).priority >= priority) {
            at++;
        }
        queue.add(at, w);
        queued.put(jobId, w);
        return dispatch(List.of());
    }

    /** A running job ended (done or failed): releases its tokens on the whole path. */
    public Decision finished(String jobId) {
        String group = running.remove(jobId);
        if (group == null) {
            throw new IllegalArgumentException("job '" + jobId + "': not running");
        }
        release(group);
        return dispatch(List.of());
    }

    /** Removes a queued job, or releases a running one and reports it in {@link Decision#stop()}. */
    public Decision cancel(String jobId) {
        Waiting w = queued.remove(jobId);
        if (w != null) {
            queue.remove(w);
            return dispatch(List.of());
        }
        String group = running.remove(jobId);
        if (group == null) {
            throw new IllegalArgumentException("job '" + jobId + "': not queued or running");
        }
        release(group);
        return dispatch(List.of(jobId));
    }

    public Decision moveToTop(String jobId) {
        Waiting w = waiting(jobId);
        queue.remove(w);
        w.priority = queue.isEmpty() ? w.priority : queue.get(0).priority;
        queue.add(0, w);
        return dispatch(List.of());
    }

    public Decision moveToBottom(String jobId) {
        Waiting w = waiting(jobId);
        queue.remove(w);
        w.priority = queue.isEmpty() ? w.priority : queue.get(queue.size() - 1).priority;
        queue.add(w);
        return dispatch(List.of());
    }

    public Decision moveBefore(String jobId, String otherId) {
        return moveNextTo(jobId, otherId, 0);
    }

    public Decision moveAfter(String jobId, String otherId) {
        return moveNextTo(jobId, otherId, 1);
    }

    private Decision moveNextTo(String jobId, String otherId, int offset) {
        Waiting w = waiting(jobId);
        Waiting other = waiting(otherId);
        if (w == other) {
            throw new IllegalArgumentException("job '" + jobId + "': cannot move relative to itself");
        }
        queue.remove(w);
        w.priority = other.priority;
        queue.add(queue.indexOf(other) + offset, w);
        return dispatch(List.of());
    }

    /**
     * Marks a queued job blocked (e.g. its receiver said busy) or unblocked. A blocked job is
     * skipped by dispatch and never holds back others.
     */
    public Decision setBlocked(String jobId, boolean blocked) {
        waiting(jobId).blocked = blocked;
        return dispatch(List.of());
    }

    /** Changes a group's limit at run time; lowering never stops running jobs. */
    public Decision setLimit(String group, int limit) {
        if (!tree.contains(group)) {
            throw new IllegalArgumentException("unknown group '" + group + "'");
        }
        if (limit < 1) {
            throw new IllegalArgumentException("group '" + group + "': limit " + limit + " must be >= 1");
        }
        limits.put(group, limit);
        return dispatch(List.of());
    }

    public int limit(String group) {
        return known(limits, group);
    }

    public int inUse(String group) {
        return known(inUse, group);
    }

    public boolean isQueued(String jobId) {
        return queued.containsKey(jobId);
    }

    public boolean isRunning(String jobId) {
        return running.containsKey(jobId);
    }

    public Snapshot snapshot() {
        Map<String, Integer> queuedPerGroup = new HashMap<>();
        List<Snapshot.QueuedJob> jobs = new ArrayList<>(queue.size());
        for (Waiting w : queue) {
            queuedPerGroup.merge(w.group, 1, Integer::sum);
            jobs.add(new Snapshot.QueuedJob(w.id, w.group, w.priority, w.blocked));
        }
        List<Snapshot.GroupState> groups = new ArrayList<>();
        for (String g : tree.names()) {
            groups.add(new Snapshot.GroupState(g, tree.parent(g).orElse(null), limits.get(g), inUse.get(g),
                    queuedPerGroup.getOrDefault(g, 0)));
        }
        return new Snapshot(groups, jobs, List.copyOf(running.keySet()));
    }

    private Decision dispatch(List<String> stop) {
        List<String> start = new ArrayList<>();
        for (var it = queue.iterator(); it.hasNext(); ) {
            Waiting w = it.next();
            if (w.blocked || !hasFreeToken(w.group)) {
                continue;
            }
            it.remove();
            queued.remove(w.id);
            for (String g : tree.path(w.group)) {
                inUse.merge(g, 1, Integer::sum);
            }
            running.put(w.id, w.group);
            start.add(w.id);
        }
        return start.isEmpty() && stop.isEmpty() ? Decision.NONE : new Decision(start, stop);
    }

    private boolean hasFreeToken(String group) {
        for (String g : tree.path(group)) {
            if (inUse.get(g) >= limits.get(g)) {
                return false;
            }
        }
        return true;
    }

    private void release(String group) {
        for (String g : tree.path(group)) {
            inUse.merge(g, -1, Integer::sum);
        }
    }

    private Waiting waiting(String jobId) {
        Waiting w = queued.get(jobId);
        if (w == null) {
            throw new IllegalArgumentException("job '" + jobId + "': not queued");
        }
        return w;
    }

    private static int known(Map<String, Integer> map, String group) {
        Integer v = map.get(group);
        if (v == null) {
            throw new IllegalArgumentException("unknown group '" + group + "'");
        }
        return v;
    }
}

package fff.common.schedule;

import java.util.List;

/** Immutable view of a {@link Scheduler}, for the web UI. */
public record Snapshot(List<GroupState> groups, List<QueuedJob> queued, List<String> running) {

    public Snapshot {
        groups = List.copyOf(groups);
        queued = List.copyOf(queued);
        running = List.copyOf(running);
    }

    /** One group: its current limit, tokens in use and number of queued jobs of the group itself. */
    public record GroupState(String name, String parent, int limit, int inUse, int queued) {
    }

    /** One waiting job, in queue order. */
    public record QueuedJob(String id, String group, int priority, boolean blocked) {
    }

    /** The ids of the queued jobs, in queue order. */
    public List<String> queuedIds() {
        return queued.stream().map(QueuedJob::id).toList();
    }

    public GroupState group(String name) {
        return groups.stream().filter(g -> g.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown group '" + name + "'"));
    }
}

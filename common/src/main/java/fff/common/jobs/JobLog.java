package fff.common.jobs;

import fff.proto.journal.JobEvent;

/**
 * Where a {@link JobDb} writes its events: the journal in a node, nothing or a list in tests. Called on the
 * job engine's thread only.
 */
public interface JobLog {

    void append(JobEvent event);

    /** Writes a checkpoint: the full state as records, after which older events are not needed for replay. */
    default void checkpoint(long nextJobId, Iterable<JobEvent> records) {
    }

    /** Forces what was appended to stable storage; may be called from another thread. */
    default void sync() {
    }

    /** Events appended since the last checkpoint (0 when the log has no checkpoints). */
    default long eventsSinceCheckpoint() {
        return 0;
    }

    JobLog NONE = e -> { };
}

package fff.common.jobs;

/** Where a job is in its life. QUEUED jobs may be blocked (destination offline, waiting for a retry). */
public enum JobState {
    QUEUED, RUNNING, DONE, FAILED, CANCELLED;

    /** Whether the job has ended (it only comes back by a person's retry). */
    public boolean ended() {
        return this == DONE || this == FAILED || this == CANCELLED;
    }
}

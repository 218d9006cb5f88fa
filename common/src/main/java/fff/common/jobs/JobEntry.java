package fff.common.jobs;

/** The mutable record of one job inside a {@link JobDb}; only its thread touches it. */
final class JobEntry {

    final long id;
    final JobSpec spec;
    final long createdMillis;
    int priority;
    JobState state = JobState.QUEUED;
    int attempts;
    String lastError;
    long retryAtMillis;
    long bytesDone;
    long bytesSent;
    long startedMillis;
    long endedMillis;
    String note;
    /** A running transcode's ffmpeg progress (not journaled). */
    MediaProgress media;
    /** DONE, and the source still waits for its {@code after: delete|move}. */
    boolean sourcePending;
    long journaledBytes;
    long journaledMillis;

    JobEntry(long id, JobSpec spec, long createdMillis) {
        this.id = id;
        this.spec = spec;
        this.createdMillis = createdMillis;
        this.priority = spec.priority();
    }

    /** The scheduler's id of this job. */
    String key() {
        return Long.toString(id);
    }

    String identity() {
        return identity(spec.rule(), spec.relative());
    }

    static String identity(String rule, String relative) {
        return rule + '\0' + relative;
    }

    Job view(boolean blocked) {
        return new Job(id, spec, state, blocked, attempts, lastError, retryAtMillis, bytesDone, bytesSent,
                createdMillis, startedMillis, endedMillis, note, state == JobState.RUNNING ? media : null);
    }
}

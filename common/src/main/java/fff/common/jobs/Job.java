package fff.common.jobs;

/**
 * Immutable view of one job for the console, the web UI and tests.
 *
 * @param id           job id, unique for the life of the journal
 * @param spec         what the job does
 * @param state        where it is
 * @param blocked      queued but not startable now: its destination is offline or it waits for a retry
 * @param attempts     attempts that counted against the retry limit
 * @param lastError    why the last attempt failed, or null
 * @param retryAtMillis not before this time (0: now)
 * @param bytesDone    bytes known to be at the destination
 * @param bytesSent    payload bytes that crossed the link, over all attempts (when done)
 * @param createdMillis when the job was made
 * @param startedMillis when its latest attempt started (0: never)
 * @param endedMillis  when it ended (0: not yet)
 * @param note         how it ended, for people: "already present", "resumed at N", what happened to the source
 * @param media        a running transcode's ffmpeg progress, or null
 */
public record Job(long id, JobSpec spec, JobState state, boolean blocked, int attempts, String lastError,
        long retryAtMillis, long bytesDone, long bytesSent, long createdMillis, long startedMillis,
        long endedMillis, String note, MediaProgress media) {

    /** A job without transcode progress. */
    public Job(long id, JobSpec spec, JobState state, boolean blocked, int attempts, String lastError,
            long retryAtMillis, long bytesDone, long bytesSent, long createdMillis, long startedMillis,
            long endedMillis, String note) {
        this(id, spec, state, blocked, attempts, lastError, retryAtMillis, bytesDone, bytesSent, createdMillis,
                startedMillis, endedMillis, note, null);
    }
}

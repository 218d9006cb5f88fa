package fff.common.jobs;

/**
 * Why an attempt failed.
 *
 * @param reason          coded reason, e.g. IO_ERROR, HASH_MISMATCH, BUSY, OFFLINE
 * @param message         for people
 * @param retryable       whether trying again can help
 * @param counts          whether the attempt counts against the retry limit (a busy or offline peer does not)
 * @param retryAfterMillis wait at least this long before the next attempt (0: the policy's backoff)
 */
public record Failure(String reason, String message, boolean retryable, boolean counts, long retryAfterMillis) {

    public static Failure of(String reason, String message, boolean retryable) {
        return new Failure(reason, message, retryable, true, 0);
    }
}

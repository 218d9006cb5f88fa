package fff.common.config;

import java.time.Duration;

/**
 * The {@code jobs:} section: how failed jobs are retried and how long finished ones are remembered. A failed
 * attempt is retried after {@code backoff}, doubling (with jitter) up to {@code backoffMax}, until
 * {@code attempts} attempts have failed; then the job stays {@code FAILED} and is shown until retried by hand.
 *
 * @param attempts        key {@code attempts}: attempts per job before it stays failed, at least 1. Default
 *                        {@link #DEFAULT_ATTEMPTS} (10)
 * @param backoff         key {@code backoff}: delay before the first retry, longer than 0. Default (when null)
 *                        {@link #DEFAULT_BACKOFF} (1s)
 * @param backoffMax      key {@code backoff-max}: the longest delay between retries, at least {@code backoff}.
 *                        Default (when null) {@link #DEFAULT_BACKOFF_MAX} (5m), or {@code backoff} if longer
 * @param history         key {@code history}: how long finished jobs stay in the journal and the history
 *                        view; 0 keeps none. Default (when null) {@link #DEFAULT_HISTORY} (30d)
 * @param checkpointEvery key {@code checkpoint-every}: journal events between two snapshots of the job
 *                        table, so that a start replays at most this many; at least 1. Default
 *                        {@link #DEFAULT_CHECKPOINT_EVERY} (100000)
 */
public record JobsSection(int attempts, Duration backoff, Duration backoffMax, Duration history, int checkpointEvery) {

    public static final int DEFAULT_ATTEMPTS = 10;
    public static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(1);
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofMinutes(5);
    public static final Duration DEFAULT_HISTORY = Duration.ofDays(30);
    public static final int DEFAULT_CHECKPOINT_EVERY = 100_000;

    public JobsSection {
        if (attempts < 1) {
            throw new IllegalArgumentException("jobs.attempts: '" + attempts + "' must be at least 1");
        }
        backoff = backoff == null ? DEFAULT_BACKOFF : backoff;
        if (backoff.isNegative() || backoff.isZero()) {
            throw new IllegalArgumentException("jobs.backoff: '" + shown(backoff) + "' must be longer than 0");
        }
        if (backoffMax == null) {
            backoffMax = backoff.compareTo(DEFAULT_BACKOFF_MAX) > 0 ? backoff : DEFAULT_BACKOFF_MAX;
        }
        if (backoffMax.compareTo(backoff) < 0) {
            throw new IllegalArgumentException("jobs.backoff-max: '" + shown(backoffMax)
                    + "' is shorter than jobs.backoff '" + shown(backoff) + "'");
        }
        history = history == null ? DEFAULT_HISTORY : history;
        if (history.isNegative()) {
            throw new IllegalArgumentException("jobs.history: '" + shown(history) + "' must not be negative");
        }
        if (checkpointEvery < 1) {
            throw new IllegalArgumentException(
                    "jobs.checkpoint-every: '" + checkpointEvery + "' must be at least 1");
        }
    }

    /** All defaults. */
    public static JobsSection defaults() {
        return new JobsSection(DEFAULT_ATTEMPTS, null, null, null, DEFAULT_CHECKPOINT_EVERY);
    }

    private static String shown(Duration d) {
        return d.isNegative() ? "-" + Durations.format(d.negated()) : Durations.format(d);
    }
}

package fff.common.jobs;

import java.time.Duration;

/**
 * How failed attempts are retried: up to {@code attempts} attempts that count, waiting {@code backoff} after
 * the first failure and doubling up to {@code backoffMax}, each delay times a jitter in [0.5, 1.5).
 */
public record RetryPolicy(int attempts, Duration backoff, Duration backoffMax) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(10, Duration.ofSeconds(1), Duration.ofMinutes(5));

    public RetryPolicy {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts " + attempts + " must be >= 1");
        }
        if (backoff.isNegative() || backoffMax.compareTo(backoff) < 0) {
            throw new IllegalArgumentException("backoff " + backoff + " must be >= 0 and <= backoff-max " + backoffMax);
        }
    }

    /** Delay before the attempt after {@code failures} failures (>= 1); {@code jitter} in [0, 1). */
    public long delayMillis(int failures, double jitter) {
        long base = backoff.toMillis();
        for (int i = 1; i < failures && base < backoffMax.toMillis(); i++) {
            base *= 2;
        }
        base = Math.min(base, backoffMax.toMillis());
        return (long) (base * (0.5 + jitter));
    }
}

package fff.common.config;

import java.time.Duration;

/**
 * The {@code receive.convert:} section: conversions this node runs for senders that ask for the result back
 * ("convert and return", capability {@code return}). Sources are spooled and results kept under
 * {@code node.home}/convert.
 *
 * @param limit    key {@code limit}: conversions at once, at least 1; the rest wait their turn. Default (when
 *                 0) {@link #defaultLimit()}: half the cores, at least 1
 * @param storeMax key {@code store-max}: bytes of results kept for repeated requests; the least recently used
 *                 go first. A {@link ByteSize}; default {@link #DEFAULT_STORE_MAX} (10 GiB); 0 keeps none
 * @param storeAge key {@code store-age}: results unused this long are removed. A {@link Durations} text,
 *                 longer than 0; default (when null) {@link #DEFAULT_STORE_AGE} (7d)
 */
public record ConvertSection(int limit, long storeMax, Duration storeAge) {

    public static final long DEFAULT_STORE_MAX = 10L << 30;
    public static final Duration DEFAULT_STORE_AGE = Duration.ofDays(7);

    public ConvertSection {
        if (limit == 0) {
            limit = defaultLimit();
        } else if (limit < 0) {
            throw new IllegalArgumentException("receive.convert.limit: '" + limit + "' must be at least 1");
        }
        if (storeMax < 0) {
            throw new IllegalArgumentException("receive.convert.store-max: '" + storeMax + "' is negative");
        }
        if (storeAge == null) {
            storeAge = DEFAULT_STORE_AGE;
        } else if (storeAge.isNegative() || storeAge.isZero()) {
            String shown = storeAge.isZero() ? "0" : "-" + Durations.format(storeAge.negated());
            throw new IllegalArgumentException("receive.convert.store-age: '" + shown
                    + "' must be longer than 0, or results would be removed as they are made");
        }
    }

    /** All defaults. */
    public static ConvertSection defaults() {
        return new ConvertSection(0, DEFAULT_STORE_MAX, null);
    }

    /** Half the cores, at least one: each ffmpeg runs several threads of its own. */
    public static int defaultLimit() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }
}

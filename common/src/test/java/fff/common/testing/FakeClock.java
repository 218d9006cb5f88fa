package fff.common.testing;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

/**
 * A clock that stands still until a test moves it, to the nanosecond. {@link #nanoTime()} is the same time as a
 * monotonic nano clock, for code that takes both a wall clock and a {@code System::nanoTime}.
 */
public final class FakeClock extends Clock {

    private static final long NANOS_PER_MILLI = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

    private final ZoneId zone;
    /** Nanoseconds since the epoch. */
    private volatile long nanos;

    public FakeClock(long millis) {
        this(millis, ZoneOffset.UTC);
    }

    /** At {@code millis} since the epoch, read in {@code zone}. */
    public FakeClock(long millis, ZoneId zone) {
        this.nanos = Math.multiplyExact(millis, NANOS_PER_MILLI);
        this.zone = zone;
    }

    /** At {@code at}, read in {@code zone}. */
    public FakeClock(Instant at, ZoneId zone) {
        this.nanos = Math.addExact(Math.multiplyExact(at.getEpochSecond(), NANOS_PER_SECOND), at.getNano());
        this.zone = zone;
    }

    public void advance(long ms) {
        nanos += ms * NANOS_PER_MILLI;
    }

    public void advanceNanos(long n) {
        nanos += n;
    }

    public void set(long ms) {
        nanos = ms * NANOS_PER_MILLI;
    }

    /** The time as nanoseconds since the epoch: use {@code clock::nanoTime} where code wants System::nanoTime. */
    public long nanoTime() {
        return nanos;
    }

    @Override
    public long millis() {
        return Math.floorDiv(nanos, NANOS_PER_MILLI);
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        long n = nanos;
        return Instant.ofEpochSecond(Math.floorDiv(n, NANOS_PER_SECOND), Math.floorMod(n, NANOS_PER_SECOND));
    }
}

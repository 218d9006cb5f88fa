package fff.common.rate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.testing.FakeClock;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The token bucket under a {@link FakeClock} that is both its wall and its nano clock. Simulated connections
 * send chunks as fast as the limiter lets them (and a 10 Gbit/s link would), waiting as long as it says.
 */
class RateLimiterTest {

    private static final ZoneId ZONE = ZoneOffset.ofHours(2);
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long MIB = 1 << 20;
    private static final double LINK_BYTES_PER_NANO = 10e9 / 8 / SECOND;

    /** Monday 2024-01-01 at the given time in {@link #ZONE}. */
    private static FakeClock clockAt(int hour, int minute, int second) {
        return new FakeClock(ZonedDateTime.of(2024, 1, 1, hour, minute, second, 0, ZONE).toInstant(), ZONE);
    }

    private static RateLimiter limiter(FakeClock clock, RateLimiter parent, String... lines) {
        return new RateLimiter(RateSchedule.parse("rate", List.of(lines), true), parent, clock, clock::nanoTime);
    }

    /**
     * One simulated connection: its limiter, the next time it acts, whether it then sends a chunk it reserved,
     * what it sent in the measured span.
     */
    private static final class Conn {
        final RateLimiter limiter;
        final long chunk;
        long nextTry;
        boolean reserved;
        long measured;

        Conn(RateLimiter limiter, long chunk) {
            this.limiter = limiter;
            this.chunk = chunk;
        }
    }

    /**
     * Runs {@code conns} from now for {@code nanos}: each reserves a chunk, waits as told, sends it (counted into
     * {@link Conn#measured} from {@code measureFrom} nanos on), takes the link's time, and reserves the next.
     * Advances the clock to the end.
     */
    private static void run(FakeClock clock, long nanos, long measureFrom, Conn... conns) {
        long start = clock.nanoTime();
        long end = start + nanos;
        for (Conn c : conns) {
            c.nextTry = Math.max(c.nextTry, start);
        }
        while (true) {
            Conn next = conns[0];
            for (Conn c : conns) {
                if (c.nextTry < next.nextTry) {
                    next = c;
                }
            }
            if (next.nextTry >= end) {
                break;
            }
            clock.advanceNanos(next.nextTry - clock.nanoTime());
            if (!next.reserved) {
                long wait = next.limiter.reserve(next.chunk);
                assertTrue(wait >= 0);
                next.reserved = true;
                if (wait > 0) {
                    next.nextTry += wait;
                    continue;
                }
            }
            next.reserved = false;
            if (clock.nanoTime() - start >= measureFrom) {
                next.measured += next.chunk;
            }
            next.nextTry += (long) Math.ceil(next.chunk / LINK_BYTES_PER_NANO);
        }
        clock.advanceNanos(end - clock.nanoTime());
    }

    private static void assertRate(double expectedBitsPerSecond, long bytes, long nanos, double tolerance) {
        double got = bytes * 8.0 * SECOND / nanos;
        assertTrue(Math.abs(got - expectedBitsPerSecond) <= tolerance * expectedBitsPerSecond,
                "expected " + expectedBitsPerSecond + " bit/s within " + tolerance * 100 + " %, got " + got);
    }

    @ParameterizedTest
    @CsvSource({"100M, 1048576", "50M, 262144", "10M, 65536", "1G, 1048576", "1M, 16384"})
    void theAverageOverTenSecondsIsWithinOnePercent(String rate, long chunk) {
        FakeClock clock = clockAt(12, 0, 0);
        Conn c = new Conn(limiter(clock, null, rate), chunk);
        run(clock, 11 * SECOND, SECOND, c);
        assertRate(Rate.parse("k", rate).bitsPerSecond(), c.measured, 10 * SECOND, 0.01);
    }

    @Test
    void aChunkLargerThanTheBucketGoesAndTheNextWaitsForIt() {
        FakeClock clock = clockAt(12, 0, 0);
        RateLimiter l = limiter(clock, null, "8M"); // 1 MB/s: a byte a microsecond, bucket 64 KiB
        assertEquals(0, l.reserve(MIB), "goes at once and leaves the bucket owing");
        long second = l.reserve(MIB);
        assertEquals((MIB - RateLimiter.MIN_BURST_BYTES) * 1000, second, 1000, "goes once that is paid");
        long third = l.reserve(MIB);
        assertEquals(second + MIB * 1000, third, 1000, "and the next after the second's MiB");
        clock.advanceNanos(third);
        assertEquals(MIB * 1000, l.reserve(1), 1000, "when the third goes, only its MiB is owed");
    }

    @Test
    void anIdleSpellBanksNoMoreThanTheBurst() {
        FakeClock clock = clockAt(12, 0, 0);
        RateLimiter l = limiter(clock, null, "100M");
        clock.advanceNanos(60 * SECOND);
        Conn c = new Conn(l, MIB);
        run(clock, SECOND, 0, c);
        long burst = RateLimiter.burstBytes(new Rate(100_000_000));
        assertEquals(250_000, burst, "20 ms at 12.5 MB/s");
        assertTrue(c.measured <= 12_500_000 + burst + MIB, "one second after a minute idle: " + c.measured);
        assertTrue(c.measured >= 12_500_000 - MIB, String.valueOf(c.measured));
    }

    @Test
    void twoConnectionsSharingOneLimiterGetTheRateTogether() {
        FakeClock clock = clockAt(12, 0, 0);
        RateLimiter l = limiter(clock, null, "100M");
        Conn a = new Conn(l, MIB);
        Conn b = new Conn(l, MIB);
        run(clock, 11 * SECOND, SECOND, a, b);
        assertRate(100e6, a.measured + b.measured, 10 * SECOND, 0.01);
        // first come, first served: the one that always asks first does not starve the other
        assertEquals(0.5, (double) a.measured / (a.measured + b.measured), 0.02,
                "shares: " + a.measured + " and " + b.measured);
    }

    @Test
    void aSendNeedsPermissionFromTheNodeToo() {
        FakeClock clock = clockAt(12, 0, 0);
        RateLimiter node = limiter(clock, null, "100M");
        RateLimiter siteB = limiter(clock, node, "200M");
        RateLimiter usb = limiter(clock, node, "unlimited");
        Conn b = new Conn(siteB, MIB);
        Conn u = new Conn(usb, MIB);
        run(clock, 11 * SECOND, SECOND, b, u);
        assertRate(100e6, b.measured + u.measured, 10 * SECOND, 0.01);

        RateLimiter slow = limiter(clock, node, "30M");
        Conn s = new Conn(slow, 256 * 1024);
        run(clock, 11 * SECOND, SECOND, s);
        assertRate(30e6, s.measured, 10 * SECOND, 0.01);
    }

    @Test
    void theRateChangesAtTheScheduleBoundaryCrossedMidway() {
        FakeClock clock = clockAt(17, 59, 55);
        RateLimiter l = limiter(clock, null, "18:00-19:00 Mon 200M", "otherwise 100M");
        Conn c = new Conn(l, MIB);
        run(clock, 5 * SECOND, 0, c);
        long before = c.measured;
        assertEquals(new Rate(200_000_000), l.rate(), "18:00 now");
        c.measured = 0;
        run(clock, 5 * SECOND, 0, c);
        assertRate(100e6, before, 5 * SECOND, 0.02);
        assertRate(200e6, c.measured, 5 * SECOND, 0.02);
    }

    @Test
    void aWaitEndsExactlyAtTheBoundaryWhereTheLimitEnds() {
        FakeClock clock = clockAt(17, 59, 59);
        clock.advance(900);
        RateLimiter l = limiter(clock, null, "08:00-18:00 Mon-Fri 8M", "otherwise unlimited");
        assertEquals(new Rate(8_000_000), l.rate());
        assertEquals(0, l.reserve(MIB));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(100), l.reserve(MIB), "not the second it would take at 1 MB/s");
        clock.advance(100);
        assertEquals(0, l.reserve(MIB));
        assertEquals(0, l.reserve(100 * MIB));
        assertEquals(Rate.UNLIMITED, l.rate());
    }

    @Test
    void aRunTimeChangeTakesEffectAndTellsTheWaiters() {
        FakeClock clock = clockAt(12, 0, 0);
        RateLimiter node = limiter(clock, null, "unlimited");
        RateLimiter l = limiter(clock, node, "100M");
        AtomicInteger told = new AtomicInteger();
        Runnable listener = told::incrementAndGet;
        l.addListener(listener);
        Conn c = new Conn(l, MIB);
        run(clock, 6 * SECOND, SECOND, c);
        assertRate(100e6, c.measured, 5 * SECOND, 0.02);

        l.setSchedule(RateSchedule.constant(new Rate(200_000_000)));
        assertEquals(1, told.get());
        assertEquals(new Rate(200_000_000), l.rate());
        c.measured = 0;
        run(clock, 5 * SECOND, 0, c);
        assertRate(200e6, c.measured, 5 * SECOND, 0.02);

        node.setSchedule(RateSchedule.constant(new Rate(20_000_000)));
        assertEquals(2, told.get(), "a change at the node reaches the destination's listeners");
        c.measured = 0;
        run(clock, 6 * SECOND, SECOND, c);
        assertRate(20e6, c.measured, 5 * SECOND, 0.02);

        l.removeListener(listener);
        node.setSchedule(RateSchedule.UNLIMITED);
        l.setSchedule(RateSchedule.UNLIMITED);
        assertEquals(2, told.get());
        clock.advance(1000);
        assertEquals(0, l.reserve(1L << 40));
        assertEquals(0, l.reserve(1L << 40));
    }

    @Test
    void aRefundGivesBackWhatWasNotSentUpToTheBurst() {
        FakeClock clock = clockAt(12, 0, 0);
        RateLimiter node = limiter(clock, null, "8M");
        RateLimiter l = limiter(clock, node, "8M");
        assertEquals(0, l.reserve(MIB));
        l.refund(MIB);
        assertEquals(0, l.reserve(MIB), "out of debt again, here and at the node");
        assertTrue(l.reserve(1) > 0);
        l.refund(100 * MIB);
        assertEquals(0, l.reserve(MIB));
        assertTrue(l.reserve(1) > 0, "a refund never fills the bucket past its burst");
    }

    @Test
    void acquireWaitsUntilAllowedStoppedOrChanged() throws Exception {
        FakeClock clock = clockAt(12, 0, 0);
        RateLimiter l = limiter(clock, null, "8M");
        assertTrue(l.acquire(MIB, () -> false));
        AtomicInteger asked = new AtomicInteger();
        assertFalse(l.acquire(MIB, () -> asked.incrementAndGet() > 2), "the fake clock never pays the debt");
        assertEquals(3, asked.get());
        assertEquals((MIB - RateLimiter.MIN_BURST_BYTES) * 1000, l.reserve(0), 1000, "the stopped MiB was refunded");

        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> l.acquire(MIB, () -> false));
        Thread.sleep(150);
        assertFalse(waiting.isDone());
        l.setSchedule(RateSchedule.UNLIMITED);
        assertTrue(waiting.get(5, TimeUnit.SECONDS), "a run-time change ends the wait");
        assertTrue(RateLimiter.unlimited().acquire(1L << 40, () -> true));
    }
}

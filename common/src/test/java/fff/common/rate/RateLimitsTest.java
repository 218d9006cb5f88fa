package fff.common.rate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.jobs.JobControl;
import fff.common.testing.FakeClock;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** A node's limits: statuses, run-time changes through the store, resets, and restoring kept changes. */
class RateLimitsTest {

    private static final ZoneId ZONE = ZoneOffset.ofHours(2);
    private static final List<String> HOURS = List.of("08:00-18:00 Mon-Fri 200M", "otherwise unlimited");

    /** Monday 2024-01-01 10:00 in {@link #ZONE}. */
    private final FakeClock clock = new FakeClock(ZonedDateTime.of(2024, 1, 1, 10, 0, 0, 0, ZONE).toInstant(), ZONE);
    private final List<String> kept = new ArrayList<>();
    private boolean storeFails;
    private final RateLimits.Store store = (scope, lines, apply) -> {
        if (storeFails) {
            return CompletableFuture.failedFuture(new IllegalStateException("journal closed"));
        }
        kept.add(scope + "=" + lines);
        apply.run();
        return CompletableFuture.completedFuture(null);
    };

    private RateLimits limits() {
        Map<String, RateSchedule> destinations = new LinkedHashMap<>();
        destinations.put("siteB", RateSchedule.parse("k", HOURS, true));
        destinations.put("usb", RateSchedule.UNLIMITED);
        return new RateLimits(RateSchedule.constant(new Rate(1_000_000_000)), destinations, store, clock,
                clock::nanoTime);
    }

    @Test
    void statusesShowTheRateNowAndTheNextChange() {
        RateControl.Rates r = limits().rates();
        assertEquals(new RateStatus(null, List.of("1G"), 1_000_000_000, null, null, false, List.of("1G")), r.node());
        long six = ZonedDateTime.of(2024, 1, 1, 18, 0, 0, 0, ZONE).toInstant().toEpochMilli();
        assertEquals(List.of(
                new RateStatus("siteB", HOURS, 200_000_000, six, 0L, false, HOURS),
                new RateStatus("usb", List.of("unlimited"), 0, null, null, false, List.of("unlimited"))),
                r.destinations());
    }

    @Test
    void aChangeIsKeptThenAppliedAndAResetGoesBackToTheConfig() {
        RateLimits l = limits();
        RateLimiter siteB = l.limiter("siteB");
        RateStatus s = l.set("siteB", RateSchedule.constant(new Rate(50_000_000))).join();
        assertEquals(List.of("siteB=[50M]"), kept);
        assertEquals(new RateStatus("siteB", List.of("50M"), 50_000_000, null, null, true, HOURS), s);
        assertEquals(new Rate(50_000_000), siteB.rate());
        assertSame(siteB, l.limiter("siteB"), "the same limiter, which the connections hold");

        l.set(null, RateSchedule.constant(new Rate(10_000_000))).join();
        assertEquals(new Rate(10_000_000), l.limiter(null).rate());
        assertTrue(l.status(null).changedAtRunTime());

        RateStatus back = l.reset("siteB").join();
        assertEquals(List.of("siteB=[50M]", "=[10M]", "siteB=null"), kept);
        assertEquals(HOURS, back.schedule());
        assertFalse(back.changedAtRunTime());
        assertEquals(new Rate(200_000_000), siteB.rate());
    }

    @Test
    void nothingChangesWhenTheStoreFails() {
        RateLimits l = limits();
        storeFails = true;
        CompletionException e = assertThrows(CompletionException.class,
                () -> l.set("usb", RateSchedule.constant(new Rate(1_000_000))).join());
        assertEquals("journal closed", e.getCause().getMessage());
        assertEquals(Rate.UNLIMITED, l.limiter("usb").rate());
        assertFalse(l.status("usb").changedAtRunTime());
    }

    @Test
    void unknownDestinationsAreNotFound() {
        RateLimits l = limits();
        JobControl.NotFoundException e = assertThrows(JobControl.NotFoundException.class,
                () -> l.set("siteC", RateSchedule.UNLIMITED));
        assertEquals("no destination 'siteC' (destinations: siteB, usb)", e.getMessage());
        assertThrows(JobControl.NotFoundException.class, () -> l.status("siteC"));
        assertEquals(List.of(), kept);
    }

    @Test
    void restoringAKeptChangeNeedsNoStore() {
        RateLimits l = limits();
        l.restore("siteB", List.of("Sat,Sun 1G", "otherwise 20M"));
        l.restore("", List.of("500M"));
        assertEquals(List.of(), kept);
        assertEquals(new Rate(20_000_000), l.limiter("siteB").rate());
        assertTrue(l.status("siteB").changedAtRunTime());
        assertEquals(new Rate(500_000_000), l.limiter(null).rate());
        IllegalArgumentException gone = assertThrows(IllegalArgumentException.class,
                () -> l.restore("siteC", List.of("1G")));
        assertEquals("destination 'siteC' is no longer in the config", gone.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> l.restore("usb", List.of("1Gb")));
        assertEquals("rate[0]: '1Gb' is ambiguous: write 1Gbit/s for bits or 1GB/s for bytes per second",
                bad.getMessage());
        assertNull(l.status("usb").nextChangeMillis());
    }
}

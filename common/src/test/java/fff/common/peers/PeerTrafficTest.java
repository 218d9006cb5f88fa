package fff.common.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link PeerTraffic}'s counters, smoothed round-trip time and rate window under a fake nanosecond clock. */
class PeerTrafficTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private long now = 1_000 * SECOND;
    private final PeerTraffic traffic = new PeerTraffic(() -> now);

    @Test
    void roundTripTimeIsTheMeanOfTheFirstSamplesThenSmoothedLikeTcp() {
        assertNull(traffic.rttMillis());
        traffic.rtt(30_000_000); // a cold first sample
        assertEquals(30.0, traffic.rttMillis());
        traffic.rtt(10_000_000);
        assertEquals(20.0, traffic.rttMillis(), "the mean of two");
        traffic.rtt(11_000_000);
        traffic.rtt(9_000_000);
        assertEquals(15.0, traffic.rttMillis(), "the mean of four");
        for (int i = 0; i < 60; i++) {
            traffic.rtt(10_000_000);
        }
        assertEquals(10.0, traffic.rttMillis(), 0.01);
        double settled = traffic.rttMillis();
        traffic.rtt(90_000_000);
        assertEquals(settled + (90 - settled) / 8, traffic.rttMillis(), 1e-6, "an eighth of the way once warm");
        traffic.rtt(0);
        traffic.rtt(-5);
        assertEquals(settled + (90 - settled) / 8, traffic.rttMillis(), 1e-6,
                "no sample from a clock that went backwards");
    }

    @Test
    void rateCoversTheLastFewSecondsWhenReadOften() {
        for (int s = 1; s <= 10; s++) {
            now += SECOND;
            traffic.sent(s <= 5 ? 1000 : 0); // 1000 B/s for five seconds, then nothing
            traffic.rateBytesPerSecond();
        }
        assertEquals(0.0, traffic.rateBytesPerSecond(), "idle for the last five seconds");
        for (int s = 1; s <= 3; s++) {
            now += SECOND;
            traffic.received(4000);
            traffic.rateBytesPerSecond();
        }
        // the base is the newest sample at least 5 s old: 5 s back, 12 000 bytes since
        assertEquals(12_000 / 5.0, traffic.rateBytesPerSecond(), 1e-9);
        now += SECOND / 2;
        assertEquals(12_000 / 5.5, traffic.rateBytesPerSecond(), 1e-9, "reads within a second share a sample");
    }

    @Test
    void rateSpansTheGapWhenReadsAreFarApart() {
        assertEquals(0.0, traffic.rateBytesPerSecond(), "no time has passed");
        now += 60 * SECOND;
        traffic.sent(600_000);
        assertEquals(10_000.0, traffic.rateBytesPerSecond(), 1e-9, "since creation at the first read");
        now += 30 * SECOND;
        traffic.sent(30_000);
        assertEquals(1_000.0, traffic.rateBytesPerSecond(), 1e-9, "since the previous read");
    }

    @Test
    void statusCarriesTheCountersAndHidesWhyWhileOnline() {
        traffic.sent(100);
        traffic.received(7);
        traffic.resumed();
        traffic.creditStall();
        traffic.creditStall();
        traffic.rtt(2_500_000);
        PeerStatus up = traffic.status("siteB", PeerStatus.OUT, "10.0.0.2:7700", true, "stale reason", 2);
        assertEquals(new PeerStatus("siteB", "out", "10.0.0.2:7700", true, null, 2.5, 2, 100, 7, 0.0, 1, 2, Map.of()), up);
        PeerStatus down = traffic.status("siteB", PeerStatus.OUT, "10.0.0.2:7700", false, "connection refused", 0);
        assertEquals("connection refused", down.why());
        assertThrows(IllegalArgumentException.class,
                () -> traffic.status("x", "sideways", "h:1", true, null, 0));
    }
}

package fff.common.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class RateWindowTest {

    static final long S = 1_000_000_000L;

    @Test
    void coversTheWindowFromTheLastSampleAtOrBeforeItsStart() {
        RateWindow w = new RateWindow(5 * S);
        assertNull(w.rate());
        assertEquals(0, w.rate(3 * S, 100));
        for (int s = 0; s <= 8; s++) {
            w.add(s * S, s <= 4 ? 100L * s : 400 + 300L * (s - 4)); // 100 B/s, then 300 B/s from 4 s
        }
        // the window starts at 3 s: from 300 bytes then to 1,600 at 8 s
        assertEquals(260.0, w.rate(), 1e-9);
        assertEquals((1900 - 300) / 6.0, w.rate(9 * S, 1900), 1e-9);
        assertEquals(8 * S, w.lastNanos());
    }

    @Test
    void samplesFurtherApartThanTheWindowGiveTheRateSinceThePrevious() {
        RateWindow w = new RateWindow(5 * S);
        w.add(0, 0);
        w.add(60 * S, 6000);
        w.add(70 * S, 7000);
        assertEquals(100.0, w.rate(), 1e-9);
    }

    @Test
    void aTotalThatDropsStartsAfresh() {
        RateWindow w = new RateWindow(5 * S);
        w.add(0, 500);
        w.add(S, 20);
        assertNull(w.rate(), "one sample of the new run");
        w.add(2 * S, 70);
        assertEquals(50.0, w.rate(), 1e-9);
    }
}

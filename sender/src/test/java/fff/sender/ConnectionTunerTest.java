package fff.sender;

import static org.junit.jupiter.api.Assertions.assertEquals;

import fff.sender.ConnectionTuner.PeriodSample;
import org.junit.jupiter.api.Test;

/** {@code connections: auto}: one more connection while throughput grows with it, never more than needed. */
class ConnectionTunerTest {

    private static final long SECOND = 1_000_000_000L;

    /** Feeds periods of one second at the given payload rates (bytes/s), all connections up; returns the limits. */
    private static int[] run(ConnectionTuner t, long... rates) {
        int[] limits = new int[rates.length];
        long sent = 0;
        t.tick(new PeriodSample(0, 0, true, t.limit()));
        for (int i = 0; i < rates.length; i++) {
            sent += rates[i];
            limits[i] = t.tick(new PeriodSample((i + 1) * SECOND, sent, true, t.limit()));
        }
        return limits;
    }

    @Test
    void growsWhileEachConnectionAddsAtLeastTenPercentAndStopsAtTheFirstThatDoesNot() {
        ConnectionTuner t = new ConnectionTuner();
        assertEquals(ConnectionTuner.START, t.limit());
        // 2 connections: 40 MB/s; 3: 55; 4: 70; 5: 72 (less than 10 % more): stays at 5, never 6
        int[] limits = run(t, 40_000_000, 55_000_000, 70_000_000, 72_000_000, 90_000_000);
        assertEquals(3, limits[0], "the first full period is the baseline: one more to try");
        assertEquals(4, limits[1]);
        assertEquals(5, limits[2]);
        assertEquals(5, limits[3], "the fifth did not pay: growth stops");
        assertEquals(5, limits[4], "settled until the link goes idle");
    }

    @Test
    void aShortLinkKeepsTheStartingTwoPlusTheOneThatDidNotHelp() {
        ConnectionTuner t = new ConnectionTuner();
        int[] limits = run(t, 100_000_000, 101_000_000, 100_000_000);
        assertEquals(3, limits[0]);
        assertEquals(3, limits[1], "a third connection added 1 %: stop");
        assertEquals(3, limits[2]);
    }

    @Test
    void noJudgementWhileANewConnectionIsStillOpeningAndProbingStartsOverAfterIdle() {
        ConnectionTuner t = new ConnectionTuner();
        t.tick(new PeriodSample(0, 0, true, 2));
        assertEquals(3, t.tick(new PeriodSample(SECOND, 10_000_000, true, 2)));
        assertEquals(3, t.tick(new PeriodSample(2 * SECOND, 20_000_000, true, 2)), "only 2 of 3 up: no verdict");
        assertEquals(3, t.tick(new PeriodSample(3 * SECOND, 30_000_000, true, 3)), "no gain: settled");
        assertEquals(3, t.tick(new PeriodSample(4 * SECOND, 90_000_000, true, 3)), "settled while busy");
        assertEquals(3, t.tick(new PeriodSample(5 * SECOND, 90_000_000, false, 3)), "idle: probing starts over");
        assertEquals(4, t.tick(new PeriodSample(6 * SECOND, 100_000_000, true, 3)), "a new baseline, one more to try");
    }

    @Test
    void neverMoreThanTheMaximum() {
        ConnectionTuner t = new ConnectionTuner();
        long[] doubling = new long[20];
        for (int i = 0; i < doubling.length; i++) {
            doubling[i] = 1_000_000L << i;
        }
        int[] limits = run(t, doubling);
        assertEquals(ConnectionTuner.MAX, limits[limits.length - 1]);
    }
}

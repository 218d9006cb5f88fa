package fff.sender;

/**
 * {@code connections: auto}: how many connections to a peer to keep open, grown one at a time while throughput
 * grows with them. On a long, lossy link one TCP stream carries a fraction of the link and a few carry most of it;
 * on a short link a second stream adds nothing. So: start with {@link #START}; each period (a couple of seconds)
 * with work waiting or running and every connection up, compare the payload rate with the rate before the last
 * connection was added; open one more while it rose by at least {@link #GAIN}, and stop growing at the first step
 * that did not (or at {@link #MAX}). Idle time starts the probing over (the next batch may meet another link), but
 * connections already open stay.
 *
 * <p>Not thread-safe: the owning client calls it under its lock.
 */
final class ConnectionTuner {

    static final int START = 2;
    static final int MAX = 16;
    /** A step counts when the rate rose by this factor. */
    static final double GAIN = 1.10;
    /** How many parts an auto client splits a large file into: parts wait for connections as they open. */
    static final int PARTS = 8;

    /** One look at the link: when, payload bytes sent so far, whether there is work, connections up now. */
    record PeriodSample(long nanos, long sentBytes, boolean busy, int open) { }

    private int limit = START;
    private double baseline = -1;
    private boolean settled;
    private long lastNanos = -1;
    private long lastBytes;

    int limit() {
        return limit;
    }

    /** Takes one sample (every couple of seconds) and returns the connections to keep open from now on. */
    int tick(PeriodSample s) {
        long dt = s.nanos() - lastNanos;
        double rate = lastNanos < 0 || dt <= 0 ? -1 : (s.sentBytes() - lastBytes) * 1e9 / dt;
        lastNanos = s.nanos();
        lastBytes = s.sentBytes();
        if (!s.busy()) {
            baseline = -1;
            settled = false;
            return limit;
        }
        if (rate < 0 || s.open() < limit || settled || limit >= MAX) {
            return limit; // no full period yet, a new connection still opening, or done growing
        }
        if (baseline < 0 || rate >= baseline * GAIN) {
            baseline = rate;
            limit++;
        } else {
            settled = true;
        }
        return limit;
    }

    /** For the log: the rate the last step was judged by, bytes per second; negative before any. */
    double baseline() {
        return baseline;
    }
}

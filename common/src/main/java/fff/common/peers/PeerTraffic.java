package fff.common.peers;

import fff.common.metrics.RateWindow;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * What crossed the link with one peer since this node started, over all its connections: payload bytes each
 * way, resumes, credit stalls, and a smoothed round-trip time.
 *
 * <p>Threading: the recording methods run on event loops (several, one per connection) and cost an add to a
 * {@link LongAdder} or a volatile write. The smoothed RTT is a plain read-modify-write of a volatile: two
 * connections measuring at the same instant may lose one sample, which a smoothed value does not miss. The
 * readers ({@link #status}, {@link #rateBytesPerSecond}) run on web worker threads; only the rate keeps state,
 * guarded by {@code this}, which the loops never take.
 */
public final class PeerTraffic {

    /** The rate covers at least this much of the recent past, once the traffic is that old. */
    static final long RATE_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** Reads closer together than this share a sample. */
    private static final long SAMPLE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final AtomicBoolean bufferCheck = new AtomicBoolean();
    private final LongSupplier nanoClock;
    private final LongAdder sent = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder resumes = new LongAdder();
    private final LongAdder creditStalls = new LongAdder();
    /** Gain of the smoothed RTT once warmed up (TCP's SRTT). */
    private static final int RTT_GAIN_DIVISOR = 8;

    /** Smoothed RTT; -1 until the first sample. */
    private volatile long rttNanos = -1;
    /** Samples taken, up to {@link #RTT_GAIN_DIVISOR}. */
    private volatile int rttSamples;
    /** Byte totals seen by readers; guarded by {@code this}. */
    private final RateWindow rate = new RateWindow(RATE_WINDOW_NANOS);

    public PeerTraffic() {
        this(System::nanoTime);
    }

    /** Traffic timed by {@code nanoClock} (System::nanoTime, or a test's). */
    public PeerTraffic(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        rate.add(nanoClock.getAsLong(), 0);
    }

    /** {@code n} payload bytes went out to the peer. */
    public void sent(long n) {
        sent.add(n);
    }

    /** {@code n} payload bytes came in from the peer. */
    public void received(long n) {
        received.add(n);
    }

    /** A file continued from an offset &gt; 0. */
    public void resumed() {
        resumes.increment();
    }

    /** A stream, or the connection, ran out of credit with data left to send. */
    public void creditStall() {
        creditStalls.increment();
    }

    /**
     * One round-trip sample (a Pong's arrival minus its Ping's stamp); ignored unless positive. The mean of the
     * first eight, then TCP's smoothing (gain 1/8): the first sample, taken as a connection opens, is often slow
     * (cold code on both ends) and must not weigh for minutes.
     */
    /** True once, for the first caller: who checks the socket buffers against the round-trip time. */
    public boolean firstBufferCheck() {
        return bufferCheck.compareAndSet(false, true);
    }

    public void rtt(long sampleNanos) {
        if (sampleNanos <= 0) {
            return;
        }
        long old = rttNanos;
        int n = Math.min(RTT_GAIN_DIVISOR, rttSamples + 1);
        rttSamples = n;
        rttNanos = old < 0 ? sampleNanos : old + (sampleNanos - old) / n;
    }

    public long sentBytes() {
        return sent.sum();
    }

    public long receivedBytes() {
        return received.sum();
    }

    public long resumes() {
        return resumes.sum();
    }

    public long creditStalls() {
        return creditStalls.sum();
    }

    /** Smoothed round-trip time in milliseconds, or null before the first sample. */
    public Double rttMillis() {
        long r = rttNanos;
        return r < 0 ? null : r / 1e6;
    }

    /**
     * Payload bytes per second both ways over the last {@link #RATE_WINDOW_NANOS} or a little more; over
     * the time since the previous read when reads are further apart, and since creation at the first.
     */
    public synchronized double rateBytesPerSecond() {
        long now = nanoClock.getAsLong();
        long total = sent.sum() + received.sum();
        if (now - rate.lastNanos() >= SAMPLE_EVERY_NANOS) {
            rate.add(now, total);
        }
        return rate.rate(now, total);
    }

    /** This traffic as a {@link PeerStatus} with the rest of what the caller knows about the peer. */
    public PeerStatus status(String name, String direction, String address, boolean online, String why,
            int connections) {
        return status(name, direction, address, online, why, connections, Map.of());
    }

    /** As above, with the open connections counted by the congestion control each uses. */
    public PeerStatus status(String name, String direction, String address, boolean online, String why,
            int connections, Map<String, Integer> congestion) {
        return new PeerStatus(name, direction, address, online, online ? null : why, rttMillis(), connections,
                sentBytes(), receivedBytes(), rateBytesPerSecond(), resumes(), creditStalls(), congestion);
    }
}

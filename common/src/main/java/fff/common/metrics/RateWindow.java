package fff.common.metrics;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Throughput from samples of a running byte total: the bytes per second since the oldest sample kept, which is
 * the last one at or before the start of the window, so the rate always covers at least the window once the
 * samples are that old (and the time since the previous sample when samples are further apart). A total
 * below the last sample's (a transfer that started over) starts afresh. Not thread-safe.
 */
public final class RateWindow {

    private record Sample(long nanos, long total) {
    }

    private final long windowNanos;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();

    public RateWindow(long windowNanos) {
        this.windowNanos = windowNanos;
    }

    /** Records {@code total} at {@code nanos} (not before the last sample). */
    public void add(long nanos, long total) {
        if (!samples.isEmpty() && total < samples.peekLast().total()) {
            samples.clear();
        }
        samples.addLast(new Sample(nanos, total));
        while (samples.size() > 2 && nanos - second().nanos() >= windowNanos) {
            samples.removeFirst();
        }
    }

    /** When the last sample was taken; {@link Long#MIN_VALUE} before the first. */
    public long lastNanos() {
        return samples.isEmpty() ? Long.MIN_VALUE : samples.peekLast().nanos();
    }

    /** Bytes per second from the oldest sample kept to {@code total} at {@code nanos}; 0 with no time between. */
    public double rate(long nanos, long total) {
        Sample first = samples.peekFirst();
        return first == null || nanos <= first.nanos() ? 0 : (total - first.total()) * 1e9 / (nanos - first.nanos());
    }

    /** Bytes per second over the samples kept; null until two samples apart in time. */
    public Double rate() {
        Sample last = samples.peekLast();
        return samples.size() < 2 || last.nanos() <= samples.peekFirst().nanos() ? null
                : rate(last.nanos(), last.total());
    }

    private Sample second() {
        Iterator<Sample> it = samples.iterator();
        it.next();
        return it.next();
    }
}

package fff.common.wire;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollSocketChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What the kernel's socket-buffer maximum means for one connection at a measured round-trip time. Linux sizes
 * each TCP socket's buffers from its own measured RTT and window (autotuning), up to {@code net.ipv4.tcp_wmem}
 * (sending) and {@code net.ipv4.tcp_rmem} (receiving) maximum. The node leaves autotuning on: setting
 * {@code SO_SNDBUF}/{@code SO_RCVBUF} would switch it off and cap the buffer at {@code net.core.wmem_max}, far
 * lower on a stock system. What it can do is say, once it knows the RTT, when the kernel's maximum keeps one
 * connection below {@link #WANTED_BITS_PER_SECOND}: a connection carries at most about one buffer per round trip,
 * and about half of the buffer holds payload (the rest is the kernel's bookkeeping, {@code tcp_adv_win_scale}).
 *
 * <p>Built off the event loop (reads {@code /proc}, which shows the node's own network namespace).
 */
public final class SocketBuffers {

    /** Below this per connection at the measured RTT, the log says what caps it. */
    public static final long WANTED_BITS_PER_SECOND = 1_000_000_000L;

    private static final Path PROC = Path.of("/proc/sys/net/ipv4");

    private final long sendMax;
    private final long receiveMax;

    SocketBuffers(long sendMax, long receiveMax) {
        this.sendMax = sendMax;
        this.receiveMax = receiveMax;
    }

    /** The kernel's maxima now; unknown ones (not Linux) are taken as unlimited. */
    public static SocketBuffers read() {
        return new SocketBuffers(max("tcp_wmem"), max("tcp_rmem"));
    }

    private static long max(String file) {
        try {
            // not readString: on this kernel it returns only the first byte of these files (their size is 0 and
            // the first read is short); a line reader reads on to the end
            String[] v = String.join(" ", Files.readAllLines(PROC.resolve(file))).trim().split("\\s+");
            return Long.parseLong(v[v.length - 1]);
        } catch (IOException | RuntimeException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * The kernel's smoothed round-trip time of {@code ch} ({@code TCP_INFO}) where the native transport can read
     * it, else {@code sampleNanos}: a Ping taken as a connection opens is slowed by cold code on both ends and by
     * whatever is queued before it, the kernel's estimate is not.
     */
    public static long rttNanos(Channel ch, long sampleNanos) {
        if (ch instanceof EpollSocketChannel e) {
            try {
                long micros = e.tcpInfo().rtt();
                return micros > 0 ? micros * 1000 : sampleNanos;
            } catch (RuntimeException notNow) {
                return sampleNanos;
            }
        }
        return sampleNanos;
    }

    /** About the most one connection carries at {@code rttNanos}, bits per second, sending or receiving. */
    public long capBitsPerSecond(boolean sending, long rttNanos) {
        long max = sending ? sendMax : receiveMax;
        if (max == Long.MAX_VALUE || rttNanos <= 0) {
            return Long.MAX_VALUE;
        }
        return (long) (max / 2.0 * 8 / (rttNanos / 1e9));
    }

    /**
     * A line for the log when the kernel's maximum keeps a connection below {@link #WANTED_BITS_PER_SECOND} at
     * {@code rttNanos}, with what {@code connections} together carry and how to lift it; null when it does not.
     */
    public String advice(boolean sending, long rttNanos, int connections) {
        long cap = capBitsPerSecond(sending, rttNanos);
        if (cap >= WANTED_BITS_PER_SECOND) {
            return null;
        }
        String key = sending ? "net.ipv4.tcp_wmem" : "net.ipv4.tcp_rmem";
        long max = sending ? sendMax : receiveMax;
        long needed = (long) (WANTED_BITS_PER_SECOND / 8.0 * (rttNanos / 1e9) * 2);
        return String.format(Locale.ROOT, "at %.0f ms round trip the kernel's largest %s buffer (%s max %d MiB) "
                + "lets one connection %s at most about %d Mbit/s%s; for 1 Gbit/s per connection raise it to %d MiB "
                + "(sysctl -w %s=\"4096 131072 %d\") or use more connections", rttNanos / 1e6,
                sending ? "send" : "receive", key, max >> 20, sending ? "send" : "receive", cap / 1_000_000,
                connections > 1 ? " (" + connections + " connections: about " + cap * connections / 1_000_000
                        + " Mbit/s)" : "", (needed >> 20) + 1, key, ((needed >> 20) + 1) << 20);
    }
}

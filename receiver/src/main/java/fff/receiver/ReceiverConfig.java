package fff.receiver;

import fff.common.identity.NodeId;
import fff.common.wire.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * What a receiving node needs: where to listen, where files land, who may send.
 *
 * @param listen           peer-protocol address
 * @param plain            plain TCP instead of mutual TLS 1.3 (trusted links only; both ends must agree)
 * @param root             destination root; nothing is ever written outside it
 * @param allowAny         accept any sender (ad-hoc use); otherwise only {@code allowed}
 * @param allowed          node IDs allowed to send
 * @param reserveBytes     free space kept on the destination filesystem (default 1 GiB)
 * @param stalePartialAge  partials older than this are removed at start (default 7 days)
 * @param streamWindow     per-stream credit, bytes (default 32 MiB: room for a long link, bounded per connection)
 * @param connectionWindow per-connection credit, bytes (default 64 MiB): the most payload one connection holds in memory
 * @param maxStreams       streams at once per connection (default 32)
 */
public record ReceiverConfig(HostPort listen, boolean plain, Path root, boolean allowAny, Set<NodeId> allowed,
        long reserveBytes, Duration stalePartialAge, int streamWindow, int connectionWindow, int maxStreams) {

    public static final long DEFAULT_RESERVE = 1L << 30;
    public static final Duration DEFAULT_STALE_AGE = Duration.ofDays(7);
    public static final int DEFAULT_STREAM_WINDOW = 32 << 20;
    public static final int DEFAULT_CONNECTION_WINDOW = 64 << 20;
    public static final int DEFAULT_MAX_STREAMS = 32;

    public ReceiverConfig {
        allowed = Set.copyOf(allowed);
        if (!allowAny && allowed.isEmpty()) {
            throw new IllegalArgumentException("receive.allow: no sender is allowed (name node IDs, or allow any)");
        }
        if (reserveBytes < 0) {
            throw new IllegalArgumentException("receive.reserve: must not be negative, got " + reserveBytes);
        }
        if (streamWindow < fff.common.wire.WireLimits.MAX_PAYLOAD || connectionWindow < streamWindow) {
            throw new IllegalArgumentException("windows too small: stream " + streamWindow + ", connection "
                    + connectionWindow + " (stream >= 1 MiB, connection >= stream)");
        }
        if (maxStreams < 1) {
            throw new IllegalArgumentException("max streams must be >= 1, got " + maxStreams);
        }
    }

    public static ReceiverConfig of(HostPort listen, boolean plain, Path root, boolean allowAny,
            Set<NodeId> allowed, long reserveBytes) {
        return new ReceiverConfig(listen, plain, root, allowAny, allowed, reserveBytes, DEFAULT_STALE_AGE,
                DEFAULT_STREAM_WINDOW, DEFAULT_CONNECTION_WINDOW, DEFAULT_MAX_STREAMS);
    }

    public boolean allows(NodeId id) {
        return allowAny || (id != null && allowed.contains(id));
    }
}

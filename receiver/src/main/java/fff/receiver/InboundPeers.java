package fff.receiver;

import fff.common.identity.NodeId;
import fff.common.peers.PeerStatus;
import fff.common.peers.PeerTraffic;
import fff.common.wire.HostPort;
import fff.common.wire.SocketBuffers;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The sending nodes a receiver has seen since it started, with their {@link PeerTraffic} and open connections,
 * for {@code /api/peers}. Keyed by node ID; a sender on a plain link that claims no ID by
 * {@code unidentified@HOST}. At most {@link #MAX_PEERS} are kept: past that, the one disconnected longest is
 * forgotten (an allow-any receiver meets senders without bound).
 *
 * <p>Threading: sessions call {@link #connected} and {@link #disconnected} on their event loops; both are a
 * map update and a counter, never a wait. {@link #statuses} runs on web worker threads.
 */
final class InboundPeers {

    static final int MAX_PEERS = 256;

    /** One sending node. */
    static final class Peer {
        final String key;
        /** Null for an unidentified sender. */
        final NodeId id;
        final PeerTraffic traffic = new PeerTraffic();
        final AtomicInteger connections = new AtomicInteger();
        volatile String address;
        volatile long lastSeenMillis;

        Peer(String key, NodeId id) {
            this.key = key;
            this.id = id;
        }
    }

    private final Map<String, Peer> peers = new ConcurrentHashMap<>();
    private final Clock clock;
    /** The kernel's socket-buffer maxima, read once (off the event loops). */
    private final SocketBuffers buffers = SocketBuffers.read();

    SocketBuffers buffers() {
        return buffers;
    }

    InboundPeers() {
        this(Clock.systemUTC());
    }

    InboundPeers(Clock clock) {
        this.clock = clock;
    }

    /** A sender finished its handshake from {@code remote}; {@code id} is null when it has none. */
    Peer connected(NodeId id, SocketAddress remote) {
        String address = address(remote);
        String key = id != null ? id.toString() : "unidentified@" + (remote instanceof InetSocketAddress a
                ? a.getAddress().getHostAddress() : address);
        Peer peer = peers.compute(key, (k, old) -> {
            Peer p = old != null ? old : new Peer(k, id);
            p.connections.incrementAndGet();
            p.address = address;
            p.lastSeenMillis = clock.millis();
            return p;
        });
        if (peers.size() > MAX_PEERS) {
            forgetLongestGone();
        }
        return peer;
    }

    /** A connection {@link #connected} returned {@code peer} for has closed. */
    void disconnected(Peer peer) {
        peer.lastSeenMillis = clock.millis();
        peer.connections.decrementAndGet();
    }

    /** Every sender kept, named by {@code names} (unidentified ones by their key), in name order. */
    List<PeerStatus> statuses(Function<NodeId, String> names) {
        List<PeerStatus> out = new ArrayList<>();
        for (Peer p : peers.values()) {
            int n = p.connections.get();
            out.add(p.traffic.status(p.id == null ? p.key : names.apply(p.id), PeerStatus.IN, p.address, n > 0,
                    "disconnected since " + Instant.ofEpochSecond(p.lastSeenMillis / 1000), n));
        }
        out.sort(Comparator.comparing(PeerStatus::name));
        return out;
    }

    private void forgetLongestGone() {
        peers.values().stream().filter(p -> p.connections.get() == 0)
                .min(Comparator.comparingLong(p -> p.lastSeenMillis))
                // checked again inside the map's lock: a sender may have come back meanwhile
                .ifPresent(gone -> peers.computeIfPresent(gone.key, (k, p) -> p.connections.get() == 0 ? null : p));
    }

    private static String address(SocketAddress remote) {
        return remote instanceof InetSocketAddress a
                ? new HostPort(a.getAddress().getHostAddress(), a.getPort()).toString() : String.valueOf(remote);
    }
}

package fff.sender;

import fff.common.identity.KnownPeers;
import fff.common.identity.NodeId;
import fff.common.wire.Congestion;
import fff.common.wire.HostPort;

/**
 * Where and how to reach one receiving peer.
 *
 * @param address         host and port of its peer listener
 * @param plain           plain TCP (trusted links only; the receiver must be plain too)
 * @param expectedId      the receiver's pinned node ID, or null to trust on first use through {@code knownPeers}
 * @param knownPeers      TOFU store (ssh's known_hosts); may be null when {@code expectedId} is given
 * @param maxAttempts     attempts per file before it fails (connection loss, mismatch, busy)
 * @param reconnects      consecutive failed reconnects before queued files fail
 * @param congestion      TCP congestion control for the connections: a name, {@code system}, or null for the
 *                        default (bbr where the kernel has it); see {@link Congestion}
 */
public record PeerTarget(HostPort address, boolean plain, NodeId expectedId, KnownPeers knownPeers,
        int maxAttempts, int reconnects, String congestion) {

    public PeerTarget {
        if (expectedId == null && knownPeers == null && !plain) {
            throw new IllegalArgumentException("either a peer ID or a known_peers file is needed for TLS");
        }
        if (maxAttempts < 1 || reconnects < 0) {
            throw new IllegalArgumentException("attempts must be >= 1 and reconnects >= 0");
        }
        Congestion.check("congestion", congestion);
    }

    /** With the default congestion control. */
    public PeerTarget(HostPort address, boolean plain, NodeId expectedId, KnownPeers knownPeers, int maxAttempts,
            int reconnects) {
        this(address, plain, expectedId, knownPeers, maxAttempts, reconnects, null);
    }

    public static PeerTarget of(HostPort address, boolean plain, NodeId expectedId, KnownPeers knownPeers) {
        return new PeerTarget(address, plain, expectedId, knownPeers, 10, 8);
    }
}

package fff.node;

import fff.common.identity.KnownPeers;
import fff.common.identity.NodeId;
import fff.common.identity.NodeIdentity;
import fff.common.rate.Rate;
import fff.common.rate.RateLimiter;
import fff.common.rate.RateSchedule;
import fff.common.wire.Congestion;
import fff.common.wire.HostPort;
import fff.sender.PeerClient;
import fff.sender.PeerTarget;
import java.io.IOException;
import java.io.PrintStream;
import picocli.CommandLine.Option;

/**
 * How a client command ({@code fff send}, {@code fff convert}) reaches its peer: trust, transport, connections,
 * congestion control, attempts and rate. {@link #open} checks them and opens the client.
 */
final class LinkOptions {

    @Option(names = "--peer-id", paramLabel = "ID", description = "The peer's node ID (pins it)")
    String peerId;

    @Option(names = "--plain", description = "Plain TCP instead of mutual TLS 1.3 (the peer must agree)")
    boolean plain;

    @Option(names = "--connections", paramLabel = "N|auto", defaultValue = "auto",
            description = "TCP connections to use, or auto: start with two and add one while throughput grows "
                    + "(default: ${DEFAULT-VALUE})")
    String connections;

    @Option(names = "--congestion", paramLabel = "NAME",
            description = "TCP congestion control of the connections: bbr, cubic, another the kernel has, or system "
                    + "(default: bbr where the kernel has it)")
    String congestion;

    @Option(names = "--attempts", paramLabel = "N", defaultValue = "10",
            description = "Attempts per file before giving up (default: ${DEFAULT-VALUE})")
    int attempts;

    @Option(names = "--rate", paramLabel = "RATE",
            description = "Send no faster than this over all connections: 200M or 200Mbit/s (bits per second), "
                    + "25MB/s (bytes), unlimited (default)")
    String rate;

    /** A client for the peer at {@code address}, or null when an option is wrong (said on {@code err}). */
    PeerClient open(String address, HomeOption home, PrintStream err) throws IOException {
        RateLimiter limiter;
        NodeId pinned;
        HostPort peer;
        try {
            limiter = RateLimiter.of(RateSchedule.constant(rate == null ? Rate.UNLIMITED : Rate.parse("--rate", rate)),
                    null);
            Congestion.check("--congestion", congestion);
            pinned = peerId == null ? null : NodeId.parse(peerId);
            peer = HostPort.parse(address);
        } catch (IllegalArgumentException e) {
            err.println("fff: " + e.getMessage());
            return null;
        }
        int n = connections(connections);
        if (n < 0) {
            err.println("fff: --connections: '" + connections + "' is not a number of at least 1, or auto");
            return null;
        }
        NodeIdentity identity = NodeIdentity.loadOrCreate(home.resolve());
        PeerTarget target = new PeerTarget(peer, plain, pinned, KnownPeers.in(home.resolve()), attempts, 8,
                congestion);
        return new PeerClient(target, identity, n, null, limiter);
    }

    /** {@code auto} ({@link PeerClient#AUTO}), a number of at least 1, or -1 for anything else. */
    static int connections(String text) {
        if ("auto".equals(text)) {
            return PeerClient.AUTO;
        }
        try {
            int n = Integer.parseInt(text);
            return n >= 1 ? n : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}

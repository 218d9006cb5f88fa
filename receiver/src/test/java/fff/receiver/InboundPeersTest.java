package fff.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.identity.NodeId;
import fff.common.peers.PeerStatus;
import fff.common.testing.FakeClock;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link InboundPeers}: one entry per sending node across connections, and a bound on how many it keeps. */
class InboundPeersTest {

    private final FakeClock clock = new FakeClock(1_700_000_000_000L);
    private final InboundPeers peers = new InboundPeers(clock);

    @Test
    void connectionsFromOneUnidentifiedHostShareAnEntry() {
        InboundPeers.Peer a = peers.connected(null, new InetSocketAddress("10.0.0.7", 40001));
        InboundPeers.Peer b = peers.connected(null, new InetSocketAddress("10.0.0.7", 40002));
        assertSame(a, b);
        a.traffic.received(10);
        peers.disconnected(a);
        PeerStatus p = single(peers.statuses(NodeId::toString));
        assertEquals("unidentified@10.0.0.7", p.name());
        assertEquals("10.0.0.7:40002", p.address());
        assertEquals(1, p.connections());
        assertTrue(p.online());
        assertEquals(10, p.receivedBytes());
        clock.advance(5_000);
        peers.disconnected(b);
        p = single(peers.statuses(NodeId::toString));
        assertFalse(p.online());
        assertEquals("disconnected since 2023-11-14T22:13:25Z", p.why());
    }

    @Test
    void pastTheBoundTheSenderGoneLongestIsForgottenNeverAConnectedOne() {
        InboundPeers.Peer stays = peers.connected(null, new InetSocketAddress("10.1.0.0", 1));
        for (int i = 1; i < InboundPeers.MAX_PEERS; i++) {
            clock.advance(1000);
            peers.disconnected(peers.connected(null, new InetSocketAddress("10.1." + (i / 256) + "." + (i % 256), 1)));
        }
        clock.advance(1000);
        peers.connected(null, new InetSocketAddress("10.2.0.0", 1));
        List<PeerStatus> all = peers.statuses(NodeId::toString);
        assertEquals(InboundPeers.MAX_PEERS, all.size());
        List<String> names = all.stream().map(PeerStatus::name).toList();
        assertTrue(names.contains("unidentified@10.1.0.0"), "connected since before the others");
        assertFalse(names.contains("unidentified@10.1.0.1"), "gone the longest");
        assertTrue(names.contains("unidentified@10.2.0.0"));
        assertEquals(1, stays.connections.get());
    }

    private static PeerStatus single(List<PeerStatus> all) {
        assertEquals(1, all.size(), all.toString());
        return all.get(0);
    }
}

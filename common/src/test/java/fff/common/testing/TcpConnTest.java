package fff.common.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link TcpConn#parse} on output captured from {@code ss} 6.1 (Debian 12) inside the WAN namespaces. */
class TcpConnTest {

    /** iperf3 -C bbr, sending side: the control connection (cubic, the namespace default) and the data one. */
    private static final String IPERF3_SENDER = """
            ESTAB 0      0        10.77.0.1:58354 10.77.0.2:5201
            \t cubic wscale:11,11 rto:252 rtt:50.873/14.482 ato:40 mss:1448 pmtu:1500 rcvmss:536 advmss:1448 \
            cwnd:10 bytes_sent:183 bytes_acked:184 bytes_received:4 segs_out:9 segs_in:7 data_segs_out:3 \
            data_segs_in:4 send 2277043bps lastsnd:2428 lastrcv:2272 lastack:2272 pacing_rate 4554048bps \
            delivery_rate 458136bps delivered:4 app_limited busy:100ms rcv_space:14480 rcv_ssthresh:64088 \
            minrtt:50.522 snd_wnd:65536
            ESTAB 0      45061344 10.77.0.1:58356 10.77.0.2:5201
            \t bbr wscale:11,11 rto:252 rtt:51.996/0.093 mss:1448 pmtu:1500 rcvmss:536 advmss:1448 cwnd:8984 \
            ssthresh:4386 bytes_sent:223535037 bytes_acked:217344838 segs_out:154378 segs_in:3535 \
            data_segs_out:154376 bbr:(bw:961900128bps,mrtt:50.173,pacing_gain:1.25,cwnd_gain:2) \
            send 2001512732bps lastrcv:2324 pacing_rate 1190351416bps delivery_rate 956495344bps \
            delivered:150102 busy:2320ms unacked:4275 rcv_space:14480 rcv_ssthresh:64088 notsent:38871144 \
            minrtt:50.173 snd_wnd:33640448
            """;

    /** A Java socket pair (dual-stack), receiving side, with trailing blanks as ss pads some lines. */
    private static final String JAVA_RECEIVER = """
            ESTAB 65160  0      [::ffff:10.77.0.2]:7711 [::ffff:10.77.0.1]:57210
            \t cubic wscale:11,11 rto:252 rtt:51.261/25.63 ato:40 mss:1448 pmtu:1500 rcvmss:1448 advmss:1448 \
            cwnd:10 bytes_received:120317856 segs_out:1861 segs_in:83098 data_segs_in:83096 send 2259808bps \
            lastsnd:1480 pacing_rate 4519608bps delivered:1 app_limited rcv_rtt:51.803 rcv_space:6320520 \
            rcv_ssthresh:44971750 minrtt:51.261 snd_wnd:65536                                            \s
            """;

    /** {@code ss -tin state established ...}: a header and no state column. */
    private static final String STATE_FILTERED = """
            Recv-Q Send-Q      Local Address:Port       Peer Address:Port Process                         \s
            0      0      [::ffff:10.77.0.2]:5201 [::ffff:10.77.0.1]:58356
            \t bbr wscale:11,11 rto:252 rtt:50.741/25.37 ato:40 mss:1448 pmtu:1500 rcvmss:1448 advmss:1448 \
            cwnd:10 bytes_received:228487197 segs_out:3705 segs_in:157798 data_segs_in:157796 \
            bbr:(bw:0bps,mrtt:50.741) send 2282966bps lastsnd:2368 pacing_rate 6523504bps delivered:1 \
            app_limited rcv_rtt:52 rcv_space:6906960 rcv_ssthresh:33639763 minrtt:50.741 snd_wnd:65536
            """;

    /** {@code ss -tinaH} after the transfer: TIME-WAIT has an empty info line; a listener; older ss units. */
    private static final String AFTERWARDS = """
            LISTEN 0      5      [::ffff:10.77.0.2]:7711 *:*
            TIME-WAIT 0      0      10.77.0.1:58354 10.77.0.2:5201
            \t
            ESTAB 0      0      10.77.0.1:40000 10.77.0.2:22
            \t ts sack cubic wscale:7,7 rto:204 rtt:3.5/1.75 retrans:0/12 send 1.2Gbps delivery_rate 850.5Mbps
            """;

    @Test
    void iperf3SenderGivesBothConnections() {
        List<TcpConn> c = TcpConn.parse(IPERF3_SENDER);
        assertEquals(2, c.size());
        TcpConn control = c.get(0);
        assertEquals("ESTAB", control.state());
        assertEquals(new InetSocketAddress("10.77.0.1", 58354), control.local());
        assertEquals(new InetSocketAddress("10.77.0.2", 5201), control.peer());
        assertEquals("cubic", control.congestion());
        TcpConn data = c.get(1);
        assertEquals("bbr", data.congestion());
        assertEquals(51.996, data.rttMs(), 1e-9);
        assertEquals(2_001_512_732L, data.sendBps());
        assertEquals(956_495_344L, data.deliveryRateBps());
        assertEquals(217_344_838L, data.bytesAcked());
        assertEquals(-1, data.bytesReceived());
        assertEquals(0, data.retransmits());
        assertEquals("8984", data.field("cwnd"));
        assertEquals("(bw:961900128bps,mrtt:50.173,pacing_gain:1.25,cwnd_gain:2)", data.field("bbr"));
        assertTrue(data.touches(5201));
        assertTrue(data.touches(58356));
    }

    @Test
    void dualStackAddressesBecomeIpv4() {
        TcpConn c = TcpConn.parse(JAVA_RECEIVER).get(0);
        assertEquals(new InetSocketAddress("10.77.0.2", 7711), c.local());
        assertEquals(new InetSocketAddress("10.77.0.1", 57210), c.peer());
        assertEquals("cubic", c.congestion());
        assertEquals(120_317_856L, c.bytesReceived());
        assertEquals(-1, c.deliveryRateBps());
        assertEquals("65536", c.field("snd_wnd"));
    }

    @Test
    void stateFilterOutputHasNoStateColumn() {
        List<TcpConn> c = TcpConn.parse(STATE_FILTERED);
        assertEquals(1, c.size());
        assertEquals("", c.get(0).state());
        assertEquals("bbr", c.get(0).congestion());
        assertEquals(5201, c.get(0).local().getPort());
    }

    @Test
    void timeWaitListenFlagsAndScaledRates() {
        List<TcpConn> c = TcpConn.parse(AFTERWARDS);
        assertEquals(2, c.size());
        TcpConn tw = c.get(0);
        assertEquals("TIME-WAIT", tw.state());
        assertNull(tw.congestion());
        assertTrue(Double.isNaN(tw.rttMs()));
        assertEquals(-1, tw.sendBps());
        TcpConn ssh = c.get(1);
        assertEquals("cubic", ssh.congestion());
        assertEquals(1_200_000_000L, ssh.sendBps());
        assertEquals(850_500_000L, ssh.deliveryRateBps());
        assertEquals(12, ssh.retransmits());
    }

    @Test
    void emptyAndGarbage() {
        assertEquals(List.of(), TcpConn.parse(""));
        assertEquals(List.of(), TcpConn.parse("\n"));
        assertThrows(IllegalArgumentException.class, () -> TcpConn.parse("ESTAB 0 0\n"));
    }
}

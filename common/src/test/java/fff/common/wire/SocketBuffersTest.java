package fff.common.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** What a kernel's socket-buffer maximum allows one connection at a round-trip time, and the advice given. */
class SocketBuffersTest {

    private static final long MIB = 1 << 20;
    private static final long MS = 1_000_000;

    @Test
    void oneConnectionCarriesAboutHalfTheBufferPerRoundTrip() {
        SocketBuffers b = new SocketBuffers(4 * MIB, 32 * MIB);
        assertEquals(335_544_320L, b.capBitsPerSecond(true, 50 * MS), "4 MiB / 2 per 50 ms");
        assertEquals(894_784_853L, b.capBitsPerSecond(false, 150 * MS), "32 MiB / 2 per 150 ms");
        assertEquals(Long.MAX_VALUE, new SocketBuffers(Long.MAX_VALUE, Long.MAX_VALUE).capBitsPerSecond(true, MS));
    }

    @Test
    void theAdviceSaysWhatCapsAConnectionAndHowToLiftIt() {
        SocketBuffers b = new SocketBuffers(4 * MIB, 64 * MIB);
        assertEquals("at 50 ms round trip the kernel's largest send buffer (net.ipv4.tcp_wmem max 4 MiB) lets one "
                + "connection send at most about 335 Mbit/s (4 connections: about 1342 Mbit/s); for 1 Gbit/s per "
                + "connection raise it to 12 MiB (sysctl -w net.ipv4.tcp_wmem=\"4096 131072 12582912\") or use more "
                + "connections", b.advice(true, 50 * MS, 4));
        assertNull(b.advice(false, 50 * MS, 1), "64 MiB receive buffers carry 1 Gbit/s at 50 ms");
        assertNull(b.advice(true, 5 * MS, 1), "a short link needs no large buffer");
    }
}

package fff.common.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Congestion} on real sockets over loopback: the algorithm set on a connected epoll socket is the one the
 * kernel reports back for it, refusals say why and leave the socket working, and the NIO transport says it
 * cannot choose.
 */
class CongestionTest {

    private static EventLoopGroup group;
    private static Channel server;

    @BeforeAll
    static void listen() throws Exception {
        assumeTrue(Epoll.isAvailable(), "native epoll not available here");
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        server = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter()).bind("127.0.0.1", 0).sync().channel();
    }

    @AfterAll
    static void close() {
        if (group != null) {
            server.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static Channel connect() throws InterruptedException {
        return new Bootstrap().group(group).channel(EpollSocketChannel.class).handler(new ChannelInboundHandlerAdapter())
                .connect(server.localAddress()).sync().channel();
    }

    private static List<String> kernel(String file) throws Exception {
        return List.of(Files.readString(Path.of("/proc/sys/net/ipv4", file)).trim().split("\\s+"));
    }

    @Test
    void eachAvailableAlgorithmIsSetAndReadBack() throws Exception {
        List<String> available = kernel("tcp_available_congestion_control");
        assertTrue(available.size() >= 2, "this test wants two algorithms to tell apart, kernel has " + available);
        for (String algorithm : available) {
            Channel ch = connect();
            try {
                Congestion.Outcome o = Congestion.of(algorithm).apply(ch);
                // root may choose any available algorithm; the tests run as root in CI
                assertEquals(algorithm, o.used(), o.why());
                assertNull(o.why());
                assertEquals(algorithm, Congestion.inUse(ch));
            } finally {
                ch.close().sync();
            }
        }
    }

    @Test
    void defaultIsBbrWhereTheKernelHasIt() throws Exception {
        Congestion c = Congestion.of(null);
        boolean bbr = kernel("tcp_available_congestion_control").contains("bbr");
        assertEquals(bbr ? "bbr" : Congestion.SYSTEM, c.wanted());
        Channel ch = connect();
        try {
            Congestion.Outcome o = c.apply(ch);
            if (bbr) {
                assertEquals("bbr", o.used(), o.why());
            } else {
                assertTrue(o.why().contains("no bbr"), o.why());
            }
        } finally {
            ch.close().sync();
        }
    }

    @Test
    void systemLeavesTheSocketAsTheKernelMadeIt() throws Exception {
        String system = kernel("tcp_congestion_control").get(0);
        Channel ch = connect();
        try {
            Congestion.Outcome o = Congestion.of(Congestion.SYSTEM).apply(ch);
            assertEquals(system, o.used());
            assertNull(o.why());
        } finally {
            ch.close().sync();
        }
    }

    @Test
    void anAlgorithmTheKernelLacksIsRefusedWithTheReasonAndTheSocketKeepsItsOwn() throws Exception {
        String system = kernel("tcp_congestion_control").get(0);
        Channel ch = connect();
        try {
            Congestion.Outcome o = Congestion.of("nosuchcc").apply(ch);
            assertEquals(system, o.used());
            assertTrue(o.why().startsWith("the kernel has no nosuchcc (available: "), o.why());
            assertTrue(ch.isActive());
        } finally {
            ch.close().sync();
        }
    }

    @Test
    void aRefusalForAnAlgorithmNotAllowedNamesTheSysctl() {
        Congestion c = Congestion.of("bbr", "cubic", List.of("reno", "cubic", "bbr"), List.of("reno", "cubic"));
        String why = c.refusal(new io.netty.channel.ChannelException(
                new java.io.IOException("setsockopt() failed: Operation not permitted")));
        assertEquals("bbr is not allowed for this user (net.ipv4.tcp_allowed_congestion_control = reno cubic; "
                + "ops/install.sh allows bbr, or run with CAP_NET_ADMIN)", why);
        Congestion other = Congestion.of("bbr", "cubic", List.of(), List.of());
        assertEquals("setting bbr failed: setsockopt() failed: Operation not permitted",
                other.refusal(new io.netty.channel.ChannelException(
                        new java.io.IOException("setsockopt() failed: Operation not permitted"))));
    }

    @Test
    void theNioTransportCannotChoose() throws Exception {
        EventLoopGroup nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel ch = new Bootstrap().group(nio).channel(NioSocketChannel.class)
                    .handler(new ChannelInboundHandlerAdapter())
                    .connect((InetSocketAddress) server.localAddress()).sync().channel();
            Congestion.Outcome o = Congestion.of("bbr").apply(ch);
            assertNull(o.used());
            assertTrue(o.why().startsWith("the native transport is not in use"), o.why());
            ch.close().sync();
        } finally {
            nio.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void namesAreChecked() {
        assertEquals("bbr", Congestion.check("destinations.x.congestion", "bbr"));
        assertNull(Congestion.check("destinations.x.congestion", null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Congestion.check("destinations.x.congestion", "BBR;rm"));
        assertEquals("destinations.x.congestion: 'BBR;rm' is not a congestion control name (e.g. bbr, cubic, reno, "
                + "or system for the machine's default)", e.getMessage());
    }
}

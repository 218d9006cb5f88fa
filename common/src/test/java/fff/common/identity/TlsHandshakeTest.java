package fff.common.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Mutual TLS 1.3 between two identities over real TCP on loopback, for each pairing of providers. */
class TlsHandshakeTest {

    private static EventLoopGroup group;
    private static NodeIdentity serverIdentity;
    private static NodeIdentity clientIdentity;

    @BeforeAll
    static void setUp(@TempDir Path tmp) throws Exception {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        serverIdentity = NodeIdentity.create(tmp.resolve("server"));
        clientIdentity = NodeIdentity.create(tmp.resolve("client"));
        assertNotEquals(serverIdentity.id(), clientIdentity.id());
    }

    @AfterAll
    static void tearDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** What one side saw once its handshake finished. */
    private record Seen(String protocol, NodeId peer) {}

    @ParameterizedTest(name = "server {0}, client {1}")
    @CsvSource({"JDK, JDK", "OPENSSL, OPENSSL", "JDK, OPENSSL", "OPENSSL, JDK"})
    void handshakeNegotiatesTls13AndEachSideSeesTheOthersId(SslProvider serverProvider, SslProvider clientProvider)
            throws Exception {
        assumeTrue(serverProvider != SslProvider.OPENSSL && clientProvider != SslProvider.OPENSSL || OpenSsl.isAvailable(),
                "OpenSSL not available");
        handshake(TlsContexts.server(serverIdentity, serverProvider), TlsContexts.client(clientIdentity, clientProvider));
    }

    @Test
    void defaultProviderWorks() throws Exception {
        SslProvider expected = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        assertEquals(expected, TlsContexts.defaultProvider());
        handshake(TlsContexts.server(serverIdentity), TlsContexts.client(clientIdentity));
    }

    @Test
    void peerIdBeforeHandshakeIsUnverified() throws Exception {
        SslHandler handler = TlsContexts.client(clientIdentity, SslProvider.JDK).newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT);
        assertThrows(SSLPeerUnverifiedException.class, () -> TlsContexts.peerId(handler));
    }

    private void handshake(SslContext serverContext, SslContext clientContext) throws Exception {
        CompletableFuture<Seen> serverSaw = new CompletableFuture<>();
        CompletableFuture<Seen> clientSaw = new CompletableFuture<>();
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(serverContext.newHandler(ch.alloc()), new HandshakeRecorder(serverSaw));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        Channel client = null;
        try {
            client = new Bootstrap()
                    .group(group)
                    .channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(clientContext.newHandler(ch.alloc(), "127.0.0.1",
                                    ((InetSocketAddress) server.localAddress()).getPort()), new HandshakeRecorder(clientSaw));
                        }
                    })
                    .connect(server.localAddress()).sync().channel();

            Seen byServer = serverSaw.get(10, TimeUnit.SECONDS);
            Seen byClient = clientSaw.get(10, TimeUnit.SECONDS);
            assertEquals("TLSv1.3", byServer.protocol());
            assertEquals("TLSv1.3", byClient.protocol());
            assertEquals(clientIdentity.id(), byServer.peer());
            assertEquals(serverIdentity.id(), byClient.peer());
        } finally {
            if (client != null) {
                client.close().sync();
            }
            server.close().sync();
        }
    }

    /** Records the negotiated protocol and peer id when the TLS handshake completes. */
    private static final class HandshakeRecorder extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Seen> seen;

        HandshakeRecorder(CompletableFuture<Seen> seen) {
            this.seen = seen;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof SslHandshakeCompletionEvent done) {
                if (done.isSuccess()) {
                    SslHandler ssl = ctx.pipeline().get(SslHandler.class);
                    seen.complete(new Seen(ssl.engine().getSession().getProtocol(), TlsContexts.peerId(ssl)));
                } else {
                    seen.completeExceptionally(done.cause());
                }
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            seen.completeExceptionally(cause);
            ctx.close();
        }
    }
}

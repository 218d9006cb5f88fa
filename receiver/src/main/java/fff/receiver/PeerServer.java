package fff.receiver;

import fff.common.identity.NodeId;
import fff.common.identity.NodeIdentity;
import fff.common.peers.PeerStatus;
import fff.common.identity.TlsContexts;
import fff.common.wire.FrameDecoder;
import fff.common.wire.FrameEncoder;
import fff.common.wire.Transports;
import fff.receiver.convert.ConvertService;
import fff.receiver.storage.LandingArea;
import fff.receiver.transcode.Transcoder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving side of a node: listens for peers and lands their files under the configured root.
 * {@link #close()} stops accepting, lets open streams finish for a grace period, then closes connections;
 * unfinished files stay as hidden partials for a later resume, never at their final path.
 */
public final class PeerServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PeerServer.class);

    private static final int DISK_THREADS = 16;

    private final ReceiverConfig config;
    private final LandingArea landing;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ExecutorService disk;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Channel server;
    private final Transcoder transcoder;
    /** Conversions run for senders, or null. */
    private final ConvertService convert;
    private final InboundPeers peers = new InboundPeers();

    private PeerServer(ReceiverConfig config, NodeIdentity identity, ReceiverEvents events, Admission admission,
            Transcoder transcoder, ConvertService convert) throws IOException {
        this.config = config;
        this.transcoder = transcoder;
        this.convert = convert;
        this.landing = new LandingArea(config.root(), config.reserveBytes());
        int cleaned = landing.cleanStalePartials(config.stalePartialAge());
        if (cleaned > 0) {
            LOG.info("removed {} stale partial file(s) older than {}", cleaned,
                    fff.common.config.Durations.format(config.stalePartialAge()));
        }
        SslContext ssl = config.plain() ? null : TlsContexts.server(identity);
        AtomicInteger diskThreads = new AtomicInteger();
        // many threads: small files end in an fsync each, and concurrent fsyncs share journal commits
        this.disk = Executors.newFixedThreadPool(DISK_THREADS, r -> {
            Thread t = new Thread(r, "fff-recv-disk-" + diskThreads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.boss = Transports.group(1, "fff-accept");
        this.workers = Transports.group(Math.max(2, Runtime.getRuntime().availableProcessors()), "fff-recv");
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(Transports.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 128)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // bulk reads: up to 1 MiB per read call instead of 64 KiB, far fewer syscalls per GB
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(64 << 10, 256 << 10, 1 << 20))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (ssl != null) {
                            p.addLast("tls", ssl.newHandler(ch.alloc()));
                        }
                        LengthFieldBasedFrameDecoder length = FrameDecoder.lengthDecoder();
                        // payload arrives in socket-read pieces: compose them instead of copying on the event
                        // loop, which is the receiver's busiest thread; the disk threads gather them
                        length.setCumulator(ByteToMessageDecoder.COMPOSITE_CUMULATOR);
                        p.addLast("length", length);
                        p.addLast("decoder", FrameDecoder.INSTANCE);
                        p.addLast("encoder", FrameEncoder.INSTANCE);
                        p.addLast("idle", new IdleStateHandler(60, 15, 0));
                        p.addLast("session", new ReceiverSession(config, landing, disk, identity.id(), events,
                                admission, transcoder, peers, convert));
                        connections.add(ch);
                    }
                });
        try {
            this.server = b.bind(config.listen().host(), config.listen().port()).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            shutdownGroups();
            throw new IOException("cannot listen on " + config.listen() + ": " + e.getMessage(), e);
        }
    }

    public static PeerServer start(ReceiverConfig config, NodeIdentity identity, ReceiverEvents events)
            throws IOException {
        return new PeerServer(config, identity, events, Admission.ALWAYS, noTranscoder(), null);
    }

    /** Starts a server whose offers are admitted through {@code admission} (a node's group tree). */
    public static PeerServer start(ReceiverConfig config, NodeIdentity identity, ReceiverEvents events,
            Admission admission) throws IOException {
        return new PeerServer(config, identity, events, admission, noTranscoder(), null);
    }

    /** Starts a server that also takes transcodes through {@code transcoder} (closed with the server). */
    public static PeerServer start(ReceiverConfig config, NodeIdentity identity, ReceiverEvents events,
            Admission admission, Transcoder transcoder) throws IOException {
        return new PeerServer(config, identity, events, admission, transcoder, null);
    }

    /**
     * As above, and converts files for senders through {@code convert} ("convert and return", when the
     * transcoder has ffmpeg); both are closed with the server.
     */
    public static PeerServer start(ReceiverConfig config, NodeIdentity identity, ReceiverEvents events,
            Admission admission, Transcoder transcoder, ConvertService convert) throws IOException {
        return new PeerServer(config, identity, events, admission, transcoder, convert);
    }

    private static Transcoder noTranscoder() {
        return Transcoder.unavailable("it was started without ffmpeg");
    }

    /** The bound address (the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    public ReceiverConfig config() {
        return config;
    }

    public int connectionCount() {
        return connections.size();
    }

    /**
     * The senders seen since start (at most {@value InboundPeers#MAX_PEERS}), each named by {@code names} (a
     * destination name for a known node, say), with what they sent; any thread, never waits on the network.
     */
    public List<PeerStatus> peers(Function<NodeId, String> names) {
        return peers.statuses(names);
    }

    /** Stops accepting, waits up to {@code grace} for open streams, then closes everything. */
    public void shutdown(Duration grace) {
        server.close().syncUninterruptibly();
        long deadline = System.nanoTime() + grace.toNanos();
        while (openStreams() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        shutdownGroups();
    }

    private int openStreams() {
        int n = 0;
        for (Channel ch : connections) {
            ReceiverSession s = ch.pipeline().get(ReceiverSession.class);
            if (s != null) {
                n += ch.eventLoop().submit(s::openStreams).syncUninterruptibly().getNow();
            }
        }
        return n;
    }

    private void shutdownGroups() {
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        disk.shutdown();
        if (convert != null) {
            convert.close(); // no ffmpeg outlives the node; partials go
        }
        transcoder.close();
        try {
            // partials are closed by the chains that channelInactive queued
            disk.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(10));
    }
}

package fff.sender;

import com.google.protobuf.ByteString;
import fff.common.flow.DiskChain;
import fff.common.hash.ContentHasher;
import fff.common.hash.FileDigests;
import fff.common.identity.NodeId;
import fff.common.identity.TlsContexts;
import fff.common.peers.PeerTraffic;
import fff.common.rate.RateLimiter;
import fff.common.wire.Frames;
import fff.common.wire.SocketBuffers;
import fff.common.wire.InboundFrame;
import fff.common.wire.OutboundFrame;
import fff.common.wire.WireLimits;
import fff.proto.Accept;
import fff.proto.Convert;
import fff.proto.Credit;
import fff.proto.Data;
import fff.proto.End;
import fff.proto.Failed;
import fff.proto.Frame;
import fff.proto.HashAlgorithm;
import fff.proto.Hello;
import fff.proto.HelloAck;
import fff.proto.Offer;
import fff.proto.Ping;
import fff.proto.Pong;
import fff.proto.Reason;
import fff.proto.Reject;
import fff.proto.Result;
import fff.proto.ResultState;
import fff.proto.Stripe;
import fff.proto.Transcode;
import fff.proto.Verified;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.EventLoop;
import io.netty.channel.FileRegion;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sending end of one peer connection: handshake and peer pinning, then many concurrent streams.
 *
 * <p>Threading: all fields are owned by the channel's event loop. Reading and hashing the source run on
 * {@code disk}, chained per stream; the loop only writes what was read. A chunk is read only after credit
 * for it was reserved and while the channel is writable, so memory in flight is bounded by the receiver's
 * windows whatever the file sizes. On a plain link payload goes out as a {@link FileRegion} (sendfile); the
 * disk chain still reads the same range to hash it.
 *
 * <p>Each chunk also needs the destination's {@link RateLimiter} (shared with the client's other connections
 * and chained to the node's): the chunk is reserved there before it is read, and when the limiter says to wait
 * the read and write of that chunk are put off by one timer on the loop, and no further chunk is taken until
 * it fires. A run-time change of the rate fires it at once; closing the channel cancels it.
 *
 * <p>What crosses the link is counted in the client's {@link PeerTraffic} as it goes: payload bytes when
 * written, resumes, a credit stall each time a stream (or the connection) runs out of credit with data left.
 * The round-trip time comes from Pings: one when the connection is ready, one when the writer idles, and one
 * with the next frame read once the last is {@link #PING_EVERY_NANOS} old (under load it includes the time
 * the Ping waits behind queued payload).
 */
final class SenderSession extends ChannelInboundHandlerAdapter {

    /** What the session reports to its {@link PeerClient}; called on the event loop except {@code verifyPeer}. */
    interface Owner {
        /** Null when {@code seen} is the receiver we meant to reach, else why not. Called off the loop (file I/O). */
        String verifyPeer(NodeId seen);

        void ready(SenderSession session);

        void attemptDone(SenderSession session, Transfer transfer, TransferResult result, TransferException error);

        /** The connection is gone; {@code interrupted} lost their streams; {@code fatal} means do not retry. */
        void closed(SenderSession session, boolean wasReady, TransferException fatal, List<Transfer> interrupted);

        /**
         * The first round-trip time measured with this peer (the kernel's estimate where it can be read), for
         * checking the socket buffers against it.
         */
        default void firstRtt(long nanos) {
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(SenderSession.class);
    // whole 1 MiB blocks, so both ends hash payload where it lies; TLS records split it anyway
    /** What a converter may send of results before this node gives credit back (per stream and per connection). */
    static final long RETURN_WINDOW = 8 << 20;
    private static final int CHUNK_TLS = WireLimits.MAX_PAYLOAD;
    private static final int CHUNK_PLAIN = WireLimits.MAX_PAYLOAD;
    static final long PING_EVERY_NANOS = TimeUnit.SECONDS.toNanos(15);

    private final Owner owner;
    private final Executor disk;
    private final NodeId localId;
    private final boolean plain;
    private final PeerTraffic traffic;
    /** The congestion control the socket uses, as read back when it was set up; null: unknown (NIO). */
    private final String congestion;
    private final RateLimiter rate;
    /** Hears run-time rate changes (on the changing thread) and brings a put-off chunk forward. */
    private final Runnable rateChanged = this::rateChanged;
    private final Map<Long, OutboundStream> streams = new HashMap<>();
    private final ArrayDeque<OutboundStream> sending = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private boolean ready;
    private long nextStreamId = 1;
    private long connectionCredit;
    private volatile int maxStreams = 1;
    /** The receiver advertised {@link WireLimits#CAPABILITY_MIRROR}. */
    private boolean mirror;
    /** The receiver advertised {@link WireLimits#CAPABILITY_TRANSCODE}. */
    private boolean transcodes;
    /** The receiver advertised {@link WireLimits#CAPABILITY_RETURN}: it converts files and returns the results. */
    private boolean returns;
    /** Connection credit this node grants the converter for results, not yet used (see Convert in the protocol). */
    private long returnCredit;
    /** The receiver advertised {@link WireLimits#CAPABILITY_CONVERT}: it converts whole files itself. */
    private boolean converts;
    /** The receiver advertised {@link WireLimits#CAPABILITY_STRIPES}; read by the client when it splits files. */
    private volatile boolean stripes;
    /** Largest file the receiver takes as an eager offer (no wait for Accept); 0: it takes none. */
    private long eagerMax;
    private TransferException fatal;
    /** The stamp of the last Ping sent; only its Pong is a sample. */
    private long lastPingNanos;
    /** The connection ran out of credit with streams waiting, and none has come back since. */
    private boolean connectionStalled;
    /** The chunk put off until the rate limit allows it, and its timer; null when none is. */
    private Runnable rateDue;
    private ScheduledFuture<?> rateTimer;

    SenderSession(Owner owner, Executor disk, NodeId localId, boolean plain, PeerTraffic traffic, RateLimiter rate) {
        this(owner, disk, localId, plain, traffic, null, rate);
    }

    /** {@code congestion}: the algorithm the socket uses, read back when it was set up (null: unknown). */
    SenderSession(Owner owner, Executor disk, NodeId localId, boolean plain, PeerTraffic traffic, String congestion,
            RateLimiter rate) {
        this.owner = owner;
        this.congestion = congestion;
        this.disk = disk;
        this.localId = localId;
        this.plain = plain;
        this.traffic = traffic;
        this.rate = rate;
    }

    String congestion() {
        return congestion;
    }

    /** The receiver takes files in parts (known once ready). */
    boolean stripes() {
        return stripes;
    }

    int maxStreams() {
        return maxStreams;
    }

    EventLoop loop() {
        return ctx.channel().eventLoop();
    }

    void close() {
        ctx.close();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (ssl == null) {
            sendHello();
        } else {
            ssl.handshakeFuture().addListener(f -> {
                if (f.isSuccess()) { // else exceptionCaught reports it
                    verifyPeer(TlsContexts.peerId(ssl), this::sendHello);
                }
            });
        }
        ctx.fireChannelActive();
    }

    private void sendHello() {
        ctx.writeAndFlush(OutboundFrame.of(Frame.newBuilder().setHello(Hello.newBuilder()
                .addVersions(WireLimits.VERSION).setNodeId(localId.toString()).setSoftware("fff")
                .addCapabilities(WireLimits.CAPABILITY_MIRROR)
                .setPlain(plain)).build()), ctx.voidPromise());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof InboundFrame in)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        Frame f = in.frame();
        if (f.getBodyCase() == Frame.BodyCase.DATA && ready) {
            onResultData(f.getData(), in.payload()); // a converter returning a result; the payload is its
            return;
        }
        in.release(); // only a converter's Data carries payload
        if (!ready && f.getBodyCase() != Frame.BodyCase.HELLO_ACK && f.getBodyCase() != Frame.BodyCase.GOODBYE
                && f.getBodyCase() != Frame.BodyCase.PING) { // a Ping may come while a plain link checks the ID
            protocolError("expected HelloAck, got " + f.getBodyCase());
            return;
        }
        switch (f.getBodyCase()) {
            case HELLO_ACK -> onHelloAck(f.getHelloAck());
            case ACCEPT -> onAccept(f.getAccept());
            case REJECT -> onReject(f.getReject());
            case CREDIT -> onCredit(f.getCredit());
            case VERIFIED -> onVerified(f.getVerified());
            case FAILED -> onFailed(f.getFailed());
            case RESULT -> onResult(f.getResult());
            case END -> onResultEnd(f.getEnd());
            case PING -> ctx.writeAndFlush(OutboundFrame.of(Frame.newBuilder()
                    .setPong(Pong.newBuilder().setNanos(f.getPing().getNanos())).build()), ctx.voidPromise());
            case PONG -> {
                if (f.getPong().getNanos() == lastPingNanos) {
                    long sample = System.nanoTime() - lastPingNanos;
                    traffic.rtt(sample);
                    if (traffic.firstBufferCheck()) {
                        owner.firstRtt(SocketBuffers.rttNanos(ctx.channel(), sample));
                    }
                }
            }
            case GOODBYE -> {
                Reason r = f.getGoodbye().getReason();
                String m = "receiver closed the connection: " + f.getGoodbye().getMessage();
                if (r == Reason.SHUTTING_DOWN) {
                    LOG.info(m);
                } else {
                    fatal = new TransferException(r, m, false);
                }
                ctx.close();
            }
            default -> protocolError("unexpected " + f.getBodyCase() + " from a receiver");
        }
        if (ready && fatal == null && System.nanoTime() - lastPingNanos >= PING_EVERY_NANOS
                && ctx.channel().isActive()) {
            ping();
        }
    }

    /** Sends a Ping stamped with this loop's clock; the Pong echoing the stamp gives one RTT sample. */
    private void ping() {
        lastPingNanos = System.nanoTime();
        ctx.writeAndFlush(OutboundFrame.of(Frame.newBuilder().setPing(Ping.newBuilder().setNanos(lastPingNanos))
                .build()), ctx.voidPromise());
    }

    private void onHelloAck(HelloAck ack) {
        if (ready || ack.getVersion() != WireLimits.VERSION) {
            protocolError(ready ? "second HelloAck" : "receiver chose protocol version " + ack.getVersion());
            return;
        }
        if (plain) {
            // nothing authenticates a plain link; the claimed ID still catches a receiver mixed up by mistake
            NodeId claimed;
            try {
                claimed = NodeId.parse(ack.getNodeId());
            } catch (IllegalArgumentException e) {
                fatal(Reason.UNKNOWN_PEER, "receiver sent no usable node ID: " + e.getMessage());
                ctx.close();
                return;
            }
            verifyPeer(claimed, () -> becomeReady(ack));
            return;
        }
        becomeReady(ack);
    }

    private void becomeReady(HelloAck ack) {
        ready = true;
        connectionCredit = ack.getConnectionWindow();
        maxStreams = Math.max(1, ack.getMaxStreams());
        mirror = ack.getCapabilitiesList().contains(WireLimits.CAPABILITY_MIRROR);
        transcodes = ack.getCapabilitiesList().contains(WireLimits.CAPABILITY_TRANSCODE);
        converts = ack.getCapabilitiesList().contains(WireLimits.CAPABILITY_CONVERT);
        returns = ack.getCapabilitiesList().contains(WireLimits.CAPABILITY_RETURN);
        returnCredit = RETURN_WINDOW;
        stripes = ack.getCapabilitiesList().contains(WireLimits.CAPABILITY_STRIPES);
        eagerMax = ack.getCapabilitiesList().contains(WireLimits.CAPABILITY_EAGER) ? ack.getEagerMax() : 0;
        rate.addListener(rateChanged);
        ping();
        owner.ready(this);
    }

    /**
     * Checks {@code seen} against the pinned ID or known_peers (file I/O, so off the loop), then runs
     * {@code onOk} on the loop, or refuses the receiver naming the ID it presented.
     */
    private void verifyPeer(NodeId seen, Runnable onOk) {
        CompletableFuture.supplyAsync(() -> owner.verifyPeer(seen), disk).whenCompleteAsync((problem, err) -> {
            String why = err != null ? "cannot check the receiver's ID: " + err.getMessage() : problem;
            if (why == null) {
                onOk.run();
                return;
            }
            fatal(Reason.UNKNOWN_PEER, why);
            ctx.writeAndFlush(Frames.goodbye(Reason.UNKNOWN_PEER, "sender refused this receiver: node ID " + seen
                    + " is not the one it expected")).addListener(ChannelFutureListener.CLOSE);
        }, ctx.executor());
    }

    /** Opens a stream for {@code t}. Runs on the loop; the owner keeps within {@link #maxStreams()}. */
    void start(Transfer t) {
        if (!ctx.channel().isActive()) {
            owner.attemptDone(this, t, null, TransferException.connection("connection lost"));
            return;
        }
        if (t.mirrorEdit() && !mirror) {
            // an older receiver ignores the fields it does not know and would take a remove for an empty file
            owner.attemptDone(this, t, null, new TransferException(Reason.UNSUPPORTED_VERSION,
                    "receiver does not support mirroring; upgrade it", false));
            return;
        }
        if (t.stripe != null && !stripes) {
            owner.attemptDone(this, t, null, new TransferException(Reason.UNSUPPORTED_VERSION,
                    "receiver cannot take a file in parts (it runs an older version)", false));
            return;
        }
        if (t.kind == Transfer.Kind.TRANSCODE && !transcodes) {
            owner.attemptDone(this, t, null, new TransferException(Reason.UNSUPPORTED_PROFILE,
                    "receiver cannot transcode (it has no ffmpeg, or runs an older version)", false));
            return;
        }
        if (t.returnTo != null && !returns) {
            owner.attemptDone(this, t, null, new TransferException(Reason.UNSUPPORTED_PROFILE,
                    "receiver cannot convert files for other nodes (it runs an older version or has no ffmpeg)",
                    false));
            return;
        }
        if (t.kind == Transfer.Kind.CONVERT && !converts) {
            // an older receiver would store the source under the result's name
            owner.attemptDone(this, t, null, new TransferException(Reason.UNSUPPORTED_PROFILE,
                    "receiver cannot convert files (it runs an older version or has no ffmpeg)", false));
            return;
        }
        // reading a transcode's pipe blocks while ffmpeg works: those streams do not use the disk threads
        OutboundStream s = new OutboundStream(nextStreamId++, t, new DiskChain(
                t.kind == Transfer.Kind.TRANSCODE ? TranscodeSource.READERS : disk, ctx.executor()));
        streams.put(s.id, s);
        Offer.Builder offer = Offer.newBuilder().setStream(s.id).setPath(t.remotePath);
        switch (t.kind) {
            case FILE, DIRECTORY -> {
                offer.setSize(t.size).setMtimeMillis(t.mtimeMillis).setHash(HashAlgorithm.XXH3_128_BLOCKS)
                        .setDirectory(t.kind == Transfer.Kind.DIRECTORY);
                if (t.stripe != null) {
                    offer.setStripe(Stripe.newBuilder().setOffset(t.stripe.offset()).setLength(t.stripe.length()));
                }
            }
            case REMOVE -> offer.setRemove(true);
            case RENAME -> offer.setRenameFrom(t.renameFrom);
            case TRANSCODE -> offer.setMtimeMillis(t.mtimeMillis).setHash(HashAlgorithm.XXH3_128_BLOCKS)
                    .setTranscode(Transcode.newBuilder().setProfile(t.transcode.profile().name())
                            .setWireFormat(t.transcode.profile().wireFormat()).setSource(t.transcode.media())
                            .setSourceSize(t.size));
            case CONVERT -> offer.setSize(t.size).setMtimeMillis(t.mtimeMillis).setHash(HashAlgorithm.XXH3_128_BLOCKS)
                    .setTranscode(Transcode.newBuilder().setProfile(t.transcode.profile().name())
                            .setWireFormat("").setSource(t.transcode.media()).setSourceSize(t.size));
        }
        if (t.returnTo != null) {
            // the converter's store is keyed by the source's digest: it decides before any upload
            onDisk(s, () -> digestOf(t.source, t.size), (digest, err) -> {
                if (err != null) {
                    abort(s, new TransferException(Reason.IO_ERROR, "cannot read " + t.source + ": "
                            + err.getMessage(), false));
                } else if (s.state == OutboundStream.State.OFFERED && ctx.channel().isActive()) {
                    s.sourceDigest = digest;
                    offer.setConvert(Convert.newBuilder().setRequestId(t.requestId)
                            .setSourceDigest(ByteString.copyFrom(digest)).setReturnWindow(RETURN_WINDOW));
                    ctx.writeAndFlush(OutboundFrame.of(Frame.newBuilder().setOffer(offer).build()),
                            ctx.voidPromise());
                }
            });
            return;
        }
        boolean eager = t.kind == Transfer.Kind.FILE && t.stripe == null && t.size <= eagerMax;
        offer.setEager(eager);
        ctx.writeAndFlush(OutboundFrame.of(Frame.newBuilder().setOffer(offer).build()), ctx.voidPromise());
        if (eager) {
            // the whole file follows at once: the receiver holds it until it has admitted the offer
            send(s, s.transfer.size, () -> prepare(s, 0, new byte[0]), false);
        }
    }

    /** Disk: the content digest of the whole file {@code source}, which must still be {@code size} bytes. */
    private static byte[] digestOf(Path source, long size) throws IOException, TransferException {
        try (FileChannel ch = FileChannel.open(source, StandardOpenOption.READ)) {
            if (ch.size() != size) {
                throw new TransferException(Reason.IO_ERROR, source + " changed size since it was queued (" + size
                        + " → " + ch.size() + " bytes)", false);
            }
            ContentHasher h = new ContentHasher();
            FileDigests.feed(ch, h, size);
            return h.digest();
        }
    }

    /** Stops {@code t}'s stream, if it has one here: the receiver drops its partial. Runs on the loop. */
    void cancel(Transfer t, String why) {
        for (OutboundStream s : List.copyOf(streams.values())) {
            if (s.transfer == t) {
                abort(s, new TransferException(Reason.CANCELLED, why, false));
            }
        }
    }

    private void onAccept(Accept a) {
        OutboundStream s = streams.get(a.getStream());
        if (s == null || s.state != OutboundStream.State.OFFERED) {
            protocolError("Accept for stream " + a.getStream() + " which did not offer");
            return;
        }
        if (!s.transfer.carriesFile() && s.transfer.kind != Transfer.Kind.TRANSCODE) {
            protocolError("Accept for stream " + s.id + ", a " + s.transfer.kind + " offer that carries no data");
            return;
        }
        if (s.transfer.kind == Transfer.Kind.TRANSCODE && a.getResumeOffset() != 0) {
            protocolError("Accept for transcode stream " + s.id + " at " + a.getResumeOffset() + "; transcodes start at 0");
            return;
        }
        boolean stored = s.transfer.returnTo != null && a.getPresent() && a.getResumeOffset() == s.transfer.size;
        if (s.transfer.kind == Transfer.Kind.CONVERT && a.getResumeOffset() != 0 && !stored) {
            protocolError("Accept for conversion stream " + s.id + " at " + a.getResumeOffset()
                    + "; conversions start at 0 (or, answered from the converter's store, at the end)");
            return;
        }
        long resume = a.getResumeOffset();
        byte[] prefix = a.getPrefixDigest().toByteArray();
        if (stored && ContentHasher.same(prefix, s.sourceDigest)) {
            // the converter holds the result for the digest just computed: End carries it, nothing is read again
            s.endDigest = s.sourceDigest;
            send(s, a.getStreamWindow(), () -> s.transfer.size, true);
            return;
        }
        send(s, a.getStreamWindow(), s.transfer.kind == Transfer.Kind.TRANSCODE ? () -> startTranscode(s)
                : () -> prepare(s, resume, prefix), true);
    }

    /**
     * Opens the stream's source on its disk chain ({@code prepare} gives where the data starts), then sends its
     * data within {@code credit}; Start goes first unless the offer was eager (which has none).
     */
    private void send(OutboundStream s, long credit, Callable<Long> prepare, boolean sendStart) {
        s.state = OutboundStream.State.PREPARING;
        s.credit = credit;
        onDisk(s, prepare, (start, err) -> {
            if (err != null) {
                abort(s, err instanceof TransferException te ? te
                        : new TransferException(Reason.IO_ERROR, "cannot read " + s.transfer.source + ": " + err.getMessage(), false));
                return;
            }
            if (s.state != OutboundStream.State.PREPARING) {
                return;
            }
            s.startOffset = start;
            if (start > s.transfer.firstOffset()) {
                traffic.resumed();
            }
            s.nextRead = start;
            s.persisted = start;
            if (s.transfer.carriesFile()) {
                s.transfer.listener.progress(start, s.size());
            }
            if (sendStart) {
                ctx.writeAndFlush(Frames.start(s.id, start), ctx.voidPromise());
            }
            s.state = OutboundStream.State.SENDING;
            if (start == s.size()) {
                finishReads(s);
            } else {
                sending.add(s);
                pump();
            }
        });
    }

    /** Transcode chain: starts the sending ffmpeg; its output starts at 0. */
    private static long startTranscode(OutboundStream s) {
        TranscodeSource src = new TranscodeSource(s.transfer);
        s.transcode = src;
        src.start();
        return 0;
    }

    /** Disk: opens the source and, when the receiver holds a prefix, checks it is really ours. */
    private static long prepare(OutboundStream s, long resume, byte[] prefix) throws IOException, TransferException {
        s.file = FileChannel.open(s.transfer.source, StandardOpenOption.READ);
        long now = s.file.size();
        if (now != s.transfer.size) {
            throw new TransferException(Reason.IO_ERROR, s.transfer.source + " changed size since it was queued ("
                    + s.transfer.size + " → " + now + " bytes)", false);
        }
        long first = s.transfer.firstOffset();
        if (resume > first && resume <= s.size()) {
            FileDigests.feedFrom(s.file, first, s.hasher, resume);
            if (ContentHasher.same(s.hasher.digest(), prefix)) {
                return resume;
            }
            LOG.info("receiver's {} bytes of {} differ from the source; sending {} whole", resume - first,
                    s.transfer.describe(), s.transfer.stripe == null ? "it" : "the part");
            s.hasher.reset();
        }
        return first;
    }

    private void pump() {
        while (rateDue == null && ctx.channel().isWritable() && connectionCredit > 0 && !sending.isEmpty()) {
            OutboundStream s = sending.poll();
            if (s.state != OutboundStream.State.SENDING || s.nextRead >= s.size()) {
                continue;
            }
            if (s.transfer.kind == Transfer.Kind.TRANSCODE) {
                int want = (int) Math.min(CHUNK_TLS, Math.min(s.credit, connectionCredit));
                if (!s.reading && want > 0) {
                    s.credit -= want;
                    connectionCredit -= want;
                    s.reading = true;
                    paced(want, () -> readTranscode(s, want));
                }
                continue; // the read puts the stream back in line when it is done
            }
            boolean zeroCopy = plain && !FaultHook.armed();
            long n = Math.min(Math.min(zeroCopy ? CHUNK_PLAIN : CHUNK_TLS, s.credit),
                    Math.min(connectionCredit, s.size() - s.nextRead));
            if (n <= 0) {
                continue; // parked until its credit comes back
            }
            s.credit -= n;
            connectionCredit -= n;
            long offset = s.nextRead;
            s.nextRead += n;
            boolean last = s.nextRead == s.size();
            paced(n, () -> {
                readAndWrite(s, offset, (int) n, zeroCopy);
                if (last && s.state == OutboundStream.State.SENDING) {
                    finishReads(s); // after the read on the stream's chain, so the digest covers it
                }
            });
            if (!last && s.credit > 0) {
                sending.add(s);
            } else if (!last) {
                traffic.creditStall(); // parked until its credit comes back
            }
        }
        if (connectionCredit <= 0 && !sending.isEmpty() && !connectionStalled) {
            connectionStalled = true;
            traffic.creditStall();
        }
    }

    /** Sends a chunk of {@code n} bytes now, or when the rate limit allows; then no other goes before it. */
    private void paced(long n, Runnable send) {
        long wait = rate.reserve(n);
        if (wait <= 0) {
            send.run();
            return;
        }
        rateDue = send;
        rateTimer = ctx.executor().schedule(this::sendDue, wait, TimeUnit.NANOSECONDS);
    }

    private void sendDue() {
        Runnable due = rateDue;
        rateDue = null;
        rateTimer = null;
        if (due != null && ctx.channel().isActive()) {
            due.run();
            pump();
        }
    }

    /** A run-time change (any thread): the put-off chunk goes now; its bytes stay counted in the limiter. */
    private void rateChanged() {
        try {
            ctx.executor().execute(() -> {
                if (rateTimer != null && rateTimer.cancel(false)) {
                    sendDue();
                }
            });
        } catch (RejectedExecutionException closing) {
            // the loop is shutting down with the client; the channel closes and the chunk with it
        }
    }

    private void readAndWrite(OutboundStream s, long offset, int n, boolean zeroCopy) {
        onDisk(s, () -> zeroCopy ? hashRange(s, offset, n) : readChunk(s, offset, n), (payload, err) -> {
            if (err != null || s.state == OutboundStream.State.DONE || !ctx.channel().isActive()) {
                ReferenceCountUtil.release(payload);
                // the receiver never sees this chunk, so it will never return its connection credit
                connectionCredit += n;
                if (err != null) {
                    abort(s, new TransferException(Reason.IO_ERROR, "cannot read " + s.transfer.source + ": "
                            + err.getMessage(), false));
                }
                if (ctx.channel().isActive()) {
                    pump();
                }
                return;
            }
            Frame header = Frames.dataHeader(s.id, offset, n);
            OutboundFrame frame = payload instanceof ByteBuf b ? OutboundFrame.data(header, b)
                    : OutboundFrame.data(header, (FileRegion) payload);
            ctx.writeAndFlush(frame, ctx.voidPromise());
            s.transfer.bytesSent += n;
            traffic.sent(n);
        });
    }

    /** A transcode chunk: up to what was reserved, fewer at the end of ffmpeg's output. */
    private record Chunk(ByteBuf payload, boolean eof) { }

    /** Reads the next chunk of ffmpeg's output ({@code reserved} bytes of credit are held for it), then sends it. */
    private void readTranscode(OutboundStream s, int reserved) {
        onDisk(s, () -> readChunk(s, reserved), (chunk, err) -> {
            s.reading = false;
            int got = chunk == null || chunk.payload() == null ? 0 : chunk.payload().readableBytes();
            connectionCredit += reserved - got;
            s.credit += reserved - got;
            rate.refund(reserved - got);
            if (err != null || s.state != OutboundStream.State.SENDING || !ctx.channel().isActive()) {
                if (chunk != null) {
                    ReferenceCountUtil.release(chunk.payload());
                }
                connectionCredit += got; // nothing goes out, so nothing comes back
                rate.refund(got);
                if (err != null) {
                    abort(s, new TransferException(Reason.TRANSCODE_FAILED, err.getMessage(), true));
                }
                if (ctx.channel().isActive()) {
                    pump();
                }
                return;
            }
            if (got > 0) {
                ctx.writeAndFlush(OutboundFrame.data(Frames.dataHeader(s.id, s.nextRead, got), chunk.payload()),
                        ctx.voidPromise());
                s.nextRead += got;
                s.transfer.bytesSent += got;
                traffic.sent(got);
            } else {
                ReferenceCountUtil.release(chunk.payload());
            }
            if (chunk.eof()) {
                s.eof = true;
                finishReads(s);
            } else if (s.credit > 0) {
                sending.add(s);
            } else {
                traffic.creditStall();
            }
            pump();
        });
    }

    /** Transcode chain: fills a buffer from ffmpeg's pipe (blocking) and hashes it. */
    private Chunk readChunk(OutboundStream s, int n) throws IOException {
        ByteBuf buf = ctx.alloc().directBuffer(n);
        try {
            ByteBuffer nio = buf.nioBuffer(0, n);
            int r = s.transcode.read(nio);
            if (r <= 0) {
                buf.release();
                return new Chunk(null, true);
            }
            buf.writerIndex(r);
            s.hasher.update(buf.nioBuffer());
            return new Chunk(buf, r < n);
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw e;
        }
    }

    /** Disk: hashes a range that will go out zero-copy. */
    private static FileRegion hashRange(OutboundStream s, long offset, int n) throws IOException {
        if (s.scratch == null) {
            s.scratch = ByteBuffer.allocateDirect((int) Math.min(CHUNK_PLAIN, s.length()));
        }
        s.scratch.clear().limit(n);
        readFully(s.file, s.scratch, offset);
        s.scratch.flip();
        s.hasher.update(s.scratch);
        return new DefaultFileRegion(s.transfer.source.toFile(), offset, n);
    }

    /** Disk: reads and hashes a chunk that will go out through memory (TLS). */
    private ByteBuf readChunk(OutboundStream s, long offset, int n) throws IOException {
        ByteBuf buf = ctx.alloc().directBuffer(n);
        try {
            ByteBuffer nio = buf.nioBuffer(0, n);
            readFully(s.file, nio, offset);
            buf.writerIndex(n);
            s.hasher.update(buf.nioBuffer());
            FaultHook.apply(buf, offset);
            return buf;
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw e;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long offset) throws IOException {
        long pos = offset;
        while (dst.hasRemaining()) {
            int r = ch.read(dst, pos);
            if (r < 0) {
                throw new EOFException("source shrank: it ends before offset " + pos);
            }
            pos += r;
        }
    }

    private void finishReads(OutboundStream s) {
        s.state = OutboundStream.State.ENDING;
        onDisk(s, () -> s.endDigest != null ? s.endDigest : s.hasher.digest(), (digest, err) -> {
            if (s.state == OutboundStream.State.ENDING && ctx.channel().isActive()) {
                ctx.writeAndFlush(Frames.end(s.id, s.length(), digest), ctx.voidPromise());
            }
        });
    }

    private void onCredit(Credit c) {
        if (c.getStream() == 0) {
            connectionCredit += c.getBytes();
            connectionStalled = false;
        } else {
            OutboundStream s = streams.get(c.getStream());
            if (s == null) {
                return;
            }
            boolean parked = s.credit == 0 && s.state == OutboundStream.State.SENDING && s.nextRead < s.size();
            s.credit += c.getBytes();
            s.persisted += c.getBytes();
            if (s.transfer.carriesFile()) {
                s.transfer.listener.progress(s.persisted, s.size()); // a transcode's progress is ffmpeg's
            }
            if (parked) {
                sending.add(s);
            }
        }
        pump();
    }

    // ---- a conversion's result coming back (see Convert in the protocol) ----

    /**
     * The returned stream {@code id} after its upload ended; null for a stream this side already gave up (frames
     * still on their way are dropped) or after a protocol error.
     */
    private OutboundStream returning(long id, String what) {
        OutboundStream s = streams.get(id);
        if (s == null && id > 0 && id < nextStreamId) {
            return null;
        }
        if (s == null || s.transfer.returnTo == null || s.state != OutboundStream.State.ENDING) {
            protocolError(what + " for stream " + id + ", which is not waiting for a conversion's result");
            return null;
        }
        return s;
    }

    private void onResult(Result r) {
        OutboundStream s = returning(r.getStream(), "Result");
        if (s == null) {
            return;
        }
        Transfer t = s.transfer;
        if (r.getState() != ResultState.READY) {
            t.listener.conversion(r.getState() == ResultState.QUEUED ? "queued" : "converting", r.getProgress());
            return;
        }
        if (s.resultReady) {
            protocolError("second READY Result for stream " + s.id);
            return;
        }
        byte[] digest = r.getDigest().toByteArray();
        t.fromStore = r.getFromStore();
        t.listener.conversion(r.getFromStore() ? "from the converter's store" : "returning", 1);
        s.resultReady = true;
        s.resultCredit = RETURN_WINDOW;
        onDisk(s, () -> {
            s.result = new ReturnSink(t.returnTo, r.getSize(), digest);
            return null;
        }, (x, err) -> {
            if (err != null) {
                abort(s, new TransferException(Reason.IO_ERROR, "cannot write the result to " + t.returnTo + ": "
                        + err.getMessage(), false));
            }
        });
    }

    private void onResultData(Data d, ByteBuf payload) {
        int len = d.getLength();
        OutboundStream s = streams.get(d.getStream());
        if (s == null && d.getStream() > 0 && d.getStream() < nextStreamId) {
            // a stream given up here (the converter hears of it by our Cancel): its connection credit goes back
            payload.release();
            ctx.writeAndFlush(Frames.credit(0, len), ctx.voidPromise());
            return;
        }
        s = returning(d.getStream(), "Data");
        if (s == null || !s.resultReady || d.getOffset() != s.resultNext || len > s.resultCredit
                || len > returnCredit) {
            payload.release();
            if (s != null) {
                protocolError("result Data on stream " + s.id + " at " + d.getOffset() + "+" + len + " does not fit"
                        + " (expected offset " + s.resultNext + ", credit " + s.resultCredit + ", connection "
                        + returnCredit + ")");
            }
            return;
        }
        OutboundStream st = s;
        long offset = s.resultNext;
        s.resultNext += len;
        s.resultCredit -= len;
        returnCredit -= len;
        onDisk(s, () -> {
            try {
                long pos = offset;
                for (ByteBuffer b : payload.nioBuffers()) {
                    int n = b.remaining();
                    st.result.write(b, pos);
                    pos += n;
                }
                return null;
            } finally {
                payload.release();
            }
        }, (x, err) -> {
            returnCredit += len;
            if (!ctx.channel().isActive()) {
                return;
            }
            if (err == null && streams.get(st.id) == st) {
                st.resultCredit += len;
                ctx.write(Frames.credit(st.id, len), ctx.voidPromise());
            }
            // the connection's credit comes back whatever became of the stream: the converter has no other way
            ctx.writeAndFlush(Frames.credit(0, len), ctx.voidPromise());
            if (err != null) {
                abort(st, new TransferException(Reason.IO_ERROR, "cannot write the result to "
                        + st.transfer.returnTo + ": " + err.getMessage(), true));
            }
        });
    }

    private void onResultEnd(End e) {
        OutboundStream s = returning(e.getStream(), "End");
        if (s == null) {
            return;
        }
        if (!s.resultReady) {
            protocolError("End for stream " + s.id + " before its READY Result");
            return;
        }
        byte[] digest = e.getDigest().toByteArray();
        Transfer t = s.transfer;
        onDisk(s, () -> s.result.finish(e.getByteCount(), digest, -1), (wrong, err) -> {
            if (streams.get(s.id) != s) {
                return;
            }
            if (err != null || wrong != null) {
                String why = err != null ? "cannot store the result at " + t.returnTo + ": " + err.getMessage()
                        : "the result did not arrive intact: " + wrong;
                streams.remove(s.id);
                end(s);
                if (ctx.channel().isActive()) {
                    ctx.writeAndFlush(Frames.failed(s.id, err != null ? Reason.IO_ERROR : Reason.HASH_MISMATCH, why,
                            true), ctx.voidPromise());
                }
                owner.attemptDone(this, t, null, new TransferException(err != null ? Reason.IO_ERROR
                        : Reason.HASH_MISMATCH, why, true));
                return;
            }
            streams.remove(s.id);
            end(s);
            if (ctx.channel().isActive()) {
                ctx.writeAndFlush(Frames.verified(s.id, e.getByteCount(), false), ctx.voidPromise());
            }
            owner.attemptDone(this, t, new TransferResult(t.returnTo.toString(), e.getByteCount(), t.bytesSent,
                    0, t.fromStore, t.attempts, Duration.ofNanos(System.nanoTime() - t.startedNanos)), null);
        });
    }

    private void onVerified(Verified v) {
        OutboundStream s = streams.remove(v.getStream());
        if (s == null) {
            return;
        }
        if (s.transfer.returnTo != null) {
            streams.put(s.id, s);
            protocolError("Verified for stream " + s.id + ", a conversion whose result comes back");
            return;
        }
        end(s);
        Transfer t = s.transfer;
        long end = t.stripe == null ? t.size : t.stripe.end(); // a part reports absolute offsets
        t.listener.progress(end, end);
        t.fileComplete = v.getFileComplete();
        owner.attemptDone(this, t, new TransferResult(t.remotePath, t.size, t.bytesSent,
                s.startOffset - t.firstOffset(), v.getAlreadyPresent(), t.attempts,
                Duration.ofNanos(System.nanoTime() - t.startedNanos)), null);
    }

    private void onFailed(Failed f) {
        OutboundStream s = streams.remove(f.getStream());
        if (s != null) {
            end(s);
            owner.attemptDone(this, s.transfer, null, new TransferException(f.getReason(),
                    "receiver: " + f.getMessage(), f.getRetryable()));
        }
    }

    private void onReject(Reject r) {
        OutboundStream s = streams.remove(r.getStream());
        if (s != null) {
            end(s);
            boolean retry = r.getReason() == Reason.BUSY;
            owner.attemptDone(this, s.transfer, null, new TransferException(r.getReason(),
                    "receiver refused " + s.transfer.describe() + ": " + r.getMessage(), retry,
                    retry ? Math.max(r.getRetryAfterMillis(), 500) : 0));
        }
    }

    /** Gives up a stream on our side: tells the receiver to drop it, reports the error. */
    private void abort(OutboundStream s, TransferException e) {
        if (streams.remove(s.id) == null) {
            return;
        }
        end(s);
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(Frames.cancel(s.id, e.getMessage()), ctx.voidPromise());
        }
        owner.attemptDone(this, s.transfer, null, e);
    }

    private void end(OutboundStream s) {
        s.state = OutboundStream.State.DONE;
        TranscodeSource src = s.transcode;
        if (src != null) {
            src.stop(); // unblocks a read waiting on ffmpeg, so the close below gets its turn
        }
        onDisk(s, () -> {
            if (s.file != null) {
                s.file.close();
            }
            if (s.transcode != null) {
                s.transcode.close();
            }
            if (s.result != null) {
                s.result.discard(); // the partial of a result that did not arrive; nothing once it is in place
            }
            return null;
        }, (x, e) -> {
            if (e != null) {
                LOG.warn("stream {}: {}", s.id, e.getMessage());
            }
        });
    }

    private <T> void onDisk(OutboundStream s, Callable<T> work, BiConsumer<T, Throwable> then) {
        s.chain.then(work, then);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            pump();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        rate.removeListener(rateChanged);
        if (rateTimer != null) {
            rateTimer.cancel(false);
            rateTimer = null;
            rateDue = null;
        }
        List<Transfer> interrupted = new ArrayList<>();
        for (OutboundStream s : streams.values()) {
            end(s);
            interrupted.add(s.transfer);
        }
        streams.clear();
        sending.clear();
        owner.closed(this, ready, fatal, interrupted);
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent e) {
            switch (e.state()) {
                case WRITER_IDLE -> ping();
                case READER_IDLE -> {
                    LOG.warn("receiver silent for too long; closing the connection");
                    ctx.close();
                }
                default -> { }
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof NotSslRecordException) {
            fatal(Reason.PROTOCOL_ERROR, "the receiver does not answer in TLS (is it running with --plain? "
                    + "use --plain on both sides or on neither)");
        } else if (c instanceof SSLException) {
            fatal(Reason.PROTOCOL_ERROR, "TLS handshake with the receiver failed: " + c.getMessage());
        } else if (cause instanceof DecoderException) {
            protocolError(cause.getMessage());
            return;
        } else if (!(c instanceof IOException)) {
            LOG.warn("unexpected error on the connection to the receiver", cause);
        } else {
            LOG.debug("connection to the receiver failed: {}", cause.toString());
        }
        ctx.close();
    }

    private void fatal(Reason reason, String message) {
        if (fatal == null) {
            fatal = new TransferException(reason, message, false);
        }
    }

    private void protocolError(String message) {
        fatal(Reason.PROTOCOL_ERROR, "protocol error: " + message);
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(Frames.goodbye(Reason.PROTOCOL_ERROR, message)).addListener(ChannelFutureListener.CLOSE);
        }
    }
}

package fff.receiver;

import fff.common.flow.DiskChain;
import fff.common.identity.NodeId;
import fff.common.identity.TlsContexts;
import fff.common.wire.Frames;
import fff.common.wire.InboundFrame;
import fff.common.wire.OutboundFrame;
import fff.common.wire.SocketBuffers;
import fff.common.wire.WireLimits;
import fff.proto.Data;
import fff.proto.End;
import fff.proto.Frame;
import fff.proto.Hello;
import fff.proto.HelloAck;
import fff.proto.Offer;
import fff.proto.Ping;
import fff.proto.Pong;
import fff.proto.Reason;
import fff.proto.Start;
import fff.receiver.convert.ConvertService;
import fff.receiver.storage.LandingArea;
import fff.receiver.storage.MirrorEdits;
import fff.receiver.storage.SinkFailure;
import fff.receiver.storage.StorageRefusal;
import fff.receiver.storage.Verdict;
import fff.receiver.transcode.Transcoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving end of one peer connection: handshake (version, allow list), then any number of concurrent
 * streams, each Offer → Accept → Start → Data… → End → Verified/Failed.
 *
 * <p>Threading: every field is owned by the channel's event loop. Disk work (landing area, hashing, fsync)
 * runs on {@code disk}, chained per stream so each stream's writes stay in order; results come back to the
 * loop. Credit is returned only once bytes are written, so memory in flight is bounded by the windows.
 *
 * <p>What arrives is counted in the sender's {@link InboundPeers} entry as it arrives: payload bytes, resumes
 * (a Start past 0), and a credit stall each time the sender used up a stream's or the connection's window
 * (it then waits for this side's disk). Round-trip time as on the sender: a Ping with the sender's first frame
 * after HelloAck, when the writer idles, and with the next frame once the last is {@link #PING_EVERY_NANOS} old.
 */
final class ReceiverSession extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ReceiverSession.class);
    /** Per-stream credit of a transcode stream. */
    static final int TRANSCODE_WINDOW = 4 << 20;
    /** Largest file taken as an eager offer (sent without waiting for Accept). */
    static final long EAGER_MAX = 1 << 20;
    static final long PING_EVERY_NANOS = TimeUnit.SECONDS.toNanos(15);

    private final ReceiverConfig config;
    private final LandingArea landing;
    private final MirrorEdits mirror;
    private final Executor disk;
    private final NodeId localId;
    private final ReceiverEvents events;
    private final Admission admission;
    private final Transcoder transcoder;
    private final InboundPeers peers;
    /** Conversions for the sender ("convert and return"), or null when this node does not run them. */
    private final ConvertService convert;
    private ReturnStreams returns;
    private final Map<Long, InboundStream> streams = new HashMap<>();
    private ChannelHandlerContext ctx;
    private NodeId peer;
    private String peerName = "?";
    private boolean ready;
    private boolean closed;
    /** Connection credit granted and not yet used by the sender. */
    private long connectionCredit;
    /** The sender's entry once it said Hello and was allowed. */
    private InboundPeers.Peer inbound;
    /** The stamp of the last Ping sent; only its Pong is a sample. */
    private long lastPingNanos;

    ReceiverSession(ReceiverConfig config, LandingArea landing, Executor disk, NodeId localId, ReceiverEvents events) {
        this(config, landing, disk, localId, events, Admission.ALWAYS,
                Transcoder.unavailable("no ffmpeg configured"), new InboundPeers());
    }

    ReceiverSession(ReceiverConfig config, LandingArea landing, Executor disk, NodeId localId, ReceiverEvents events,
            Admission admission, Transcoder transcoder, InboundPeers peers) {
        this(config, landing, disk, localId, events, admission, transcoder, peers, null);
    }

    /** With {@code convert}: converts files for the sender and returns the results (capability "return"). */
    ReceiverSession(ReceiverConfig config, LandingArea landing, Executor disk, NodeId localId, ReceiverEvents events,
            Admission admission, Transcoder transcoder, InboundPeers peers, ConvertService convert) {
        this.convert = transcoder.available() ? convert : null;
        this.peers = peers;
        this.admission = admission;
        this.transcoder = transcoder;
        this.config = config;
        this.landing = landing;
        this.mirror = new MirrorEdits(landing);
        this.disk = disk;
        this.localId = localId;
        this.events = events;
    }

    int openStreams() {
        return streams.size();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.peerName = String.valueOf(ctx.channel().remoteAddress());
        this.returns = new ReturnStreams(ctx, convert, () -> peerName, this::protocolError, this::drop);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof InboundFrame in)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        Frame f = in.frame();
        if (ready && System.nanoTime() - lastPingNanos >= PING_EVERY_NANOS && !closed) {
            ping();
        }
        if (f.getBodyCase() == Frame.BodyCase.DATA) {
            onData(f.getData(), in.payload());
            return;
        }
        in.release();
        if (!ready && f.getBodyCase() != Frame.BodyCase.HELLO && f.getBodyCase() != Frame.BodyCase.GOODBYE) {
            protocolError("expected Hello first, got " + f.getBodyCase());
            return;
        }
        switch (f.getBodyCase()) {
            case HELLO -> onHello(f.getHello());
            case OFFER -> onOffer(f.getOffer());
            case START -> onStart(f.getStart());
            case END -> onEnd(f.getEnd());
            case CANCEL -> onCancel(f.getCancel().getStream(), f.getCancel().getMessage());
            case CREDIT -> returns.onCredit(f.getCredit());
            case VERIFIED -> returns.onVerified(f.getVerified());
            case FAILED -> returns.onFailed(f.getFailed());
            case PING -> write(OutboundFrame.of(Frame.newBuilder()
                    .setPong(Pong.newBuilder().setNanos(f.getPing().getNanos())).build()), true);
            case PONG -> {
                if (f.getPong().getNanos() == lastPingNanos) {
                    long sample = System.nanoTime() - lastPingNanos;
                    inbound.traffic.rtt(sample);
                    if (inbound.traffic.firstBufferCheck()) {
                        String advice = peers.buffers().advice(false, SocketBuffers.rttNanos(ctx.channel(), sample), 1);
                        if (advice != null) {
                            LOG.info("receiving from {}: {}", peerName, advice);
                        }
                    }
                }
            }
            case GOODBYE -> {
                LOG.info("{} said goodbye: {} {}", peerName, f.getGoodbye().getReason(), f.getGoodbye().getMessage());
                ctx.close();
            }
            default -> protocolError("unexpected " + f.getBodyCase() + " from a sender");
        }
    }

    private void onHello(Hello hello) {
        if (ready) {
            protocolError("second Hello");
            return;
        }
        if (!hello.getVersionsList().contains(WireLimits.VERSION)) {
            String msg = "this receiver speaks protocol version " + WireLimits.VERSION + "; the sender offered "
                    + hello.getVersionsList();
            LOG.warn("refused {}: {}", peerName, msg);
            goodbye(Reason.UNSUPPORTED_VERSION, msg);
            return;
        }
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        try {
            peer = ssl != null ? TlsContexts.peerId(ssl) : parseClaimed(hello.getNodeId());
        } catch (SSLException e) {
            goodbye(Reason.UNKNOWN_PEER, "no peer certificate: " + e.getMessage());
            return;
        }
        peerName = (peer == null ? "unidentified node" : peer.shortForm()) + "@" + ctx.channel().remoteAddress();
        if (!config.allows(peer)) {
            String msg = "node ID " + peer + " is not allowed on this receiver (allow it with --allow " + peer + ")";
            LOG.warn("refused sender at {}: {}", ctx.channel().remoteAddress(), msg);
            goodbye(Reason.UNKNOWN_PEER, msg);
            return;
        }
        ready = true;
        connectionCredit = config.connectionWindow();
        inbound = peers.connected(peer, ctx.channel().remoteAddress());
        LOG.info("sender {} connected ({})", peer == null ? "(plain, unidentified)" : peer,
                ssl != null ? "TLS " + ssl.engine().getSession().getProtocol() : "plain TCP");
        HelloAck.Builder ack = HelloAck.newBuilder().setVersion(WireLimits.VERSION).setNodeId(localId.toString())
                .addCapabilities(WireLimits.CAPABILITY_MIRROR).addCapabilities(WireLimits.CAPABILITY_STRIPES)
                .addCapabilities(WireLimits.CAPABILITY_EAGER).setEagerMax(eagerMax());
        if (transcoder.available()) {
            ack.addCapabilities(WireLimits.CAPABILITY_TRANSCODE).addCapabilities(WireLimits.CAPABILITY_CONVERT);
        }
        if (returns.available()) {
            ack.addCapabilities(WireLimits.CAPABILITY_RETURN);
        }
        write(OutboundFrame.of(Frame.newBuilder().setHelloAck(ack
                .setConnectionWindow(config.connectionWindow()).setMaxPayload(WireLimits.MAX_PAYLOAD)
                .setMaxStreams(config.maxStreams())).build()), true);
        // the first Ping goes with the sender's first frame after HelloAck: a sender still checking this node's
        // ID (plain links) is not ready yet, and one from before Pings at connect would take it for a protocol error
        lastPingNanos = System.nanoTime() - PING_EVERY_NANOS;
    }

    /** Sends a Ping stamped with this loop's clock; the Pong echoing the stamp gives one RTT sample. */
    private void ping() {
        lastPingNanos = System.nanoTime();
        write(OutboundFrame.of(Frame.newBuilder().setPing(Ping.newBuilder().setNanos(lastPingNanos)).build()), true);
    }

    private static NodeId parseClaimed(String text) {
        try {
            return text.isEmpty() ? null : NodeId.parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void onOffer(Offer offer) {
        long id = offer.getStream();
        if (id == 0 || streams.containsKey(id)) {
            protocolError("Offer on stream " + id + " which is " + (id == 0 ? "reserved" : "already open"));
            return;
        }
        if (streams.size() >= config.maxStreams()) {
            write(Frames.reject(id, Reason.BUSY, "receiver has " + streams.size() + " streams open",
                    admission.retryAfterMillis()), true);
            return;
        }
        if (offer.hasConvert()) {
            onConvertOffer(offer);
            return;
        }
        boolean rename = !offer.getRenameFrom().isEmpty();
        boolean transcode = offer.hasTranscode();
        if ((offer.getDirectory() ? 1 : 0) + (offer.getRemove() ? 1 : 0) + (rename ? 1 : 0) + (transcode ? 1 : 0)
                + (offer.hasStripe() ? 1 : 0) > 1) {
            write(Frames.reject(id, Reason.PROTOCOL_ERROR,
                    "an offer is at most one of directory, remove, rename, transcode and stripe"), true);
            return;
        }
        if (offer.getEager() && (offer.getDirectory() || offer.getRemove() || rename || transcode
                || offer.hasStripe() || offer.getSize() > eagerMax())) {
            protocolError("eager offer on stream " + id + " of " + offer.getSize() + " bytes; eager offers are plain"
                    + " files of at most " + eagerMax() + " bytes");
            return;
        }
        if (transcode) {
            StorageRefusal no = transcoder.refusal(offer);
            if (no != null) {
                LOG.warn("refused a transcode from {}: {}", peerName, no.getMessage());
                write(Frames.reject(id, no.reason(), no.getMessage()), true);
                return;
            }
        }
        // a transcode blocks on its ffmpeg for as long as that takes: it gets a thread of its own
        InboundStream s = new InboundStream(id, offer,
                new DiskChain(transcode ? transcoder.executor() : disk, ctx.executor()));
        streams.put(id, s);
        if (offer.getEager()) {
            // the data follows at once, before this node has said anything: held until the file is open
            s.state = InboundStream.State.EAGER;
            s.credit = offer.getSize();
        }
        if (offer.getRemove() || rename) {
            applyMirrorEdit(s);
            return;
        }
        if (offer.getDirectory()) {
            onDisk(s, () -> {
                landing.makeDirectory(offer.getPath());
                return null;
            }, (ok, err) -> {
                streams.remove(id);
                if (err == null) {
                    events.directory(peer, offer.getPath());
                    write(Frames.verified(id, 0, false), true);
                } else {
                    refuse(id, offer.getPath(), err, "make the directory");
                }
            });
            return;
        }
        admit(s);
    }

    private void admit(InboundStream s) {
        Offer offer = s.offer;
        admission.admit(peer, offer.getPath(), offer.hasStripe() ? offer.getStripe().getLength() : offer.getSize())
                .whenComplete((ticket, err) ->
                ctx.executor().execute(() -> admitted(s, ticket, err)));
    }

    /**
     * "Convert and return" ({@code Offer.convert}): checked like a whole-file conversion, before any payload;
     * then admitted and uploaded as a file (into the spool, or not at all when the result is stored), and
     * handed to {@link ReturnStreams}.
     */
    private void onConvertOffer(Offer offer) {
        long id = offer.getStream();
        if (!returns.available()) {
            write(Frames.reject(id, Reason.UNSUPPORTED_PROFILE, "this node does not convert for others"
                    + (transcoder.available() ? "" : ": it has no ffmpeg")), true);
            return;
        }
        String misshapen = ReturnStreams.misshapen(offer);
        if (misshapen != null) {
            write(Frames.reject(id, Reason.PROTOCOL_ERROR, misshapen), true);
            return;
        }
        StorageRefusal no = transcoder.refusal(offer);
        if (no != null) {
            LOG.warn("refused a conversion for {}: {}", peerName, no.getMessage());
            write(Frames.reject(id, no.reason(), no.getMessage()), true);
            return;
        }
        InboundStream s = new InboundStream(id, offer, new DiskChain(disk, ctx.executor()));
        streams.put(id, s);
        returns.open(s, transcoder.profile(offer.getTranscode().getProfile()));
        admit(s);
    }

    private void admitted(InboundStream s, Admission.Ticket ticket, Throwable err) {
        long id = s.id;
        Offer offer = s.offer;
        if (closed || streams.get(id) != s) {
            if (ticket != null) {
                ticket.release();
            }
            return;
        }
        if (ticket == null) {
            drop(s);
            write(Frames.reject(id, Reason.BUSY, err != null ? "receiver cannot admit now: " + err.getMessage()
                    : "receiver is at its limit for incoming files", admission.retryAfterMillis()), true);
            return;
        }
        s.ticket = ticket;
        onDisk(s, () -> s.ret != null ? returns.begin(s.ret)
                : offer.hasTranscode() ? transcoder.begin(landing, offer)
                : offer.hasStripe() ? landing.beginStripe(offer.getPath(), offer.getSize(), offer.getMtimeMillis(),
                        offer.getStripe().getOffset(), offer.getStripe().getLength())
                : landing.begin(offer.getPath(), offer.getSize(), offer.getMtimeMillis()), (incoming, err2) -> {
            if (err2 != null) {
                drop(s);
                refuse(id, offer.getPath(), err2, "open the file");
                return;
            }
            if (closed || streams.get(id) != s) {
                onDisk(s, () -> { incoming.abandon(); return null; }, (x, e) -> { });
                return;
            }
            s.incoming = incoming;
            if (offer.getEager()) {
                startEager(s);
                return;
            }
            s.state = InboundStream.State.ACCEPTED;
            s.resumeOffset = incoming.resumeOffset();
            // ffmpeg takes a few MB/s: a small window keeps what waits for it in memory small (and the sending
            // ffmpeg close behind the receiving one)
            int window = split(offer) ? Math.min(TRANSCODE_WINDOW, config.streamWindow()) : config.streamWindow();
            s.credit = window;
            write(Frames.accept(id, incoming.resumeOffset(), incoming.prefixDigest(), window, incoming.present()), true);
        });
    }

    /**
     * An eager offer is admitted and its file open: the data starts at 0 (a kept partial is replaced; a present
     * file is compared at the end) and what arrived meanwhile is written, then the End if it came.
     */
    private void startEager(InboundStream s) {
        s.state = InboundStream.State.STARTED;
        onDisk(s, () -> {
            s.incoming.startFrom(0);
            return null;
        }, (x, err) -> {
            if (err != null) {
                failStream(s, Reason.IO_ERROR, "receiver could not prepare the file: " + err.getMessage(), true);
            }
        });
        long offset = 0;
        for (ByteBuf b : s.held) {
            int len = b.readableBytes();
            write(s, offset, len, b);
            offset += len;
        }
        s.held.clear();
        End end = s.heldEnd;
        s.heldEnd = null;
        if (end != null) {
            onEnd(end);
        }
    }

    /** A remove or rename: no data, answered Verified or Reject once the disk work is done. */
    private void applyMirrorEdit(InboundStream s) {
        Offer offer = s.offer;
        String from = offer.getRenameFrom();
        boolean remove = offer.getRemove();
        onDisk(s, () -> remove ? mirror.remove(offer.getPath()) : mirror.rename(from, offer.getPath()),
                (changed, err) -> {
                    drop(s);
                    if (err != null) {
                        refuse(s.id, offer.getPath(), err, remove ? "remove the file" : "rename the file");
                        return;
                    }
                    if (changed) {
                        if (remove) {
                            events.removed(peer, offer.getPath());
                        } else {
                            events.renamed(peer, from, offer.getPath());
                        }
                    }
                    write(Frames.verified(s.id, 0, !changed), true);
                });
    }

    private void refuse(long id, String path, Throwable err, String doing) {
        if (err instanceof StorageRefusal r) {
            // the refusal's message quotes the path escaped; the raw path may hold control characters
            LOG.warn("refused an offer from {}: {}", peerName, r.getMessage());
            write(r.reason() == Reason.BUSY
                    ? Frames.reject(id, r.reason(), r.getMessage(), admission.retryAfterMillis())
                    : Frames.reject(id, r.reason(), r.getMessage()), true);
        } else {
            LOG.warn("could not {} '{}' from {}: {}", doing, path, peerName, err.toString());
            write(Frames.reject(id, Reason.IO_ERROR, "receiver could not " + doing + ": " + err.getMessage()), true);
        }
    }

    private void onStart(Start start) {
        InboundStream s = streams.get(start.getStream());
        if (s == null || s.state != InboundStream.State.ACCEPTED) {
            protocolError("Start on stream " + start.getStream() + " which is not waiting for it");
            return;
        }
        long offset = start.getOffset();
        long first = s.firstOffset();
        if (offset != first && offset != s.resumeOffset) {
            protocolError("Start at " + offset + " on stream " + s.id + "; only " + first + " or " + s.resumeOffset
                    + " allowed");
            return;
        }
        s.state = InboundStream.State.STARTED;
        s.next = offset;
        if (offset > first) {
            inbound.traffic.resumed();
        }
        onDisk(s, () -> {
            s.incoming.startFrom(offset);
            return null;
        }, (x, err) -> {
            if (err != null) {
                failStream(s, Reason.IO_ERROR, "receiver could not prepare the file: " + err.getMessage(), true);
            }
        });
    }

    private void onData(Data data, ByteBuf payload) {
        InboundStream s = streams.get(data.getStream());
        int len = data.getLength();
        if (!ready || len > connectionCredit) {
            payload.release();
            protocolError(ready ? "sender overran the connection window" : "Data before Hello");
            return;
        }
        connectionCredit -= len;
        inbound.traffic.received(len);
        if (s == null || s.state == InboundStream.State.FAILED) {
            // a stream we already failed or the sender cancelled: drop the bytes but give the credit back
            payload.release();
            returnCredit(0, len);
            return;
        }
        boolean eager = s.state == InboundStream.State.EAGER;
        if ((s.state != InboundStream.State.STARTED && !eager) || data.getOffset() != s.next || len > s.credit
                || (!split(s.offer) && s.next + len > s.endOffset())) {
            payload.release();
            protocolError("Data on stream " + s.id + " at " + data.getOffset() + "+" + len + " does not fit (state "
                    + s.state + ", expected offset " + s.next + ", credit " + s.credit + ")");
            return;
        }
        long offset = s.next;
        s.next += len;
        s.credit -= len;
        if (eager) {
            s.held.add(payload); // the sender's connection credit bounds what is held
            return;
        }
        if (len > 0 && (s.credit == 0 || connectionCredit == 0)) {
            inbound.traffic.creditStall();
        }
        write(s, offset, len, payload);
    }

    /** Writes {@code payload} (released here) at {@code offset} on the stream's chain, then returns its credit. */
    private void write(InboundStream s, long offset, int len, ByteBuf payload) {
        onDisk(s, () -> {
            try {
                long pos = offset;
                for (ByteBuffer b : payload.nioBuffers()) {
                    int n = b.remaining();
                    s.incoming.write(b, pos);
                    pos += n;
                }
                return null;
            } finally {
                payload.release();
            }
        }, (x, err) -> {
            if (err != null) {
                returnCredit(0, len);
                if (err instanceof SinkFailure f) {
                    failStream(s, f.reason(), f.getMessage(), true);
                } else {
                    failStream(s, Reason.IO_ERROR, "receiver could not write: " + err.getMessage(), true);
                }
                return;
            }
            s.received += len;
            if (closed) {
                return; // after a Goodbye nothing more goes out
            }
            if (streams.get(s.id) == s) {
                s.credit += len;
                ctx.write(Frames.credit(s.id, len));
            }
            returnCredit(0, len);
        });
    }

    private void returnCredit(long stream, int len) {
        if (stream == 0) {
            connectionCredit += len;
        }
        write(Frames.credit(stream, len), true);
    }

    private void onEnd(End end) {
        InboundStream s = streams.get(end.getStream());
        if (s == null) {
            return; // already failed; the sender will have heard
        }
        if (s.state == InboundStream.State.EAGER && s.heldEnd == null) {
            s.heldEnd = end; // handled once the file is open
            return;
        }
        if (s.state != InboundStream.State.STARTED) {
            protocolError("End on stream " + s.id + " in state " + s.state);
            return;
        }
        s.state = InboundStream.State.ENDING;
        byte[] digest = end.getDigest().toByteArray();
        onDisk(s, () -> s.incoming.finish(end.getByteCount(), digest), (verdict, err) -> {
            if (s.ret != null) {
                returns.uploaded(s, verdict, err);
                return;
            }
            drop(s);
            if (err != null) {
                LOG.warn("could not complete '{}' from {}: {}", s.offer.getPath(), peerName, err.toString());
                write(Frames.failed(s.id, Reason.IO_ERROR, "receiver could not complete the file: "
                        + err.getMessage(), true), true);
                return;
            }
            switch (verdict.outcome()) {
                case PART_VERIFIED -> write(Frames.verified(s.id, end.getByteCount(), false, false), true);
                case VERIFIED, ALREADY_PRESENT -> {
                    boolean present = verdict.outcome() == Verdict.Outcome.ALREADY_PRESENT;
                    if (s.offer.hasStripe()) {
                        if (!present) {
                            // the parts came on several streams: this one's byte count is not the file's
                            events.file(peer, s.offer.getPath(), s.offer.getSize(), s.offer.getSize(), false);
                        }
                        write(Frames.verified(s.id, end.getByteCount(), present, !present), true);
                        return;
                    }
                    if (s.offer.hasTranscode()) {
                        LOG.info("{} from {}", verdict.message(), peerName);
                        events.transcoded(peer, s.offer.getPath(), s.offer.getTranscode().getProfile(), s.received);
                    } else {
                        events.file(peer, s.offer.getPath(), s.offer.getSize(), s.received, present);
                    }
                    write(Frames.verified(s.id, end.getByteCount(), present), true);
                }
                case HASH_MISMATCH, SIZE_MISMATCH, TRANSCODE_FAILED, OUTPUT_MISMATCH -> {
                    LOG.warn("'{}' from {} failed verification: {}", s.offer.getPath(), peerName, verdict.message());
                    write(Frames.failed(s.id, verdict.reason(), verdict.message(), verdict.retryable()), true);
                }
            }
        });
    }

    /** A split transcode: the payload is the sending ffmpeg's output, its length known only at End. */
    private static boolean split(Offer offer) {
        return offer.hasTranscode() && !offer.getTranscode().getWireFormat().isEmpty();
    }

    /** Largest eager offer: small files only, within one stream's window. */
    private long eagerMax() {
        return Math.min(EAGER_MAX, config.streamWindow());
    }

    private void onCancel(long id, String why) {
        InboundStream s = streams.get(id);
        if (s == null) {
            return;
        }
        if (s.ret != null) {
            returns.cancelled(s.ret);
        }
        drop(s);
        LOG.info("{} cancelled '{}': {}", peerName, s.offer.getPath(), why);
        s.state = InboundStream.State.FAILED;
        s.stopSink();
        onDisk(s, () -> {
            if (s.incoming != null) {
                s.incoming.discard();
            }
            return null;
        }, (x, err) -> { });
    }

    private void failStream(InboundStream s, Reason reason, String message, boolean retryable) {
        if (s.state == InboundStream.State.FAILED) {
            return;
        }
        s.state = InboundStream.State.FAILED;
        LOG.warn("stream '{}' from {} failed: {}", s.offer.getPath(), peerName, message);
        write(Frames.failed(s.id, reason, message, retryable), true);
        drop(s);
        s.stopSink();
        onDisk(s, () -> {
            if (s.incoming != null) {
                s.incoming.abandon();
            }
            return null;
        }, (x, err) -> { });
    }

    /** The stream is over: forget it and give its admission ticket back. */
    private void drop(InboundStream s) {
        streams.remove(s.id, s);
        if (s.ret != null) {
            returns.forget(s.ret);
        }
        int held = s.releaseHeld();
        if (held > 0 && !closed) {
            returnCredit(0, held); // an eager offer refused: the sender's connection credit comes back
        }
        if (s.ticket != null) {
            s.ticket.release();
            s.ticket = null;
        }
    }

    private <T> void onDisk(InboundStream s, Callable<T> work, BiConsumer<T, Throwable> then) {
        s.chain.then(work, then);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        if (inbound != null) {
            peers.disconnected(inbound);
        }
        for (InboundStream s : streams.values()) {
            if (s.ret != null) {
                returns.closed(s.ret);
            }
            s.stopSink();
            onDisk(s, () -> {
                if (s.incoming != null) {
                    s.incoming.abandon();
                }
                return null;
            }, (x, err) -> { });
        }
        if (!streams.isEmpty()) {
            LOG.info("connection from {} closed with {} stream(s) open; partials kept for resume",
                    peerName, streams.size());
        }
        List.copyOf(streams.values()).forEach(this::drop);
        ctx.fireChannelInactive();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && returns != null) {
            returns.pump();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent e) {
            switch (e.state()) {
                case WRITER_IDLE -> ping();
                case READER_IDLE -> {
                    LOG.warn("{} silent for too long; closing", peerName);
                    ctx.close();
                }
                default -> { }
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException && cause.getCause() instanceof SSLException ssl) {
            LOG.warn("TLS with {} failed: {} (is the sender using --plain while this receiver uses TLS?)",
                    peerName, ssl.getMessage());
            ctx.close();
        } else if (cause instanceof DecoderException) {
            protocolError(cause.getMessage() + " (a TLS sender talking to a plain receiver looks like this too)");
        } else if (cause instanceof IOException) {
            LOG.debug("connection from {} failed: {}", peerName, cause.toString());
            ctx.close();
        } else {
            LOG.warn("unexpected error on connection from {}", peerName, cause);
            ctx.close();
        }
    }

    private void protocolError(String message) {
        LOG.warn("protocol error from {}: {}", peerName, message);
        goodbye(Reason.PROTOCOL_ERROR, message);
    }

    private void goodbye(Reason reason, String message) {
        closed = true;
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(Frames.goodbye(reason, message)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void write(OutboundFrame frame, boolean flush) {
        if (flush) {
            ctx.writeAndFlush(frame, ctx.voidPromise());
        } else {
            ctx.write(frame, ctx.voidPromise());
        }
    }
}

package fff.sender;

import static fff.common.testing.TestData.bytes;
import static fff.common.testing.TestData.digest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import fff.common.hash.ContentHasher;
import fff.common.identity.NodeId;
import fff.common.identity.NodeIdentity;
import fff.common.paths.SafePaths;
import fff.common.peers.PeerTraffic;
import fff.common.rate.Rate;
import fff.common.rate.RateLimiter;
import fff.common.rate.RateSchedule;
import fff.common.testing.FakeClock;
import fff.common.transcode.FfmpegTools;
import fff.common.transcode.Profiles;
import fff.common.wire.Frames;
import fff.common.wire.InboundFrame;
import fff.common.wire.OutboundFrame;
import fff.common.wire.WireLimits;
import fff.proto.Accept;
import fff.proto.Failed;
import fff.proto.Frame;
import fff.proto.Goodbye;
import fff.proto.HashAlgorithm;
import fff.proto.HelloAck;
import fff.proto.MediaInfo;
import fff.proto.MediaStream;
import fff.proto.Offer;
import fff.proto.Pong;
import fff.proto.Ping;
import fff.proto.Reason;
import fff.proto.Reject;
import fff.proto.ResultState;
import fff.proto.Verified;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SenderSession} on an {@link EmbeddedChannel} without the codec, against a recording {@link
 * SenderSession.Owner}. The test plays the receiver: it writes {@code InboundFrame}s and reads the session's
 * {@code OutboundFrame}s, copying and releasing every payload.
 *
 * <p>Most tests build the session with {@code plain = false} and no {@code SslHandler}: with no SslHandler in
 * the pipeline the session sends Hello as soon as the channel is active, and with {@code plain = false} the
 * payload goes through memory in pooled {@link ByteBuf}s (256 KiB chunks), which exercises the read-and-hash
 * path and the buffer ownership; the receiver's claimed id is then not checked (TLS would have). The plain
 * tests use {@code plain = true}: the claimed id goes to {@code verifyPeer} and payload leaves as
 * {@link FileRegion}s.
 */
class SenderSessionTest {

    private static final int MIB = ContentHasher.BLOCK_SIZE;
    private static final int CHUNK_TLS = 1 << 20; // SenderSession reads whole 1 MiB blocks
    private static final long MTIME = 1_600_000_000_000L;

    @TempDir
    Path tmp;

    private NodeId localId;
    private NodeId receiverId;
    private final RecordingOwner owner = new RecordingOwner();
    private final List<long[]> progress = new ArrayList<>();
    private final PeerTraffic traffic = new PeerTraffic();
    /** What a returned conversion's listener heard: "state progress". */
    private final List<String> conversions = new ArrayList<>();
    /** Payloads handed to the session as a converter's Data; all must end released. */
    private final List<ByteBuf> converterPayloads = new ArrayList<>();
    private EmbeddedChannel ch;
    private SenderSession session;
    private Executor disk;
    /** The stamp of the Ping the session sent when it became ready. */
    private long readyPing;

    @BeforeEach
    void setUp() throws IOException {
        localId = NodeIdentity.create(tmp.resolve("sender")).id();
        receiverId = NodeIdentity.create(tmp.resolve("receiver")).id();
    }

    @AfterEach
    void tearDown() {
        if (ch != null) {
            ch.close();
            drain(disk);
            ch.finishAndReleaseAll();
        }
        for (ByteBuf b : converterPayloads) {
            assertEquals(0, b.refCnt(), "a converter's Data payload was not released");
        }
    }

    // ---- handshake ----

    @Test
    void helloOnActiveAndReadyOnHelloAck() {
        open(Runnable::run, false);
        Frame hello = single(drain()).frame();
        assertEquals(List.of(WireLimits.VERSION), hello.getHello().getVersionsList());
        assertEquals(localId.toString(), hello.getHello().getNodeId());
        assertFalse(hello.getHello().getPlain());
        assertEquals(0, owner.ready);

        ch.writeInbound(helloAck(32 * MIB, 7));
        assertTrue(single(drain()).frame().hasPing(), "a Ping at once, for the round-trip time");
        assertEquals(1, owner.ready);
        assertEquals(7, session.maxStreams());
        assertEquals(List.of(), owner.verified, "without plain the certificate, not the claimed id, is checked");
    }

    @Test
    void plainSessionChecksTheClaimedIdAndSendsFileRegions() throws IOException {
        open(Runnable::run, true);
        assertTrue(single(drain()).frame().getHello().getPlain());
        ch.writeInbound(helloAck(32 * MIB, 4));
        drain();
        assertEquals(List.of(receiverId), owner.verified);
        assertEquals(1, owner.ready);

        byte[] src = bytes(MIB + 1000, 1);
        Transfer t = transfer(file("p.bin", src), "p.bin");
        session.start(t);
        drain();
        ch.writeInbound(accept(1, 0, new byte[0], 8 * MIB));
        List<Out> out = drain();
        assertEquals(Frames.start(1, 0).frame(), out.get(0).frame());
        List<Out> data = data(out);
        assertEquals(2, data.size(), "1 MiB regions");
        assertTrue(data.stream().allMatch(o -> o.region), "zero-copy on a plain link");
        assertArrayEquals(src, concat(data));
        assertArrayEquals(digest(src, src.length), last(out).frame().getEnd().getDigest().toByteArray());
    }

    @Test
    void aPingWhileThePlainLinkChecksTheIdIsAnswered() {
        ManualExecutor disk = new ManualExecutor();
        open(disk, true);
        drain();
        ch.writeInbound(helloAck(32 * MIB, 4));
        assertEquals(1, disk.pending(), "the claimed id is being checked");
        ch.writeInbound(in(Frame.newBuilder().setPing(Ping.newBuilder().setNanos(7)).build()));
        ch.runPendingTasks();
        assertEquals(7, copy((OutboundFrame) ch.readOutbound()).frame().getPong().getNanos());
        assertTrue(ch.isActive());
        assertEquals(0, owner.ready);
        assertEquals(1, disk.pending());
        assertTrue(drain().stream().anyMatch(o -> o.frame().hasPing()), "ready: its own Ping for the round trip");
        assertEquals(1, owner.ready);
    }

    @Test
    void plainSessionRefusesAReceiverWithTheWrongId() {
        owner.refusal = "not the receiver we wanted";
        open(Runnable::run, true);
        drain();
        ch.writeInbound(helloAck(32 * MIB, 4));
        drain();
        assertFalse(ch.isActive());
        assertEquals(0, owner.ready);
        Closed c = owner.onlyClosed();
        assertFalse(c.wasReady);
        assertEquals(Reason.UNKNOWN_PEER, c.fatal.reason());
        assertFalse(c.fatal.retryable());
        assertEquals("not the receiver we wanted", c.fatal.getMessage());
    }

    @Test
    void frameBeforeHelloAckIsAProtocolError() {
        open(Runnable::run, false);
        drain();
        ch.writeInbound(in(Frames.credit(0, 10).frame()));
        Frame bye = single(drain()).frame();
        assertEquals(Reason.PROTOCOL_ERROR, bye.getGoodbye().getReason());
        assertFalse(ch.isActive());
        Closed c = owner.onlyClosed();
        assertEquals(Reason.PROTOCOL_ERROR, c.fatal.reason());
        assertFalse(c.fatal.retryable());
    }

    @Test
    void goodbyeUnknownPeerIsFatalWithTheReceiversMessage() {
        open(Runnable::run, false);
        drain();
        ch.writeInbound(goodbye(Reason.UNKNOWN_PEER, "node ID X is not allowed on this receiver"));
        drain();
        assertFalse(ch.isActive());
        Closed c = owner.onlyClosed();
        assertFalse(c.wasReady);
        assertEquals(Reason.UNKNOWN_PEER, c.fatal.reason());
        assertFalse(c.fatal.retryable());
        assertTrue(c.fatal.getMessage().contains("node ID X is not allowed on this receiver"), c.fatal.getMessage());
        assertEquals(List.of(), c.interrupted);
    }

    // ---- one file ----

    @Test
    void wholeFileWithinStreamCredit() throws IOException {
        int window = 300_000;
        byte[] src = bytes(MIB + 300_000, 2);
        ready(Runnable::run, 32 * MIB);
        Transfer t = transfer(file("a.bin", src), "dir/a.bin");
        session.start(t);
        Offer offer = single(drain()).frame().getOffer();
        assertEquals(1, offer.getStream());
        assertEquals("dir/a.bin", offer.getPath());
        assertEquals(src.length, offer.getSize());
        assertEquals(MTIME, offer.getMtimeMillis());
        assertEquals(HashAlgorithm.XXH3_128_BLOCKS, offer.getHash());
        assertFalse(offer.getDirectory());

        ch.writeInbound(accept(1, 0, new ContentHasher().digest(), window));
        List<Out> all = new ArrayList<>(drain());
        assertEquals(Frames.start(1, 0).frame(), all.get(0).frame());
        long granted = window;
        long sent = total(data(all));
        assertEquals(window, sent, "uses the whole window and no more");
        while (!last(all).frame().hasEnd()) {
            long chunkCredit = sent - (granted - window);
            ch.writeInbound(in(Frames.credit(1, chunkCredit).frame()), in(Frames.credit(0, chunkCredit).frame()));
            granted += chunkCredit;
            List<Out> more = drain();
            assertFalse(more.isEmpty(), "stalled at " + sent);
            all.addAll(more);
            sent = total(data(all));
            assertTrue(sent <= granted, sent + " sent with " + granted + " credit");
        }
        List<Out> data = data(all);
        assertTrue(data.stream().allMatch(o -> o.payload.length <= CHUNK_TLS));
        assertContiguousFrom(0, data);
        assertArrayEquals(src, concat(data));
        assertEquals(all.size() - 2, data.size(), "Start, Data..., End");
        Frame end = last(all).frame();
        assertEquals(1, end.getEnd().getStream());
        assertEquals(src.length, end.getEnd().getByteCount());
        assertArrayEquals(digest(src, src.length), end.getEnd().getDigest().toByteArray());

        ch.writeInbound(verified(1, src.length));
        assertEquals(List.of(), drain());
        Done d = owner.onlyDone();
        assertSame(t, d.transfer);
        assertNull(d.error);
        assertEquals("dir/a.bin", d.result.remotePath());
        assertEquals(src.length, d.result.size());
        assertEquals(src.length, d.result.bytesSent());
        assertEquals(0, d.result.resumedFrom());
        assertFalse(d.result.alreadyPresent());
        assertArrayEquals(new long[] {src.length, src.length}, progress.get(progress.size() - 1));
        assertEquals(src.length, traffic.sentBytes());
        assertEquals(4, traffic.creditStalls(), "four times the window ran out with data left, not at the end");
        assertEquals(0, traffic.resumes());
    }

    // ---- eager offers: small files without waiting for Accept ----

    private void readyWithEager(int connectionWindow, long eagerMax) {
        open(Runnable::run, false);
        assertTrue(single(drain()).frame().hasHello());
        ch.writeInbound(in(Frame.newBuilder().setHelloAck(HelloAck.newBuilder().setVersion(WireLimits.VERSION)
                .setNodeId(receiverId.toString()).addCapabilities(WireLimits.CAPABILITY_EAGER).setEagerMax(eagerMax)
                .setConnectionWindow(connectionWindow).setMaxPayload(WireLimits.MAX_PAYLOAD).setMaxStreams(8))
                .build()));
        assertTrue(single(drain()).frame().hasPing());
    }

    @Test
    void aSmallFileGoesWholeRightAfterItsEagerOfferWithoutStart() throws IOException {
        byte[] src = bytes(300_000, 40);
        readyWithEager(32 * MIB, MIB);
        Transfer t = transfer(file("e.bin", src), "e.bin");
        session.start(t);
        List<Out> all = drain();
        Offer offer = all.get(0).frame().getOffer();
        assertTrue(offer.getEager());
        assertEquals(src.length, offer.getSize());
        assertTrue(all.stream().noneMatch(o -> o.frame.hasStart()), "an eager offer has no Start");
        assertContiguousFrom(0, data(all));
        assertArrayEquals(src, concat(data(all)));
        Frame end = last(all).frame();
        assertArrayEquals(digest(src, src.length), end.getEnd().getDigest().toByteArray());
        ch.writeInbound(verified(1, src.length));
        drain();
        Done d = owner.onlyDone();
        assertNull(d.error);
        assertEquals(src.length, d.result.bytesSent());
    }

    @Test
    void eagerDataStaysWithinTheConnectionCredit() throws IOException {
        byte[] src = bytes(300_000, 41);
        readyWithEager(100_000, MIB);
        session.start(transfer(file("w.bin", src), "w.bin"));
        List<Out> all = drain();
        assertEquals(100_000, total(data(all)));
        ch.writeInbound(in(Frames.credit(0, 250_000).frame()));
        all.addAll(drain());
        assertEquals(300_000, total(data(all)));
        assertTrue(last(all).frame().hasEnd());
    }

    @Test
    void aFileAboveTheEagerLimitWaitsForAccept() throws IOException {
        readyWithEager(32 * MIB, 1000);
        session.start(transfer(file("big.bin", bytes(1001, 42)), "big.bin"));
        Offer offer = single(drain()).frame().getOffer();
        assertFalse(offer.getEager());
    }

    @Test
    void aReceiverWithoutEagerOffersGetsNone() throws IOException {
        ready(Runnable::run, 32 * MIB); // an older receiver: no "eager" capability
        session.start(transfer(file("small.bin", bytes(10, 43)), "small.bin"));
        assertFalse(single(drain()).frame().getOffer().getEager());
    }

    @Test
    void aRejectedEagerOfferStopsItsData() throws IOException {
        byte[] src = bytes(300_000, 44);
        readyWithEager(100_000, MIB);
        Transfer t = transfer(file("r.bin", src), "r.bin");
        session.start(t);
        assertEquals(100_000, total(data(drain())));
        ch.writeInbound(in(Frames.reject(1, Reason.BUSY, "full", 1000).frame()));
        ch.writeInbound(in(Frames.credit(0, 100_000).frame()));
        assertEquals(List.of(), data(drain()), "nothing more of a refused file");
        Done d = owner.onlyDone();
        assertEquals(Reason.BUSY, d.error.reason());
        assertTrue(d.error.retryable());
    }

    @Test
    void resumesAfterAMatchingPrefix() throws IOException {
        byte[] src = bytes(2 * MIB + 500_000, 3);
        ready(Runnable::run, 32 * MIB);
        Transfer t = transfer(file("r.bin", src), "r.bin");
        session.start(t);
        drain();
        ch.writeInbound(accept(1, MIB, digest(src, MIB), 8 * MIB));
        List<Out> out = drain();
        assertEquals(Frames.start(1, MIB).frame(), out.get(0).frame());
        List<Out> data = data(out);
        assertContiguousFrom(MIB, data);
        assertArrayEquals(Arrays.copyOfRange(src, MIB, src.length), concat(data));
        assertArrayEquals(digest(src, src.length), last(out).frame().getEnd().getDigest().toByteArray(),
                "the End digest covers the whole file, prefix included");
        ch.writeInbound(verified(1, src.length));
        drain();
        Done d = owner.onlyDone();
        assertEquals(MIB, d.result.resumedFrom());
        assertEquals(src.length - MIB, d.result.bytesSent());
        assertEquals(1, traffic.resumes());
        assertEquals(src.length - MIB, traffic.sentBytes());
    }

    @Test
    void startsOverWhenThePrefixIsNotOurs() throws IOException {
        byte[] src = bytes(2 * MIB, 4);
        ready(Runnable::run, 32 * MIB);
        session.start(transfer(file("w.bin", src), "w.bin"));
        drain();
        byte[] wrong = digest(src, MIB);
        wrong[3] ^= 1;
        ch.writeInbound(accept(1, MIB, wrong, 8 * MIB));
        List<Out> out = drain();
        assertEquals(Frames.start(1, 0).frame(), out.get(0).frame());
        assertContiguousFrom(0, data(out));
        assertArrayEquals(src, concat(data(out)));
        assertArrayEquals(digest(src, src.length), last(out).frame().getEnd().getDigest().toByteArray());
        assertEquals(0, traffic.resumes(), "a prefix that is not ours is no resume");
    }

    @Test
    void stopsAtTheConnectionWindow() throws IOException {
        int connection = 300_000;
        byte[] src = bytes(MIB, 5);
        ready(Runnable::run, connection);
        session.start(transfer(file("c.bin", src), "c.bin"));
        drain();
        ch.writeInbound(accept(1, 0, new byte[0], 8 * MIB));
        List<Out> out = drain();
        assertEquals(connection, total(data(out)));
        assertEquals(1, traffic.creditStalls());
        ch.writeInbound(in(Frames.credit(1, 100_000).frame()));
        assertEquals(List.of(), drain(), "stream credit alone does not lift the connection limit");
        assertEquals(1, traffic.creditStalls(), "still the same stall");
        ch.writeInbound(in(Frames.credit(0, 100_000).frame()));
        List<Out> more = drain();
        assertEquals(100_000, total(data(more)));
        assertContiguousFrom(connection, data(more));
        assertEquals(2, traffic.creditStalls(), "out of connection credit again");
        assertEquals(connection + 100_000, traffic.sentBytes());
    }

    // ---- whole-file conversions at the receiver ----

    private static final MediaInfo CLIP = MediaInfo.newBuilder().setFormat("mov,mp4,m4a,3gp,3g2,mj2")
            .setDurationSeconds(1).addStreams(MediaStream.newBuilder().setKind(MediaStream.Kind.VIDEO)
                    .setCodec("h264").setFrames(25).setWidth(160).setHeight(120)).build();

    /** Ready with a receiver that converts, and also takes eager offers of anything up to 1 MiB. */
    private void readyToConvert(int connectionWindow) {
        open(Runnable::run, false);
        assertTrue(single(drain()).frame().hasHello());
        ch.writeInbound(in(Frame.newBuilder().setHelloAck(HelloAck.newBuilder().setVersion(WireLimits.VERSION)
                .setNodeId(receiverId.toString()).addCapabilities(WireLimits.CAPABILITY_CONVERT)
                .addCapabilities(WireLimits.CAPABILITY_EAGER).setEagerMax(MIB).setConnectionWindow(connectionWindow)
                .setMaxPayload(WireLimits.MAX_PAYLOAD).setMaxStreams(8)).build()));
        assertTrue(single(drain()).frame().hasPing());
    }

    /** A conversion of {@code source} with h265-mkv, as if ffprobe had found {@link #CLIP} in it. */
    private Transfer conversion(Path source, String remote) throws Exception {
        return Transfer.convert(source, remote, Files.size(source), MTIME,
                new TranscodeRequest(FfmpegTools.find(null), Profiles.builtIns().get("h265-mkv").orElseThrow(), CLIP),
                (persisted, size) -> progress.add(new long[] {persisted, size}));
    }

    @Test
    void aConversionIsOfferedWithItsProfileAndSourceAndSendsNothingBeforeAccept() throws Exception {
        byte[] src = bytes(300_000, 50); // small enough for an eager offer, which a conversion never is
        readyToConvert(32 * MIB);
        session.start(conversion(file("clip.mov", src), "in/clip.mkv"));
        Offer offer = single(drain()).frame().getOffer();
        assertEquals("in/clip.mkv", offer.getPath());
        assertEquals(src.length, offer.getSize(), "the source's size: its bytes are the payload");
        assertEquals(MTIME, offer.getMtimeMillis());
        assertEquals(HashAlgorithm.XXH3_128_BLOCKS, offer.getHash());
        assertFalse(offer.getEager());
        assertFalse(offer.hasStripe());
        assertFalse(offer.getDirectory());
        assertTrue(offer.hasTranscode());
        assertEquals("h265-mkv", offer.getTranscode().getProfile());
        assertEquals("", offer.getTranscode().getWireFormat(), "empty: a whole-file conversion");
        assertEquals(CLIP, offer.getTranscode().getSource());
        assertEquals(src.length, offer.getTranscode().getSourceSize());
        assertEquals(List.of(), drain(), "no Start and no data before Accept");
        assertEquals(List.of(), owner.done);
    }

    @Test
    void anAcceptedConversionSendsTheSourceFromZeroAndReportsProgressAsAFile() throws Exception {
        byte[] src = bytes(2 * MIB + 70_000, 51);
        readyToConvert(32 * MIB);
        Transfer t = conversion(file("clip.mov", src), "clip.mkv");
        session.start(t);
        drain();
        ch.writeInbound(accept(1, 0, new byte[0], 8 * MIB));
        List<Out> out = drain();
        assertEquals(Frames.start(1, 0).frame(), out.get(0).frame());
        assertContiguousFrom(0, data(out));
        assertArrayEquals(src, concat(data(out)));
        Frame end = last(out).frame();
        assertEquals(src.length, end.getEnd().getByteCount());
        assertArrayEquals(digest(src, src.length), end.getEnd().getDigest().toByteArray());

        ch.writeInbound(in(Frames.credit(1, MIB).frame()));
        assertArrayEquals(new long[] {MIB, src.length}, progress.get(progress.size() - 1), "bytes persisted");
        assertEquals(List.of(), owner.done, "done only when the receiver has the result");
        ch.writeInbound(verified(1, src.length));
        drain();
        Done d = owner.onlyDone();
        assertSame(t, d.transfer);
        assertNull(d.error);
        assertEquals("clip.mkv", d.result.remotePath());
        assertEquals(src.length, d.result.bytesSent());
        assertEquals(0, d.result.resumedFrom());
        assertArrayEquals(new long[] {src.length, src.length}, progress.get(progress.size() - 1));
    }

    @Test
    void aConversionToAReceiverThatCannotConvertFailsFinalAndSendsNothing() throws Exception {
        ready(Runnable::run, 32 * MIB); // an older receiver: no "convert" in its HelloAck
        Transfer t = conversion(file("clip.mov", bytes(1000, 52)), "clip.mkv");
        session.start(t);
        assertEquals(List.of(), drain(), "an older receiver would store the source under the result's name");
        Done d = owner.onlyDone();
        assertSame(t, d.transfer);
        assertEquals(Reason.UNSUPPORTED_PROFILE, d.error.reason());
        assertFalse(d.error.retryable());
        assertEquals("receiver cannot convert files (it runs an older version or has no ffmpeg)",
                d.error.getMessage());
        assertTrue(ch.isActive());
    }

    @Test
    void anAcceptThatResumesAConversionIsAProtocolError() throws Exception {
        byte[] src = bytes(2 * MIB, 53);
        readyToConvert(32 * MIB);
        session.start(conversion(file("clip.mov", src), "clip.mkv"));
        drain();
        ch.writeInbound(accept(1, MIB, digest(src, MIB), 8 * MIB));
        List<Out> out = drain();
        assertEquals(List.of(), data(out), "not a byte of a conversion from the middle");
        Frame bye = single(out).frame();
        assertEquals(Reason.PROTOCOL_ERROR, bye.getGoodbye().getReason());
        assertTrue(bye.getGoodbye().getMessage().contains("conversions start at 0"), bye.getGoodbye().getMessage());
        assertFalse(ch.isActive());
        Closed c = owner.onlyClosed();
        assertEquals(Reason.PROTOCOL_ERROR, c.fatal.reason());
        assertFalse(c.fatal.retryable());
    }

    @Test
    void theReceiversRefusalOfAConversionIsFinalWithItsMessage() throws Exception {
        readyToConvert(32 * MIB);
        for (Reason r : List.of(Reason.TOO_LARGE, Reason.TOO_LONG, Reason.BAD_SOURCE, Reason.UNSUPPORTED_PROFILE)) {
            owner.done.clear();
            session.start(conversion(file("clip.mov", bytes(1000, 54)), "clip.mkv"));
            long stream = single(drain()).frame().getOffer().getStream();
            ch.writeInbound(in(Frames.reject(stream, r, "clip.mov runs 3:00, above h265-mkv's max-duration 2:00", 0)
                    .frame()));
            assertEquals(List.of(), drain());
            Done d = owner.onlyDone();
            assertEquals(r, d.error.reason());
            assertFalse(d.error.retryable(), r + " is final");
            assertTrue(d.error.getMessage().endsWith(": clip.mov runs 3:00, above h265-mkv's max-duration 2:00"),
                    d.error.getMessage());
        }
    }

    // ---- conversions returned to this node (the requesting side of Convert) ----

    private static final MediaInfo STILL = MediaInfo.newBuilder().setFormat("png_pipe").build();

    /** Ready with a converter that converts and returns, and also takes eager offers of anything up to 1 MiB. */
    private void readyToReturn(Executor disk) {
        open(disk, false);
        assertTrue(single(drain()).frame().hasHello());
        ch.writeInbound(in(Frame.newBuilder().setHelloAck(HelloAck.newBuilder().setVersion(WireLimits.VERSION)
                .setNodeId(receiverId.toString()).addCapabilities(WireLimits.CAPABILITY_CONVERT)
                .addCapabilities(WireLimits.CAPABILITY_RETURN).addCapabilities(WireLimits.CAPABILITY_EAGER)
                .setEagerMax(MIB).setConnectionWindow(32 * MIB).setMaxPayload(WireLimits.MAX_PAYLOAD)
                .setMaxStreams(8)).build()));
        assertTrue(single(drain()).frame().hasPing());
        assertEquals(1, owner.ready);
    }

    /** {@code source} converted to webp by the receiver (ffprobe found {@link #STILL}), returned to {@code to}. */
    private Transfer returned(Path source, Path to) throws Exception {
        return Transfer.convertAndReturn(source, source.getFileName().toString(), Files.size(source), MTIME,
                new TranscodeRequest(FfmpegTools.find(null), Profiles.builtIn("webp", Map.of()), STILL), to,
                new TransferListener() {
                    @Override
                    public void progress(long persisted, long size) {
                        progress.add(new long[] {persisted, size});
                    }

                    @Override
                    public void conversion(String state, double p) {
                        conversions.add(state + " " + p);
                    }
                });
    }

    /** Offers {@code t}, has it accepted from 0 and uploaded whole; returns its stream. */
    private long upload(Transfer t, byte[] src) {
        session.start(t);
        long stream = single(drain()).frame().getOffer().getStream();
        ch.writeInbound(accept(stream, 0, new byte[0], 8 * MIB));
        List<Out> up = drain();
        assertEquals(Frames.start(stream, 0).frame(), up.get(0).frame());
        assertArrayEquals(src, concat(data(up)));
        assertEquals(Frames.end(stream, src.length, digest(src, src.length)).frame(), last(up).frame());
        return stream;
    }

    /** Upload done, then the converter's READY for {@code result}. */
    private long uploadedAndReady(Transfer t, byte[] src, byte[] result) {
        long stream = upload(t, src);
        ch.writeInbound(ready(stream, result, false));
        assertEquals(List.of(), drain());
        return stream;
    }

    private static InboundFrame ready(long stream, byte[] result, boolean fromStore) {
        return in(Frames.resultReady(stream, "clip.webp", result.length, digest(result, result.length), fromStore)
                .frame());
    }

    /** The converter's Data: bytes [from, to) of {@code result}, in a buffer checked for release at the end. */
    private InboundFrame resultData(long stream, byte[] result, int from, int to) {
        ByteBuf b = Unpooled.directBuffer(to - from).writeBytes(result, from, to - from);
        converterPayloads.add(b);
        return new InboundFrame(Frames.dataHeader(stream, from, to - from), b);
    }

    private static InboundFrame resultEnd(long stream, byte[] result) {
        return in(Frames.end(stream, result.length, digest(result, result.length)).frame());
    }

    private static List<Frame> frames(List<Out> out) {
        return out.stream().map(Out::frame).toList();
    }

    /** The session answered the last frame with Goodbye PROTOCOL_ERROR and closed; {@code t} was interrupted. */
    private void assertProtocolError(String says, Transfer t) {
        Frame bye = single(drain()).frame();
        assertEquals(Reason.PROTOCOL_ERROR, bye.getGoodbye().getReason());
        assertTrue(bye.getGoodbye().getMessage().contains(says), bye.getGoodbye().getMessage());
        assertFalse(ch.isActive());
        Closed c = owner.onlyClosed();
        assertEquals(Reason.PROTOCOL_ERROR, c.fatal.reason());
        assertFalse(c.fatal.retryable());
        assertEquals(List.of(t), c.interrupted);
        drain(); // the disk chain lets the partial go
        assertReleased();
    }

    private void assertReleased() {
        for (ByteBuf b : converterPayloads) {
            assertEquals(0, b.refCnt(), "a converter's Data payload was not released");
        }
    }

    @Test
    void aReturnedConversionIsOfferedOnceTheSourcesDigestIsKnown() throws Exception {
        ManualExecutor disk = new ManualExecutor();
        readyToReturn(disk);
        byte[] src = bytes(300_000, 60); // small enough for an eager offer, which a conversion never is
        Transfer t = returned(file("clip.png", src), tmp.resolve("out/clip.webp"));
        session.start(t);
        ch.runPendingTasks();
        assertNull(ch.readOutbound(), "the offer waits for the digest, the converter's store key");
        assertEquals(1, disk.pending(), "the digest is computed on the disk chain");

        Offer offer = single(drain()).frame().getOffer();
        assertEquals(1, offer.getStream());
        assertEquals("clip.png", offer.getPath(), "the source's name, for the converter's messages");
        assertEquals(src.length, offer.getSize());
        assertEquals(HashAlgorithm.XXH3_128_BLOCKS, offer.getHash());
        assertFalse(offer.getEager());
        assertFalse(offer.hasStripe());
        assertEquals("webp", offer.getTranscode().getProfile());
        assertEquals("", offer.getTranscode().getWireFormat(), "a whole-file conversion");
        assertEquals(STILL, offer.getTranscode().getSource());
        assertEquals(src.length, offer.getTranscode().getSourceSize());
        assertTrue(offer.hasConvert());
        assertFalse(offer.getConvert().getRequestId().isEmpty());
        assertEquals(t.requestId, offer.getConvert().getRequestId());
        assertArrayEquals(digest(src, src.length), offer.getConvert().getSourceDigest().toByteArray());
        assertEquals(SenderSession.RETURN_WINDOW, offer.getConvert().getReturnWindow());
        assertEquals(List.of(), drain(), "nothing before Accept");
        assertEquals(List.of(), owner.done);

        ch.writeInbound(in(Frames.reject(1, Reason.BUSY, "convert group full", 1000).frame()));
        assertEquals(Reason.BUSY, owner.onlyDone().error.reason());
        session.start(t);
        Offer again = single(drain()).frame().getOffer();
        assertEquals(2, again.getStream());
        assertEquals(t.requestId, again.getConvert().getRequestId(), "the same request on every attempt");
    }

    @Test
    void aReturnedConversionToAReceiverWithoutReturnFailsFinalAndSendsNothing() throws Exception {
        readyToConvert(32 * MIB); // converts what it stores, but returns nothing
        Transfer t = returned(file("clip.png", bytes(1000, 61)), tmp.resolve("out/clip.webp"));
        session.start(t);
        assertEquals(List.of(), drain());
        Done d = owner.onlyDone();
        assertSame(t, d.transfer);
        assertEquals(Reason.UNSUPPORTED_PROFILE, d.error.reason());
        assertFalse(d.error.retryable());
        assertTrue(ch.isActive());
    }

    @Test
    void theResultArrivesUnderCreditIntoAPartialAndIsPutInPlace() throws Exception {
        ManualExecutor disk = new ManualExecutor();
        readyToReturn(disk);
        byte[] src = bytes(MIB + 300_000, 62);
        byte[] result = bytes(700_000, 63);
        Path to = tmp.resolve("out/clip.webp");
        Path partial = SafePaths.partialFor(to);
        Transfer t = returned(file("clip.png", src), to);
        long stream = upload(t, src);
        assertEquals(List.of(), owner.done, "the upload alone is not the end");

        ch.writeInbound(in(Frames.result(stream, ResultState.QUEUED, 0).frame()),
                in(Frames.result(stream, ResultState.CONVERTING, 0.25).frame()),
                in(Frames.result(stream, ResultState.CONVERTING, 0.5).frame()));
        assertEquals(List.of("queued 0.0", "converting 0.25", "converting 0.5"), conversions);
        assertEquals(List.of(), drain());
        assertFalse(Files.exists(partial));

        ch.writeInbound(ready(stream, result, false));
        assertEquals(List.of(), drain());
        assertEquals("returning 1.0", last(conversions));
        assertTrue(Files.exists(partial), "the result arrives into a partial");
        assertFalse(Files.exists(to));

        for (int[] chunk : new int[][] {{0, 400_000}, {400_000, result.length}}) {
            ch.writeInbound(resultData(stream, result, chunk[0], chunk[1]));
            assertNull(ch.readOutbound(), "no credit back before the bytes are written");
            assertEquals(1, disk.pending());
            int n = chunk[1] - chunk[0];
            assertEquals(List.of(Frames.credit(stream, n).frame(), Frames.credit(0, n).frame()), frames(drain()));
            assertEquals(0, last(converterPayloads).refCnt());
        }
        assertEquals(List.of(), owner.done);
        assertFalse(Files.exists(to));

        ch.writeInbound(resultEnd(stream, result));
        assertEquals(List.of(Frames.verified(stream, result.length, false).frame()), frames(drain()));
        assertArrayEquals(result, Files.readAllBytes(to));
        assertFalse(Files.exists(partial));
        Done d = owner.onlyDone();
        assertSame(t, d.transfer);
        assertNull(d.error);
        assertEquals(to.toString(), d.result.remotePath());
        assertEquals(result.length, d.result.size());
        assertEquals(src.length, d.result.bytesSent());
        assertFalse(d.result.alreadyPresent());
        assertTrue(ch.isActive());
        assertReleased();
    }

    @Test
    void aResultTheConverterHoldsComesBackWithoutTheSource() throws Exception {
        readyToReturn(Runnable::run);
        byte[] src = bytes(2 * MIB + 5000, 64);
        byte[] result = bytes(200_000, 65);
        Path to = tmp.resolve("out/clip.webp");
        Transfer t = returned(file("clip.png", src), to);
        session.start(t);
        Offer offer = single(drain()).frame().getOffer();
        byte[] sourceDigest = offer.getConvert().getSourceDigest().toByteArray();
        assertArrayEquals(digest(src, src.length), sourceDigest);

        ch.writeInbound(in(Frame.newBuilder().setAccept(Accept.newBuilder().setStream(1).setPresent(true)
                .setResumeOffset(src.length).setPrefixDigest(ByteString.copyFrom(sourceDigest))
                .setStreamWindow(8 * MIB)).build()));
        assertEquals(List.of(Frames.start(1, src.length).frame(), Frames.end(1, src.length, sourceDigest).frame()),
                frames(drain()), "Start at the end, End with the digest, no Data");

        ch.writeInbound(ready(1, result, true));
        assertEquals(List.of(), drain());
        assertEquals("from the converter's store 1.0", last(conversions));
        ch.writeInbound(resultData(1, result, 0, result.length));
        assertEquals(List.of(Frames.credit(1, result.length).frame(), Frames.credit(0, result.length).frame()),
                frames(drain()));
        ch.writeInbound(resultEnd(1, result));
        assertEquals(List.of(Frames.verified(1, result.length, false).frame()), frames(drain()));
        assertArrayEquals(result, Files.readAllBytes(to));
        Done d = owner.onlyDone();
        assertNull(d.error);
        assertEquals(result.length, d.result.size());
        assertTrue(d.result.alreadyPresent(), "answered from the converter's store");
        assertEquals(0, d.result.bytesSent());
        assertEquals(0, traffic.sentBytes());
        assertReleased();
    }

    @Test
    void aResultThatDoesNotMatchItsDigestIsFailedAndLeavesNothing() throws Exception {
        readyToReturn(Runnable::run);
        byte[] src = bytes(100_000, 66);
        byte[] result = bytes(300_000, 67);
        Path to = tmp.resolve("out/clip.webp");
        Transfer t = returned(file("clip.png", src), to);
        long stream = uploadedAndReady(t, src, result);
        byte[] damaged = result.clone();
        damaged[123_456] ^= 1;
        ch.writeInbound(resultData(stream, damaged, 0, damaged.length));
        assertEquals(2, frames(drain()).size(), "its credit");
        ch.writeInbound(resultEnd(stream, result));

        Frame failed = single(drain()).frame();
        assertEquals(stream, failed.getFailed().getStream());
        assertEquals(Reason.HASH_MISMATCH, failed.getFailed().getReason());
        assertTrue(failed.getFailed().getRetryable());
        Done d = owner.onlyDone();
        assertSame(t, d.transfer);
        assertEquals(Reason.HASH_MISMATCH, d.error.reason());
        assertTrue(d.error.retryable(), "asked for again; the converter answers from its store");
        assertFalse(Files.exists(SafePaths.partialFor(to)));
        assertFalse(Files.exists(to));
        assertTrue(ch.isActive());
        assertReleased();
    }

    @Test
    void resultDataBeforeReadyIsAProtocolError() throws Exception {
        readyToReturn(Runnable::run);
        byte[] src = bytes(100_000, 68);
        Transfer t = returned(file("clip.png", src), tmp.resolve("out/clip.webp"));
        long stream = upload(t, src);
        ch.writeInbound(in(Frames.result(stream, ResultState.CONVERTING, 0.9).frame()));
        ch.writeInbound(resultData(stream, bytes(1000, 69), 0, 1000));
        assertProtocolError("does not fit", t);
        assertFalse(Files.exists(tmp.resolve("out/clip.webp")));
    }

    @Test
    void resultDataBeyondTheStreamsReturnWindowIsAProtocolError() throws Exception {
        ManualExecutor disk = new ManualExecutor(); // nothing is written, so no credit goes back
        readyToReturn(disk);
        byte[] src = bytes(100_000, 70);
        byte[] result = bytes((int) SenderSession.RETURN_WINDOW + 1, 71);
        Path to = tmp.resolve("out/clip.webp");
        Transfer t = returned(file("clip.png", src), to);
        long stream = uploadedAndReady(t, src, result);
        for (int off = 0; off < SenderSession.RETURN_WINDOW; off += WireLimits.MAX_PAYLOAD) {
            ch.writeInbound(resultData(stream, result, off, off + WireLimits.MAX_PAYLOAD));
        }
        assertNull(ch.readOutbound());
        assertTrue(ch.isActive(), "the whole window is the converter's to use");
        ch.writeInbound(resultData(stream, result, (int) SenderSession.RETURN_WINDOW, result.length));
        assertProtocolError("does not fit", t);
        assertFalse(Files.exists(SafePaths.partialFor(to)));
        assertFalse(Files.exists(to));
    }

    @Test
    void resultDataBeyondTheConnectionsReturnWindowIsAProtocolError() throws Exception {
        ManualExecutor disk = new ManualExecutor();
        readyToReturn(disk);
        byte[] src = bytes(100_000, 72);
        byte[] result = bytes(5 * MIB, 73);
        Transfer t1 = returned(file("a.png", src), tmp.resolve("out/a.webp"));
        Transfer t2 = returned(file("b.png", src), tmp.resolve("out/b.webp"));
        long s1 = uploadedAndReady(t1, src, result);
        long s2 = uploadedAndReady(t2, src, result);
        for (int off = 0; off < 5 * MIB; off += MIB) {
            ch.writeInbound(resultData(s1, result, off, off + MIB));
        }
        for (int off = 0; off < 3 * MIB; off += MIB) {
            ch.writeInbound(resultData(s2, result, off, off + MIB));
        }
        assertNull(ch.readOutbound());
        assertTrue(ch.isActive());
        ch.writeInbound(resultData(s2, result, 3 * MIB, 3 * MIB + 1)); // within stream 2's own window
        Frame bye = single(drain()).frame();
        assertEquals(Reason.PROTOCOL_ERROR, bye.getGoodbye().getReason());
        assertTrue(bye.getGoodbye().getMessage().contains("connection 0"), bye.getGoodbye().getMessage());
        assertFalse(ch.isActive());
        assertEquals(2, owner.onlyClosed().interrupted.size());
        assertReleased();
    }

    @Test
    void aResultOnAStreamThatIsNotAReturnedConversionIsAProtocolError() throws Exception {
        readyToReturn(Runnable::run);
        byte[] src = bytes(MIB + 1000, 74); // above the eager limit: offered, then accepted
        Transfer t = transfer(file("plain.bin", src), "plain.bin");
        session.start(t);
        drain();
        ch.writeInbound(accept(1, 0, new byte[0], 8 * MIB));
        assertTrue(last(drain()).frame().hasEnd(), "a plain file, waiting for its Verified");
        ch.writeInbound(in(Frames.result(1, ResultState.QUEUED, 0).frame()));
        assertProtocolError("not waiting for a conversion's result", t);
    }

    @Test
    void resultDataOnAStreamThatIsNotAReturnedConversionIsAProtocolErrorAndReleased() throws Exception {
        readyToReturn(Runnable::run);
        byte[] src = bytes(MIB + 1000, 75); // above the eager limit: offered, then accepted
        Transfer t = transfer(file("plain.bin", src), "plain.bin");
        session.start(t);
        drain();
        ch.writeInbound(accept(1, 0, new byte[0], 8 * MIB));
        drain();
        ch.writeInbound(resultData(1, src, 0, src.length));
        assertProtocolError("not waiting for a conversion's result", t);
    }

    @Test
    void verifiedForAReturnedConversionIsAProtocolError() throws Exception {
        readyToReturn(Runnable::run);
        byte[] src = bytes(100_000, 76);
        byte[] result = bytes(200_000, 77);
        Path to = tmp.resolve("out/clip.webp");
        Transfer t = returned(file("clip.png", src), to);
        long stream = uploadedAndReady(t, src, result);
        ch.writeInbound(resultData(stream, result, 0, 100_000));
        drain();
        ch.writeInbound(verified(stream, src.length));
        assertProtocolError("a conversion whose result comes back", t);
        assertEquals(List.of(), owner.done, "interrupted, not done");
        assertFalse(Files.exists(SafePaths.partialFor(to)), "the partial goes with the connection");
        assertFalse(Files.exists(to));
    }

    @Test
    void aCancelWhileTheResultArrivesRemovesThePartialAndGivesBackTheCreditOfLateData() throws Exception {
        readyToReturn(Runnable::run);
        byte[] src = bytes(100_000, 78);
        byte[] result = bytes(600_000, 79);
        Path to = tmp.resolve("out/clip.webp");
        Transfer t = returned(file("clip.png", src), to);
        long stream = uploadedAndReady(t, src, result);
        ch.writeInbound(resultData(stream, result, 0, 200_000));
        assertEquals(2, frames(drain()).size(), "its credit");
        assertTrue(Files.exists(SafePaths.partialFor(to)));

        session.cancel(t, "stopped by the operator");
        assertEquals(List.of(Frames.cancel(stream, "stopped by the operator").frame()), frames(drain()));
        assertFalse(Files.exists(SafePaths.partialFor(to)));
        assertFalse(Files.exists(to));
        Done d = owner.onlyDone();
        assertEquals(Reason.CANCELLED, d.error.reason());
        assertFalse(d.error.retryable());

        ch.writeInbound(resultData(stream, result, 200_000, 500_000));
        assertEquals(List.of(Frames.credit(0, 300_000).frame()), frames(drain()),
                "sent before the converter heard of the Cancel: its connection credit comes back");
        ch.writeInbound(resultEnd(stream, result), in(Frames.result(stream, ResultState.CONVERTING, 1).frame()));
        assertEquals(List.of(), drain(), "the rest of the stream is dropped quietly");
        assertTrue(ch.isActive());
        assertFalse(Files.exists(SafePaths.partialFor(to)));
        assertFalse(Files.exists(to));
        assertEquals(1, owner.done.size());
        assertReleased();
    }

    @Test
    void aCancelWhileResultDataIsBeingWrittenStillGivesBackItsConnectionCredit() throws Exception {
        ManualExecutor disk = new ManualExecutor();
        readyToReturn(disk);
        byte[] src = bytes(100_000, 80);
        byte[] result = bytes(600_000, 81);
        Path to = tmp.resolve("out/clip.webp");
        Transfer t = returned(file("clip.png", src), to);
        long stream = uploadedAndReady(t, src, result);
        ch.writeInbound(resultData(stream, result, 0, 200_000));
        assertEquals(1, disk.pending(), "the write is on the disk chain");

        session.cancel(t, "stopped by the operator");
        assertEquals(List.of(Frames.cancel(stream, "stopped by the operator").frame(),
                Frames.credit(0, 200_000).frame()), frames(drain()),
                "the converter's connection credit for the bytes it sent comes back; the stream's need not");
        assertFalse(Files.exists(SafePaths.partialFor(to)));
        assertReleased();
    }

    // ---- round-trip time ----

    @Test
    void roundTripTimeComesFromThePongToOurPing() throws Exception {
        ready(Runnable::run, 32 * MIB);
        assertNull(traffic.rttMillis(), "nothing measured before a Pong");
        Thread.sleep(5);
        ch.writeInbound(in(Frame.newBuilder().setPong(Pong.newBuilder().setNanos(readyPing)).build()));
        double rtt = traffic.rttMillis();
        assertTrue(rtt >= 5 && rtt < 5_000, rtt + " ms");
        ch.writeInbound(in(Frame.newBuilder().setPong(Pong.newBuilder().setNanos(readyPing - 60_000_000_000L)).build()),
                in(Frame.newBuilder().setPong(Pong.newBuilder().setNanos(0)).build()));
        assertEquals(rtt, traffic.rttMillis(), "a Pong to no Ping of ours is no sample");
        assertEquals(List.of(), drain());
    }

    @Test
    void directoryIsOfferedAndDoneOnVerified() throws IOException {
        ready(Runnable::run, 32 * MIB);
        Path dir = Files.createDirectories(tmp.resolve("src/d"));
        Transfer t = new Transfer(dir, "d", true, 0, MTIME, TransferListener.NONE);
        session.start(t);
        Offer offer = single(drain()).frame().getOffer();
        assertTrue(offer.getDirectory());
        ch.writeInbound(verified(1, 0));
        drain();
        Done d = owner.onlyDone();
        assertNull(d.error);
        assertEquals("d", d.result.remotePath());
    }

    @Test
    void helloAdvertisesMirroring() {
        open(Runnable::run, false);
        assertEquals(List.of(WireLimits.CAPABILITY_MIRROR), single(drain()).frame().getHello().getCapabilitiesList());
    }

    @Test
    void removeIsOfferedWithoutDataAndDoneOnVerified() {
        readyWithMirror();
        Transfer t = Transfer.remove("old/gone.bin");
        session.start(t);
        Offer offer = single(drain()).frame().getOffer();
        assertEquals(1, offer.getStream());
        assertEquals("old/gone.bin", offer.getPath());
        assertTrue(offer.getRemove());
        assertEquals("", offer.getRenameFrom());
        assertFalse(offer.getDirectory());
        ch.writeInbound(in(Frame.newBuilder().setVerified(Verified.newBuilder().setStream(1)
                .setAlreadyPresent(true)).build()));
        assertEquals(List.of(), drain());
        Done d = owner.onlyDone();
        assertSame(t, d.transfer);
        assertNull(d.error);
        assertEquals("old/gone.bin", d.result.remotePath());
        assertEquals(0, d.result.size());
        assertEquals(0, d.result.bytesSent());
        assertTrue(d.result.alreadyPresent(), "the receiver had nothing to remove");
    }

    @Test
    void renameIsOfferedWithItsSourceAndDoneOnVerified() {
        readyWithMirror();
        session.start(Transfer.rename("a/old.bin", "b/new.bin"));
        Offer offer = single(drain()).frame().getOffer();
        assertEquals("b/new.bin", offer.getPath());
        assertEquals("a/old.bin", offer.getRenameFrom());
        assertFalse(offer.getRemove());
        ch.writeInbound(verified(1, 0));
        drain();
        Done d = owner.onlyDone();
        assertEquals("b/new.bin", d.result.remotePath());
        assertFalse(d.result.alreadyPresent());
    }

    @Test
    void renameNotFoundIsFinal() {
        readyWithMirror();
        session.start(Transfer.rename("missing.bin", "x.bin"));
        drain();
        ch.writeInbound(in(Frame.newBuilder().setReject(Reject.newBuilder().setStream(1)
                .setReason(Reason.NOT_FOUND).setMessage("no such file")).build()));
        drain();
        Done d = owner.onlyDone();
        assertEquals(Reason.NOT_FOUND, d.error.reason());
        assertFalse(d.error.retryable());
        assertTrue(d.error.getMessage().contains("rename of 'missing.bin' to 'x.bin'"), d.error.getMessage());
    }

    @Test
    void acceptForARemoveIsAProtocolError() {
        readyWithMirror();
        session.start(Transfer.remove("r.bin"));
        drain();
        ch.writeInbound(accept(1, 0, new byte[0], MIB));
        assertTrue(single(drain()).frame().hasGoodbye());
        assertFalse(ch.isActive());
    }

    @Test
    void removeOrRenameToAReceiverWithoutMirroringFailsFinalAndSendsNothing() {
        ready(Runnable::run, 32 * MIB); // an older receiver: no capabilities in its HelloAck
        session.start(Transfer.remove("r.bin"));
        session.start(Transfer.rename("a.bin", "b.bin"));
        assertEquals(List.of(), drain(), "an older receiver would take a remove for an empty file");
        assertEquals(2, owner.done.size());
        for (Done d : owner.done) {
            assertNull(d.result);
            assertFalse(d.error.retryable());
            assertEquals("receiver does not support mirroring; upgrade it", d.error.getMessage());
        }
        assertTrue(ch.isActive());
    }

    // ---- refusals and failures ----

    @Test
    void rejectBusyIsRetryable() throws IOException {
        ready(Runnable::run, 32 * MIB);
        Transfer t = transfer(file("b.bin", bytes(10, 6)), "b.bin");
        session.start(t);
        drain();
        ch.writeInbound(in(Frame.newBuilder().setReject(Reject.newBuilder().setStream(1).setReason(Reason.BUSY)
                .setMessage("receiver has 2 streams open")).build()));
        assertEquals(List.of(), drain());
        Done d = owner.onlyDone();
        assertSame(t, d.transfer);
        assertNull(d.result);
        assertEquals(Reason.BUSY, d.error.reason());
        assertTrue(d.error.retryable());
        assertTrue(d.error.retryAfterMillis() >= 500);
        assertTrue(d.error.getMessage().contains("receiver has 2 streams open"), d.error.getMessage());
        assertTrue(ch.isActive());
    }

    @Test
    void rejectBadPathIsFinal() throws IOException {
        ready(Runnable::run, 32 * MIB);
        session.start(transfer(file("b.bin", bytes(10, 7)), "../b.bin"));
        drain();
        ch.writeInbound(in(Frame.newBuilder().setReject(Reject.newBuilder().setStream(1)
                .setReason(Reason.BAD_PATH).setMessage("outside")).build()));
        drain();
        Done d = owner.onlyDone();
        assertEquals(Reason.BAD_PATH, d.error.reason());
        assertFalse(d.error.retryable());
    }

    @Test
    void failedHashMismatchIsRetryable() throws IOException {
        byte[] src = bytes(100_000, 8);
        ready(Runnable::run, 32 * MIB);
        Transfer t = transfer(file("h.bin", src), "h.bin");
        session.start(t);
        drain();
        ch.writeInbound(accept(1, 0, new byte[0], 8 * MIB));
        assertTrue(last(drain()).frame().hasEnd());
        ch.writeInbound(in(Frame.newBuilder().setFailed(Failed.newBuilder().setStream(1)
                .setReason(Reason.HASH_MISMATCH).setMessage("digest differs").setRetryable(true)).build()));
        drain();
        Done d = owner.onlyDone();
        assertSame(t, d.transfer);
        assertNull(d.result);
        assertEquals(Reason.HASH_MISMATCH, d.error.reason());
        assertTrue(d.error.retryable());
        assertTrue(d.error.getMessage().contains("digest differs"), d.error.getMessage());
    }

    @Test
    void sourceChangedSizeIsCancelledAndFinal() throws IOException {
        byte[] src = bytes(1000, 9);
        ready(Runnable::run, 32 * MIB);
        Path f = file("s.bin", src);
        Transfer t = transfer(f, "s.bin");
        Files.write(f, bytes(2000, 9));
        session.start(t);
        drain();
        ch.writeInbound(accept(1, 0, new byte[0], 8 * MIB));
        Frame cancel = single(drain()).frame();
        assertEquals(1, cancel.getCancel().getStream());
        Done d = owner.onlyDone();
        assertEquals(Reason.IO_ERROR, d.error.reason());
        assertFalse(d.error.retryable());
    }

    @Test
    void closeMidStreamReportsTheInterruptedTransfer() throws IOException {
        byte[] src = bytes(2 * MIB, 10);
        ManualExecutor disk = new ManualExecutor();
        ready(disk, 32 * MIB);
        Transfer t = transfer(file("m.bin", src), "m.bin");
        session.start(t);
        drain(disk);
        ch.writeInbound(accept(1, 0, new byte[0], 600_000));
        disk.runAll();
        ch.runPendingTasks(); // Start goes out; reads for the window are queued on the disk
        assertTrue(disk.pending() > 0);
        ch.close();
        drain(disk); // the reads complete after the close: their buffers must be released, not written
        Closed c = owner.onlyClosed();
        assertTrue(c.wasReady);
        assertNull(c.fatal);
        assertEquals(List.of(t), c.interrupted);
        assertEquals(List.of(), owner.done);
    }

    @Test
    void startOnAClosedConnectionFailsRetryably() throws IOException {
        ready(Runnable::run, 32 * MIB);
        ch.close();
        drain();
        Transfer t = transfer(file("z.bin", bytes(10, 11)), "z.bin");
        session.start(t);
        Done d = owner.onlyDone();
        assertEquals(Reason.IO_ERROR, d.error.reason());
        assertTrue(d.error.retryable());
    }

    @Test
    void connectionCreditReservedForDroppedChunksIsNotLost() throws IOException {
        byte[] big = bytes(MIB, 12);
        byte[] small = bytes(100_000, 13);
        ManualExecutor disk = new ManualExecutor();
        ready(disk, 2 * CHUNK_TLS);
        session.start(transfer(file("x.bin", big), "x.bin"));
        drain(disk);
        ch.writeInbound(accept(1, 0, new byte[0], 8 * MIB));
        disk.runAll();
        ch.runPendingTasks(); // Start out; two chunks (the whole connection window) reserved, reads queued
        assertTrue(disk.pending() > 0);
        // the receiver fails the stream (say its disk failed) before those reads complete
        ch.writeInbound(in(Frame.newBuilder().setFailed(Failed.newBuilder().setStream(1)
                .setReason(Reason.IO_ERROR).setMessage("disk failed").setRetryable(true)).build()));
        List<Out> out = drain(disk);
        assertEquals(List.of(), data(out), "nothing reached the receiver for stream 1");
        assertEquals(1, owner.done.size());

        session.start(transfer(file("y.bin", small), "y.bin"));
        drain(disk);
        ch.writeInbound(accept(2, 0, new byte[0], 8 * MIB));
        List<Out> second = drain(disk);
        assertEquals(small.length, total(data(second)), "the second stream stalls: " + second);
    }

    // ---- helpers ----

    // ---- rate limit ----

    /** 8 Mbit/s: a byte a microsecond; the limiter and the channel's timers under clocks the test moves. */
    private final FakeClock clock = new FakeClock(1_700_000_000_000L);
    private final RateLimiter slow = new RateLimiter(RateSchedule.constant(new Rate(8_000_000)), null, clock,
            clock::nanoTime);

    private Transfer slowTransfer;

    private void elapse(long nanos) {
        clock.advanceNanos(nanos);
        ch.advanceTimeBy(nanos, TimeUnit.NANOSECONDS);
    }

    /** A session under {@link #slow} with the first MiB of a 3 MiB + 100 file out; the second waits. */
    private byte[] startSlowTransfer() throws IOException {
        ready(Runnable::run, 32 * MIB, slow);
        ch.freezeTime();
        byte[] src = bytes(3 * MIB + 100, 9);
        slowTransfer = transfer(file("slow.bin", src), "slow.bin");
        session.start(slowTransfer);
        drain();
        ch.writeInbound(accept(1, 0, new byte[0], 8 * MIB));
        List<Out> out = drain();
        assertEquals(Frames.start(1, 0).frame(), out.get(0).frame());
        assertEquals(1, data(out).size(), "the first MiB goes at once, the rest waits: " + out);
        return src;
    }

    @Test
    void aRateLimitPutsOffEachChunkUntilItsTurnAndTheDigestStillCoversAll() throws IOException {
        byte[] src = startSlowTransfer();
        List<Out> all = new ArrayList<>();
        long firstWait = (MIB - 64 * 1024) * 1000L; // the first MiB less the bucket, at a byte a microsecond
        elapse(firstWait - 1000);
        assertEquals(List.of(), drain(), "not before its turn");
        elapse(1000);
        List<Out> second = drain();
        assertEquals(1, data(second).size());
        all.addAll(second);
        for (int i = 0; i < 2; i++) {
            elapse(MIB * 1000L - 1000);
            assertEquals(List.of(), drain());
            elapse(1000);
            all.addAll(drain());
        }
        List<Out> data = data(all);
        assertEquals(3, data.size(), all.toString());
        assertContiguousFrom(MIB, data);
        assertTrue(last(all).frame().hasEnd(), "End after the last chunk");
        byte[] rest = concat(data);
        assertArrayEquals(java.util.Arrays.copyOfRange(src, MIB, src.length), rest);
        assertArrayEquals(digest(src, src.length), last(all).frame().getEnd().getDigest().toByteArray());
    }

    @Test
    void creditWhileAChunkWaitsTakesNoFurtherChunk() throws IOException {
        startSlowTransfer();
        ch.writeInbound(in(Frames.credit(1, MIB).frame()), in(Frames.credit(0, MIB).frame()));
        assertEquals(List.of(), drain());
        long owed = 2 * MIB - 64 * 1024; // the first MiB's overshoot and the one chunk that waits, no more
        assertEquals(owed * 1000L, slow.reserve(0), 1000);
    }

    @Test
    void aRunTimeChangeSendsTheWaitingChunkAtOnce() throws IOException {
        byte[] src = startSlowTransfer();
        slow.setSchedule(RateSchedule.UNLIMITED);
        List<Out> out = drain();
        assertEquals(3, data(out).size(), "no time passed");
        assertArrayEquals(digest(src, src.length), last(out).frame().getEnd().getDigest().toByteArray());
    }

    @Test
    void aCancelledStreamSendsNothingWhenItsTurnComes() throws IOException {
        startSlowTransfer();
        session.cancel(slowTransfer, "stop");
        List<Out> cancel = drain();
        assertTrue(single(cancel).frame().hasCancel(), cancel.toString());
        elapse(10 * MIB * 1000L);
        assertEquals(List.of(), drain(), "the chunk that waited is dropped, no End");
        assertEquals(Reason.CANCELLED, owner.onlyDone().error.reason());
    }

    @Test
    void aClosedSessionCancelsTheTimerOfItsWaitingChunk() throws IOException {
        startSlowTransfer();
        // what a closing connection tells the session; the embedded loop keeps its timers (close would not)
        ch.pipeline().fireChannelInactive();
        assertEquals(-1, ch.runScheduledPendingTasks(), "its timer is cancelled, not left to run out");
        elapse(10 * MIB * 1000L);
        assertEquals(List.of(), data(drain()));
        slow.setSchedule(RateSchedule.UNLIMITED);
        assertEquals(List.of(), data(drain()), "nor does a rate change bring it back");
        assertEquals(1, owner.onlyClosed().interrupted.size());
    }

    private void open(Executor disk, boolean plain) {
        open(disk, plain, RateLimiter.unlimited());
    }

    private void open(Executor disk, boolean plain, RateLimiter rate) {
        this.disk = disk;
        session = new SenderSession(owner, disk, localId, plain, traffic, rate);
        ch = new EmbeddedChannel(session);
    }

    private void ready(Executor disk, int connectionWindow) {
        ready(disk, connectionWindow, RateLimiter.unlimited());
    }

    private void ready(Executor disk, int connectionWindow, RateLimiter rate) {
        open(disk, false, rate);
        assertTrue(single(drain(disk)).frame().hasHello());
        ch.writeInbound(helloAck(connectionWindow, 8));
        readyPing = single(drain(disk)).frame().getPing().getNanos();
        assertEquals(1, owner.ready);
    }

    private void readyWithMirror() {
        open(Runnable::run, false);
        assertTrue(single(drain()).frame().hasHello());
        ch.writeInbound(in(Frame.newBuilder().setHelloAck(HelloAck.newBuilder().setVersion(WireLimits.VERSION)
                .setNodeId(receiverId.toString()).addCapabilities(WireLimits.CAPABILITY_MIRROR)
                .setConnectionWindow(32 * MIB).setMaxPayload(WireLimits.MAX_PAYLOAD).setMaxStreams(8)).build()));
        assertTrue(single(drain()).frame().hasPing());
        assertEquals(1, owner.ready);
    }

    private Transfer transfer(Path source, String remote) throws IOException {
        return new Transfer(source, remote, false, Files.size(source), MTIME,
                (persisted, size) -> progress.add(new long[] {persisted, size}));
    }

    private Path file(String name, byte[] content) throws IOException {
        Path p = tmp.resolve("src").resolve(name);
        Files.createDirectories(p.getParent());
        return Files.write(p, content);
    }

    /** A frame the session wrote; {@code payload} copied out of its ByteBuf or FileRegion, which is released. */
    private record Out(Frame frame, byte[] payload, boolean region) {
    }

    private List<Out> drain() {
        return drain(disk);
    }

    /** Runs disk and loop tasks until nothing new has come out for a few rounds. */
    private List<Out> drain(Executor disk) {
        List<Out> out = new ArrayList<>();
        for (int quiet = 0; quiet < 3; ) {
            int ran = disk instanceof ManualExecutor m ? m.runAll() : 0;
            ch.runPendingTasks();
            ch.runScheduledPendingTasks();
            boolean got = false;
            for (Object o; (o = ch.readOutbound()) != null; ) {
                out.add(copy((OutboundFrame) o));
                got = true;
            }
            quiet = got || ran > 0 ? 0 : quiet + 1;
        }
        return out;
    }

    private static Out copy(OutboundFrame f) {
        Object p = f.payload();
        if (p == null) {
            return new Out(f.frame(), null, false);
        }
        try {
            if (p instanceof ByteBuf b) {
                assertEquals(f.frame().getData().getLength(), b.readableBytes());
                return new Out(f.frame(), ByteBufUtil.getBytes(b), false);
            }
            FileRegion r = (FileRegion) p;
            assertEquals(f.frame().getData().getLength(), r.count());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            WritableByteChannel sink = Channels.newChannel(bytes);
            while (r.transferred() < r.count()) {
                r.transferTo(sink, r.transferred());
            }
            return new Out(f.frame(), bytes.toByteArray(), true);
        } catch (IOException e) {
            throw new AssertionError(e);
        } finally {
            assertTrue(io.netty.util.ReferenceCountUtil.release(p), "payload still referenced elsewhere");
        }
    }

    private static List<Out> data(List<Out> out) {
        return out.stream().filter(o -> o.frame.hasData()).toList();
    }

    private static long total(List<Out> data) {
        return data.stream().mapToLong(o -> o.payload.length).sum();
    }

    private static byte[] concat(List<Out> data) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        data.forEach(o -> b.writeBytes(o.payload));
        return b.toByteArray();
    }

    private static void assertContiguousFrom(long offset, List<Out> data) {
        long next = offset;
        for (Out o : data) {
            assertEquals(next, o.frame.getData().getOffset());
            assertEquals(o.payload.length, o.frame.getData().getLength());
            next += o.payload.length;
        }
    }

    private static <T> T single(List<T> list) {
        assertEquals(1, list.size(), list.toString());
        return list.get(0);
    }

    private static <T> T last(List<T> list) {
        assertFalse(list.isEmpty());
        return list.get(list.size() - 1);
    }

    private static InboundFrame in(Frame f) {
        return new InboundFrame(f, null);
    }

    private InboundFrame helloAck(int connectionWindow, int maxStreams) {
        return in(Frame.newBuilder().setHelloAck(HelloAck.newBuilder().setVersion(WireLimits.VERSION)
                .setNodeId(receiverId.toString()).setConnectionWindow(connectionWindow)
                .setMaxPayload(WireLimits.MAX_PAYLOAD).setMaxStreams(maxStreams)).build());
    }

    private static InboundFrame accept(long stream, long resume, byte[] prefix, long window) {
        return in(Frame.newBuilder().setAccept(Accept.newBuilder().setStream(stream).setResumeOffset(resume)
                .setPrefixDigest(ByteString.copyFrom(prefix)).setStreamWindow(window)).build());
    }

    private static InboundFrame verified(long stream, long count) {
        return in(Frame.newBuilder().setVerified(Verified.newBuilder().setStream(stream).setByteCount(count)).build());
    }

    private static InboundFrame goodbye(Reason reason, String message) {
        return in(Frame.newBuilder().setGoodbye(Goodbye.newBuilder().setReason(reason).setMessage(message)).build());
    }


    private record Done(Transfer transfer, TransferResult result, TransferException error) {
    }

    private record Closed(boolean wasReady, TransferException fatal, List<Transfer> interrupted) {
    }

    /** The one fake: records what the session reports to its PeerClient. */
    private final class RecordingOwner implements SenderSession.Owner {
        String refusal;
        int ready;
        final List<NodeId> verified = new ArrayList<>();
        final List<Done> done = new ArrayList<>();
        final List<Closed> closed = new ArrayList<>();

        @Override
        public String verifyPeer(NodeId seen) {
            verified.add(seen);
            return refusal;
        }

        @Override
        public void ready(SenderSession s) {
            assertSame(session, s);
            ready++;
        }

        @Override
        public void attemptDone(SenderSession s, Transfer t, TransferResult result, TransferException error) {
            assertSame(session, s);
            assertTrue(result == null ^ error == null);
            done.add(new Done(t, result, error));
        }

        @Override
        public void closed(SenderSession s, boolean wasReady, TransferException fatal, List<Transfer> interrupted) {
            assertSame(session, s);
            closed.add(new Closed(wasReady, fatal, List.copyOf(interrupted)));
        }

        Done onlyDone() {
            return single(done);
        }

        Closed onlyClosed() {
            return single(closed);
        }
    }

    /** A disk executor that holds tasks until the test runs them. */
    private static final class ManualExecutor implements Executor {
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable r) {
            tasks.add(r);
        }

        int pending() {
            return tasks.size();
        }

        int runAll() {
            int n = 0;
            for (Runnable r; (r = tasks.poll()) != null; n++) {
                r.run();
            }
            return n;
        }
    }
}

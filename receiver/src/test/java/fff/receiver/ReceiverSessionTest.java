package fff.receiver;

import static fff.common.testing.TestData.bytes;
import static fff.common.testing.TestData.digest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import fff.common.hash.ContentHasher;
import fff.common.identity.NodeId;
import fff.common.identity.NodeIdentity;
import fff.common.paths.SafePaths;
import fff.common.peers.PeerStatus;
import fff.common.wire.Frames;
import fff.common.wire.HostPort;
import fff.common.wire.InboundFrame;
import fff.common.wire.OutboundFrame;
import fff.common.wire.WireLimits;
import fff.proto.Accept;
import fff.proto.Cancel;
import fff.proto.End;
import fff.proto.Frame;
import fff.proto.HashAlgorithm;
import fff.proto.Hello;
import fff.proto.HelloAck;
import fff.proto.Offer;
import fff.proto.Transcode;
import fff.proto.Ping;
import fff.proto.Pong;
import fff.proto.Reason;
import fff.proto.Reject;
import fff.proto.Start;
import fff.proto.Stripe;
import fff.proto.Verified;
import fff.receiver.storage.LandingArea;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CompletableFuture;
import java.util.Set;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ReceiverSession} on an {@link EmbeddedChannel} without the codec (frames in and out as objects), over a
 * real {@link LandingArea} in a temporary directory. Disk work runs on a direct executor unless a test needs to
 * hold it back; results come back through the channel's loop, so {@link #drain} runs its tasks until the
 * session has nothing more to say. Every Data payload is a pooled buffer and is checked released at the end.
 */
class ReceiverSessionTest {

    private static final int MIB = ContentHasher.BLOCK_SIZE;
    private static final int STREAM_WINDOW = MIB;
    private static final int CONNECTION_WINDOW = 4 * MIB;
    private static final int MAX_STREAMS = 2;
    private static final long MTIME = 1_600_000_000_000L;

    @TempDir
    Path tmp;

    private Path root;
    private LandingArea landing;
    private ReceiverConfig config;
    private NodeId localId;
    private NodeId senderId;
    private NodeId strangerId;
    private final List<ByteBuf> payloads = new ArrayList<>();
    private final List<String> events = new ArrayList<>();
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private final InboundPeers peers = new InboundPeers();
    /** The stamp of the Ping the last session made ready sent after its HelloAck. */
    private long readyPing;

    @BeforeEach
    void setUp() throws IOException {
        root = tmp.resolve("landing");
        landing = new LandingArea(root, 0);
        localId = NodeIdentity.create(tmp.resolve("receiver")).id();
        senderId = NodeIdentity.create(tmp.resolve("sender")).id();
        strangerId = NodeIdentity.create(tmp.resolve("stranger")).id();
        config = new ReceiverConfig(new HostPort("127.0.0.1", 7600), true, root, false, Set.of(senderId), 0,
                Duration.ofDays(7), STREAM_WINDOW, CONNECTION_WINDOW, MAX_STREAMS);
    }

    @AfterEach
    void releaseEverything() {
        for (EmbeddedChannel ch : channels) {
            ch.finishAndReleaseAll();
        }
        for (ByteBuf b : payloads) {
            assertEquals(0, b.refCnt(), "a Data payload was not released");
        }
    }

    // ---- handshake ----

    @Test
    void helloFromAllowedSenderIsAcknowledged() {
        EmbeddedChannel ch = open(Runnable::run);
        ch.writeInbound(hello(senderId, 1));
        List<Frame> out = drain(ch);
        assertEquals(1, out.size(), "nothing but the HelloAck before the sender speaks again: " + out);
        HelloAck ack = out.get(0).getHelloAck();
        assertEquals(WireLimits.VERSION, ack.getVersion());
        assertEquals(CONNECTION_WINDOW, ack.getConnectionWindow());
        assertEquals(MAX_STREAMS, ack.getMaxStreams());
        assertEquals(WireLimits.MAX_PAYLOAD, ack.getMaxPayload());
        assertEquals(localId.toString(), ack.getNodeId());
        assertTrue(ch.isActive());
    }

    @Test
    void helloFromUnknownSenderIsRefusedNamingTheId() {
        EmbeddedChannel ch = open(Runnable::run);
        ch.writeInbound(hello(strangerId, 1));
        Frame bye = single(drain(ch));
        assertEquals(Reason.UNKNOWN_PEER, bye.getGoodbye().getReason());
        assertTrue(bye.getGoodbye().getMessage().contains(strangerId.toString()), bye.getGoodbye().getMessage());
        assertFalse(ch.isActive());
    }

    @Test
    void helloWithoutOurVersionIsRefused() {
        EmbeddedChannel ch = open(Runnable::run);
        ch.writeInbound(hello(senderId, 7));
        Frame bye = single(drain(ch));
        assertEquals(Reason.UNSUPPORTED_VERSION, bye.getGoodbye().getReason());
        assertFalse(ch.isActive());
    }

    @Test
    void anyFrameBeforeHelloIsAProtocolError() {
        EmbeddedChannel ch = open(Runnable::run);
        ch.writeInbound(frame(Frame.newBuilder().setOffer(offer(1, "a.bin", 10))));
        Frame bye = single(drain(ch));
        assertEquals(Reason.PROTOCOL_ERROR, bye.getGoodbye().getReason());
        assertFalse(ch.isActive());
    }

    @Test
    void dataBeforeHelloIsAProtocolErrorAndReleased() {
        EmbeddedChannel ch = open(Runnable::run);
        ch.writeInbound(data(1, 0, new byte[100], 0, 100));
        Frame bye = single(drain(ch));
        assertEquals(Reason.PROTOCOL_ERROR, bye.getGoodbye().getReason());
        assertFalse(ch.isActive());
    }

    @Test
    void secondHelloIsAProtocolError() {
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(hello(senderId, 1));
        assertEquals(Reason.PROTOCOL_ERROR, single(drain(ch)).getGoodbye().getReason());
    }

    @Test
    void pingIsAnsweredWithPong() {
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(frame(Frame.newBuilder().setPing(Ping.newBuilder().setNanos(42))));
        assertEquals(42, single(drain(ch)).getPong().getNanos());
    }

    // ---- one file ----

    @Test
    void wholeFileIsWrittenCreditedAndVerified() throws IOException {
        byte[] src = bytes(2 * MIB + 12_345, 1);
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(offerFrame(1, "dir/a.bin", src.length));
        Accept accept = single(drain(ch)).getAccept();
        assertEquals(1, accept.getStream());
        assertEquals(0, accept.getResumeOffset());
        assertEquals(STREAM_WINDOW, accept.getStreamWindow());
        assertFalse(accept.getPresent());
        assertArrayEquals(new ContentHasher().digest(), accept.getPrefixDigest().toByteArray());

        ch.writeInbound(start(1, 0));
        assertEquals(List.of(), drain(ch));
        sendAll(ch, 1, src, 0, 300_000);

        ch.writeInbound(end(1, src.length, digest(src, src.length)));
        Frame verified = single(drain(ch));
        assertEquals(1, verified.getVerified().getStream());
        assertEquals(src.length, verified.getVerified().getByteCount());
        assertFalse(verified.getVerified().getAlreadyPresent());
        assertArrayEquals(src, Files.readAllBytes(root.resolve("dir/a.bin")));
        assertFalse(Files.exists(partial("dir/a.bin")));
        assertEquals(MTIME, Files.getLastModifiedTime(root.resolve("dir/a.bin")).toMillis());
        assertEquals(List.of("file " + senderId + " dir/a.bin " + src.length + " " + src.length + " false"), events);
        assertTrue(ch.isActive());
        PeerStatus p = onlyPeer();
        assertEquals(src.length, p.receivedBytes());
        assertEquals(0, p.sentBytes());
        assertEquals(0, p.creditStalls(), "credit came back before the window ran out");
        assertEquals(0, p.resumes());
    }

    @Test
    void senderIsListedWithItsRoundTripTimeWhileConnected() throws Exception {
        EmbeddedChannel ch = ready(Runnable::run);
        PeerStatus before = onlyPeer();
        assertEquals("siteA", before.name());
        assertEquals(PeerStatus.IN, before.direction());
        assertTrue(before.online());
        assertNull(before.why());
        assertEquals(1, before.connections());
        assertNull(before.rttMillis());
        Thread.sleep(5);
        ch.writeInbound(frame(Frame.newBuilder().setPong(Pong.newBuilder().setNanos(readyPing))));
        ch.writeInbound(frame(Frame.newBuilder().setPong(Pong.newBuilder().setNanos(readyPing - 1))));
        double rtt = onlyPeer().rttMillis();
        assertTrue(rtt >= 5 && rtt < 5_000, rtt + " ms");
        ch.close();
        PeerStatus after = onlyPeer();
        assertFalse(after.online());
        assertEquals(0, after.connections());
        assertTrue(after.why().startsWith("disconnected since "), after.why());
        assertEquals(rtt, after.rttMillis(), "a Pong to a Ping that is not the last is no sample");
    }

    @Test
    void aSenderThatUsesUpTheWindowIsACreditStall() {
        byte[] src = bytes(2 * STREAM_WINDOW, 13);
        ManualExecutor disk = new ManualExecutor();
        EmbeddedChannel ch = ready(disk);
        ch.writeInbound(offerFrame(1, "w.bin", src.length));
        drainWith(ch, disk);
        ch.writeInbound(start(1, 0), data(1, 0, src, 0, STREAM_WINDOW - 1000));
        assertEquals(0, onlyPeer().creditStalls());
        ch.writeInbound(data(1, STREAM_WINDOW - 1000, src, STREAM_WINDOW - 1000, 1000));
        assertEquals(1, onlyPeer().creditStalls(), "the sender has no stream credit left until the disk catches up");
        drainWith(ch, disk);
        ch.writeInbound(data(1, STREAM_WINDOW, src, STREAM_WINDOW, 1000));
        assertEquals(1, onlyPeer().creditStalls());
        assertEquals(STREAM_WINDOW + 1000, onlyPeer().receivedBytes());
        drainWith(ch, disk);
    }

    @Test
    void creditComesBackOnlyAfterTheBytesAreWritten() throws IOException {
        byte[] src = bytes(400_000, 2);
        ManualExecutor disk = new ManualExecutor();
        EmbeddedChannel ch = ready(disk);
        ch.writeInbound(offerFrame(1, "b.bin", src.length));
        drainWith(ch, disk);
        ch.writeInbound(start(1, 0));
        assertEquals(List.of(), drainWith(ch, disk));

        ch.writeInbound(data(1, 0, src, 0, 150_000));
        ch.runPendingTasks();
        assertNull(ch.readOutbound(), "credit before the write reached the disk");
        assertEquals(0, Files.size(partial("b.bin")));
        assertEquals(1, disk.runAll());
        assertEquals(150_000, Files.size(partial("b.bin")));
        assertEquals(List.of(credit(1, 150_000), credit(0, 150_000)), drainWith(ch, disk));
    }

    @Test
    void wrongDigestFailsRetryablyAndLeavesNothing() throws IOException {
        byte[] src = bytes(MIB + 77, 3);
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(offerFrame(1, "c.bin", src.length));
        drain(ch);
        ch.writeInbound(start(1, 0));
        sendAll(ch, 1, src, 0, 256 << 10);
        byte[] wrong = digest(src, src.length);
        wrong[0] ^= 1;
        ch.writeInbound(end(1, src.length, wrong));
        Frame failed = single(drain(ch));
        assertEquals(1, failed.getFailed().getStream());
        assertEquals(Reason.HASH_MISMATCH, failed.getFailed().getReason());
        assertTrue(failed.getFailed().getRetryable());
        assertFalse(Files.exists(root.resolve("c.bin")));
        assertFalse(Files.exists(partial("c.bin")));
        assertEquals(List.of(), events);
        // the path is free again: a new offer for it starts from nothing
        ch.writeInbound(offerFrame(2, "c.bin", src.length));
        assertEquals(0, single(drain(ch)).getAccept().getResumeOffset());
    }

    @Test
    void fileAlreadyPresentIsAcceptedWholeAndVerifiedWithoutData() throws IOException {
        byte[] src = bytes(MIB + 5, 4);
        Files.write(root.resolve("d.bin"), src);
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(offerFrame(1, "d.bin", src.length));
        Accept accept = single(drain(ch)).getAccept();
        assertTrue(accept.getPresent());
        assertEquals(src.length, accept.getResumeOffset());
        assertArrayEquals(digest(src, src.length), accept.getPrefixDigest().toByteArray());
        ch.writeInbound(start(1, src.length));
        ch.writeInbound(end(1, src.length, digest(src, src.length)));
        Frame verified = single(drain(ch));
        assertTrue(verified.getVerified().getAlreadyPresent());
        assertArrayEquals(src, Files.readAllBytes(root.resolve("d.bin")));
    }

    // ---- flow control and framing violations ----

    @Test
    void dataBeyondStreamCreditIsAProtocolError() {
        byte[] src = bytes(2 * MIB, 5);
        EmbeddedChannel ch = startedStream(1, "e.bin", src.length);
        // the whole window, then one more byte before any credit came back
        // in one read: writeInbound runs the loop's tasks afterwards, which would return the credit in between
        ch.writeInbound(data(1, 0, src, 0, STREAM_WINDOW), data(1, STREAM_WINDOW, src, STREAM_WINDOW, 1));
        Frame bye = goodbyeFirst(drain(ch));
        assertTrue(bye.getGoodbye().getMessage().contains("credit 0"), bye.getGoodbye().getMessage());
        assertFalse(ch.isActive());
        assertTrue(Files.exists(partial("e.bin")), "a partial is kept for resume when the connection ends");
    }

    @Test
    void dataBeyondConnectionCreditIsAProtocolError() {
        config = new ReceiverConfig(config.listen(), true, root, false, Set.of(senderId), 0, Duration.ofDays(7),
                MIB, MIB, MAX_STREAMS);
        byte[] src = bytes(MIB, 6);
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(offerFrame(1, "f1.bin", MIB), offerFrame(2, "f2.bin", MIB));
        drain(ch);
        ch.writeInbound(start(1, 0), start(2, 0));
        ch.writeInbound(data(1, 0, src, 0, MIB), data(2, 0, src, 0, 1));
        Frame bye = goodbyeFirst(drain(ch));
        assertTrue(bye.getGoodbye().getMessage().contains("overran"), bye.getGoodbye().getMessage());
        assertFalse(ch.isActive());
    }

    @Test
    void dataAtTheWrongOffsetIsAProtocolError() {
        byte[] src = bytes(100_000, 7);
        EmbeddedChannel ch = startedStream(1, "g.bin", src.length);
        ch.writeInbound(data(1, 0, src, 0, 10_000));
        assertEquals(List.of(credit(1, 10_000), credit(0, 10_000)), drain(ch));
        ch.writeInbound(data(1, 20_000, src, 20_000, 10_000));
        Frame bye = single(drain(ch));
        assertEquals(Reason.PROTOCOL_ERROR, bye.getGoodbye().getReason());
        assertTrue(bye.getGoodbye().getMessage().contains("expected offset 10000"), bye.getGoodbye().getMessage());
        assertFalse(ch.isActive());
    }

    @Test
    void dataPastTheOfferedSizeIsAProtocolError() {
        byte[] src = bytes(1000, 8);
        EmbeddedChannel ch = startedStream(1, "h.bin", 500);
        ch.writeInbound(data(1, 0, src, 0, 501));
        assertEquals(Reason.PROTOCOL_ERROR, single(drain(ch)).getGoodbye().getReason());
    }

    @Test
    void dataBeforeStartIsAProtocolError() {
        byte[] src = bytes(1000, 9);
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(offerFrame(1, "i.bin", src.length));
        drain(ch);
        ch.writeInbound(data(1, 0, src, 0, 100));
        assertEquals(Reason.PROTOCOL_ERROR, single(drain(ch)).getGoodbye().getReason());
    }

    @Test
    void startAtAnOffsetThatWasNotOfferedIsAProtocolError() {
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(offerFrame(1, "j.bin", 3 * MIB));
        drain(ch);
        ch.writeInbound(start(1, MIB));
        assertEquals(Reason.PROTOCOL_ERROR, single(drain(ch)).getGoodbye().getReason());
    }

    // ---- offers ----

    @Test
    void hostilePathIsRejectedAndTheSessionGoesOn() {
        EmbeddedChannel ch = ready(Runnable::run);
        for (String bad : List.of("../escape.bin", "/etc/passwd", "a/../../b")) {
            ch.writeInbound(offerFrame(1, bad, 10));
            Frame reject = single(drain(ch));
            assertEquals(1, reject.getReject().getStream(), bad);
            assertEquals(Reason.BAD_PATH, reject.getReject().getReason(), bad);
        }
        assertFalse(Files.exists(tmp.resolve("escape.bin")));
        ch.writeInbound(offerFrame(1, "fine.bin", 10));
        assertEquals(1, single(drain(ch)).getAccept().getStream());
        assertTrue(ch.isActive());
    }

    @Test
    void secondOfferOnAnOpenStreamIsAProtocolError() {
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(offerFrame(1, "k.bin", 10));
        drain(ch);
        ch.writeInbound(offerFrame(1, "other.bin", 10));
        Frame bye = single(drain(ch));
        assertEquals(Reason.PROTOCOL_ERROR, bye.getGoodbye().getReason());
        assertFalse(ch.isActive());
    }

    @Test
    void offerOnStreamZeroIsAProtocolError() {
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(offerFrame(0, "k.bin", 10));
        assertEquals(Reason.PROTOCOL_ERROR, single(drain(ch)).getGoodbye().getReason());
    }

    @Test
    void moreThanMaxStreamsIsBusy() {
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(offerFrame(1, "l1.bin", 10), offerFrame(2, "l2.bin", 10));
        assertEquals(2, drain(ch).size());
        ch.writeInbound(offerFrame(3, "l3.bin", 10));
        Frame reject = single(drain(ch));
        assertEquals(3, reject.getReject().getStream());
        assertEquals(Reason.BUSY, reject.getReject().getReason());
        assertEquals(2_000, reject.getReject().getRetryAfterMillis(), "a full receiver says when to come back");
        assertTrue(ch.isActive());
    }

    @Test
    void samePathOnTwoStreamsIsBusy() {
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(offerFrame(1, "m.bin", 10));
        drain(ch);
        ch.writeInbound(offerFrame(2, "m.bin", 10));
        Frame reject = single(drain(ch));
        assertEquals(2, reject.getReject().getStream());
        assertEquals(Reason.BUSY, reject.getReject().getReason());
    }

    @Test
    void admissionRefusalIsBusyWithRetryAfterAndTicketsComeBackWhenStreamsEnd() {
        AtomicInteger held = new AtomicInteger();
        AtomicInteger slots = new AtomicInteger(1);
        admission = (peer, path, size) -> {
            if (slots.getAndDecrement() <= 0) {
                slots.incrementAndGet();
                return CompletableFuture.completedFuture(null);
            }
            held.incrementAndGet();
            return CompletableFuture.completedFuture(() -> {
                held.decrementAndGet();
                slots.incrementAndGet();
            });
        };
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(offerFrame(1, "adm1.bin", 10));
        assertTrue(single(drain(ch)).hasAccept());
        ch.writeInbound(offerFrame(2, "adm2.bin", 10));
        Frame reject = single(drain(ch));
        assertEquals(Reason.BUSY, reject.getReject().getReason());
        assertEquals(2_000, reject.getReject().getRetryAfterMillis());
        assertEquals(1, held.get());
        ch.writeInbound(frame(Frame.newBuilder().setCancel(Cancel.newBuilder().setStream(1))));
        drain(ch);
        assertEquals(0, held.get(), "a cancelled stream gives its ticket back");
        ch.writeInbound(offerFrame(3, "adm3.bin", 10));
        assertTrue(single(drain(ch)).hasAccept(), "the freed slot admits the next offer");
        ch.close();
        assertEquals(0, held.get(), "a closed connection gives its tickets back");
    }

    @Test
    void directoryOfferIsVerifiedAndMade() {
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(frame(Frame.newBuilder().setOffer(offer(1, "x/y/z", 0).toBuilder().setDirectory(true))));
        Frame verified = single(drain(ch));
        assertEquals(1, verified.getVerified().getStream());
        assertTrue(Files.isDirectory(root.resolve("x/y/z")));
        assertEquals(List.of("dir " + senderId + " x/y/z"), events);
    }

    // ---- stripes: one file's parts on several streams ----

    private static InboundFrame stripeFrame(long stream, String path, long size, long offset, long length) {
        return frame(Frame.newBuilder().setOffer(offer(stream, path, size).toBuilder()
                .setStripe(Stripe.newBuilder().setOffset(offset).setLength(length))));
    }

    private static byte[] partDigest(byte[] src, int from, int to) {
        ContentHasher h = new ContentHasher();
        h.update(src, from, to - from);
        return h.digest();
    }

    @Test
    void twoPartsOnTwoStreamsMakeTheFileWhichAppearsWithTheLastVerifiedPart() throws IOException {
        int mib = MIB;
        byte[] src = new byte[2 * mib + 1000];
        new Random(3).nextBytes(src);
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(stripeFrame(1, "s/two.bin", src.length, mib, src.length - mib));
        ch.writeInbound(stripeFrame(2, "s/two.bin", src.length, 0, mib));
        List<Frame> accepts = drain(ch);
        assertEquals(2, accepts.size(), accepts.toString());
        assertEquals(mib, accepts.stream().filter(f -> f.getAccept().getStream() == 1).findFirst().orElseThrow()
                .getAccept().getResumeOffset(), "a part's resume offset counts from the start of the file");
        ch.writeInbound(start(1, mib));
        ch.writeInbound(start(2, 0));
        sendAll(ch, 1, src, mib, src.length, 256 << 10);
        ch.writeInbound(end(1, src.length - mib, partDigest(src, mib, src.length)));
        Verified first = single(drain(ch)).getVerified();
        assertEquals(1, first.getStream());
        assertFalse(first.getFileComplete(), "the other part is still to come");
        assertFalse(Files.exists(root.resolve("s/two.bin")), "nothing at the final path before every part is verified");
        sendAll(ch, 2, src, 0, mib, 256 << 10);
        ch.writeInbound(end(2, mib, partDigest(src, 0, mib)));
        Verified last = single(drain(ch)).getVerified();
        assertTrue(last.getFileComplete());
        assertArrayEquals(src, Files.readAllBytes(root.resolve("s/two.bin")));
    }

    @Test
    void dataOutsideItsPartIsAProtocolError() {
        int mib = MIB;
        byte[] src = new byte[2 * mib];
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(stripeFrame(1, "p.bin", src.length, 0, mib));
        assertTrue(single(drain(ch)).hasAccept());
        ch.writeInbound(start(1, 0));
        sendAll(ch, 1, src, 0, mib, mib);
        ch.writeInbound(data(1, mib, src, mib, 1000));
        assertTrue(goodbyeFirst(drain(ch)).getGoodbye().getMessage().contains("does not fit"));
    }

    @Test
    void aStripeIsNeverADirectoryAndStartsOnlyAtItsOffsetOrResume() {
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(frame(Frame.newBuilder().setOffer(offer(1, "d", 0).toBuilder().setDirectory(true)
                .setStripe(Stripe.newBuilder().setOffset(0).setLength(1)))));
        assertEquals(Reason.PROTOCOL_ERROR, single(drain(ch)).getReject().getReason());
        int mib = MIB;
        ch.writeInbound(stripeFrame(2, "q.bin", 3L * mib, mib, mib));
        assertTrue(single(drain(ch)).hasAccept());
        ch.writeInbound(start(2, 0));
        assertTrue(goodbyeFirst(drain(ch)).getGoodbye().getMessage().contains("only " + mib + " or " + mib));
    }

    // ---- mirror edits: remove and rename ----

    @Test
    void helloAckAdvertisesMirroringStripesAndEagerOffersUpToOneMebibyte() {
        EmbeddedChannel ch = open(Runnable::run);
        ch.writeInbound(hello(senderId, 1));
        HelloAck ack = drain(ch).get(0).getHelloAck();
        assertEquals(List.of(WireLimits.CAPABILITY_MIRROR, WireLimits.CAPABILITY_STRIPES, WireLimits.CAPABILITY_EAGER),
                ack.getCapabilitiesList());
        assertEquals(Math.min(MIB, STREAM_WINDOW), ack.getEagerMax());
    }

    // ---- eager offers: small files sent without waiting for Accept ----

    private static InboundFrame eagerFrame(long stream, String path, long size) {
        return frame(Frame.newBuilder().setOffer(offer(stream, path, size).toBuilder().setEager(true)));
    }

    @Test
    void eagerDataIsHeldUntilTheFileIsOpenThenWrittenAndVerifiedWithoutAccept() throws IOException {
        byte[] src = bytes(300_000, 30);
        ManualExecutor disk = new ManualExecutor();
        EmbeddedChannel ch = ready(disk);
        ch.writeInbound(eagerFrame(1, "e/a.bin", src.length));
        ch.writeInbound(data(1, 0, src, 0, 200_000));
        ch.writeInbound(data(1, 200_000, src, 200_000, 100_000));
        ch.writeInbound(end(1, src.length, digest(src, src.length)));
        ch.runPendingTasks();
        assertNull(ch.readOutbound(), "nothing is said before the file is open");
        assertEquals(1, payloads.get(0).refCnt(), "the held data is not released yet");
        List<Frame> out = drainWith(ch, disk);
        assertEquals(5, out.size(), out.toString());
        assertTrue(out.containsAll(List.of(credit(1, 200_000), credit(0, 200_000), credit(1, 100_000),
                credit(0, 100_000))), "each chunk's credit once written: " + out);
        Frame verified = out.stream().filter(Frame::hasVerified).findFirst().orElseThrow();
        assertEquals(src.length, verified.getVerified().getByteCount());
        assertFalse(verified.getVerified().getAlreadyPresent());
        assertArrayEquals(src, Files.readAllBytes(root.resolve("e/a.bin")));
        assertFalse(Files.exists(partial("e/a.bin")));
        assertEquals(MTIME, Files.getLastModifiedTime(root.resolve("e/a.bin")).toMillis());
        assertEquals(List.of("file " + senderId + " e/a.bin " + src.length + " " + src.length + " false"), events);
    }

    @Test
    void eagerFileOverAKeptPartialReplacesIt() throws IOException {
        byte[] src = bytes(50_000, 31);
        Files.createDirectories(root.resolve("e"));
        Files.write(partial("e/p.bin"), bytes(40_000, 32));
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(eagerFrame(1, "e/p.bin", src.length));
        ch.writeInbound(data(1, 0, src, 0, src.length));
        ch.writeInbound(end(1, src.length, digest(src, src.length)));
        assertEquals(1, drain(ch).stream().filter(Frame::hasVerified).findFirst().orElseThrow().getVerified()
                .getStream());
        assertArrayEquals(src, Files.readAllBytes(root.resolve("e/p.bin")));
    }

    @Test
    void eagerFileAlreadyPresentWithTheSameBytesIsAlreadyPresentAndUntouched() throws IOException {
        byte[] src = bytes(70_000, 33);
        Path f = landed("e/same.bin", src);
        Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.fromMillis(1_000));
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(eagerFrame(1, "e/same.bin", src.length));
        ch.writeInbound(data(1, 0, src, 0, src.length));
        ch.writeInbound(end(1, src.length, digest(src, src.length)));
        List<Frame> out = drain(ch);
        assertTrue(out.stream().filter(Frame::hasVerified).findFirst().orElseThrow().getVerified()
                .getAlreadyPresent(), out.toString());
        assertEquals(1_000, Files.getLastModifiedTime(f).toMillis(), "the present file was not replaced");
        assertFalse(Files.exists(partial("e/same.bin")));

        byte[] other = bytes(70_000, 34);
        ch.writeInbound(eagerFrame(2, "e/same.bin", other.length));
        ch.writeInbound(data(2, 0, other, 0, other.length));
        ch.writeInbound(end(2, other.length, digest(other, other.length)));
        out = drain(ch);
        assertFalse(out.stream().filter(Frame::hasVerified).findFirst().orElseThrow().getVerified()
                .getAlreadyPresent(), out.toString());
        assertArrayEquals(other, Files.readAllBytes(f), "different bytes of the same size replace the file");
    }

    @Test
    void eagerOfferRefusedGivesTheHeldCreditBackAndDropsWhatFollows() {
        byte[] src = bytes(90_000, 35);
        ManualExecutor disk = new ManualExecutor();
        EmbeddedChannel ch = ready(disk);
        ch.writeInbound(eagerFrame(1, "../escape.bin", src.length));
        ch.writeInbound(data(1, 0, src, 0, 60_000));
        List<Frame> out = drainWith(ch, disk);
        assertEquals(List.of(credit(0, 60_000)), out.subList(0, 1), out.toString());
        assertEquals(Reason.BAD_PATH, out.get(1).getReject().getReason());
        assertEquals(2, out.size(), out.toString());
        ch.writeInbound(data(1, 60_000, src, 60_000, 30_000));
        ch.writeInbound(end(1, src.length, digest(src, src.length)));
        assertEquals(List.of(credit(0, 30_000)), drainWith(ch, disk), "late data is dropped, its credit returned");
        assertTrue(ch.isActive());
    }

    @Test
    void eagerOfferRefusedAsBusyGivesTheHeldCreditBack() {
        admission = (peer, path, size) -> CompletableFuture.completedFuture(null);
        byte[] src = bytes(10_000, 36);
        EmbeddedChannel ch = open(Runnable::run);
        ch.writeInbound(hello(senderId, 1));
        drain(ch);
        ch.writeInbound(eagerFrame(1, "busy.bin", src.length));
        ch.writeInbound(data(1, 0, src, 0, src.length));
        List<Frame> out = drain(ch).stream().filter(f -> !f.hasPing()).toList();
        assertEquals(Reason.BUSY, out.get(0).getReject().getReason(), out.toString());
        assertEquals(List.of(credit(0, src.length)), out.subList(1, out.size()), "the data came after the Reject");
    }

    @Test
    void heldEagerDataIsReleasedWhenTheConnectionCloses() {
        byte[] src = bytes(10_000, 37);
        ManualExecutor disk = new ManualExecutor();
        EmbeddedChannel ch = ready(disk);
        ch.writeInbound(eagerFrame(1, "gone.bin", src.length));
        ch.writeInbound(data(1, 0, src, 0, src.length));
        ch.runPendingTasks();
        assertEquals(1, payloads.get(0).refCnt());
        ch.close();
        disk.runAll();
        ch.runPendingTasks();
        assertEquals(0, payloads.get(0).refCnt());
    }

    @Test
    void eagerOffersOverTheLimitOrNotPlainFilesAreProtocolErrors() {
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(eagerFrame(1, "big.bin", MIB + 1));
        assertTrue(goodbyeFirst(drain(ch)).getGoodbye().getMessage().contains("at most " + MIB));
        EmbeddedChannel ch2 = ready(Runnable::run);
        ch2.writeInbound(frame(Frame.newBuilder().setOffer(offer(1, "s.bin", 2L * MIB).toBuilder().setEager(true)
                .setStripe(Stripe.newBuilder().setOffset(0).setLength(MIB)))));
        assertEquals(Reason.PROTOCOL_ERROR, goodbyeFirst(drain(ch2)).getGoodbye().getReason());
    }

    @Test
    void eagerDataBeyondTheOfferedSizeIsAProtocolError() {
        byte[] src = bytes(20_000, 38);
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(eagerFrame(1, "small.bin", 10_000));
        ch.writeInbound(data(1, 0, src, 0, src.length));
        assertEquals(Reason.PROTOCOL_ERROR, goodbyeFirst(drain(ch)).getGoodbye().getReason());
    }

    @Test
    void removeDeletesTheFileAndItsPartial() throws IOException {
        Path f = landed("r/gone.bin", bytes(100, 20));
        Files.write(partial("r/gone.bin"), bytes(10, 21));
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(removeFrame(1, "r/gone.bin"));
        Frame verified = single(drain(ch));
        assertEquals(1, verified.getVerified().getStream());
        assertFalse(verified.getVerified().getAlreadyPresent());
        assertFalse(Files.exists(f, LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(partial("r/gone.bin")));
        assertTrue(Files.isDirectory(root.resolve("r")), "the directory stays");
        assertEquals(List.of("removed " + senderId + " r/gone.bin"), events);
        assertTrue(ch.isActive());
    }

    @Test
    void removeOfAMissingFileIsVerifiedAlreadyPresent() {
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(removeFrame(1, "never/was.bin"));
        assertTrue(single(drain(ch)).getVerified().getAlreadyPresent());
        assertEquals(List.of(), events);
    }

    @Test
    void removeOfAHostilePathIsBadPathAndTouchesNothing() throws IOException {
        Path outside = Files.write(tmp.resolve("outside.bin"), bytes(10, 22));
        EmbeddedChannel ch = ready(Runnable::run);
        for (String bad : List.of("../outside.bin", "/etc/passwd", "a/../../outside.bin", ".x.bin.fff-partial")) {
            ch.writeInbound(removeFrame(1, bad));
            Frame reject = single(drain(ch));
            assertEquals(Reason.BAD_PATH, reject.getReject().getReason(), bad);
        }
        assertTrue(Files.exists(outside));
        assertTrue(ch.isActive());
    }

    @Test
    void removeThroughASymlinkOutOfTheRootIsRefused() throws IOException {
        Path outsideDir = Files.createDirectories(tmp.resolve("elsewhere"));
        Path victim = Files.write(outsideDir.resolve("v.bin"), bytes(10, 23));
        Files.createSymbolicLink(root.resolve("link"), outsideDir);
        Files.createSymbolicLink(root.resolve("v.bin"), victim);
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(removeFrame(1, "link/v.bin"), removeFrame(2, "v.bin"));
        List<Frame> out = drain(ch);
        assertEquals(2, out.size(), out.toString());
        out.forEach(f -> assertEquals(Reason.BAD_PATH, f.getReject().getReason(), f.toString()));
        assertTrue(Files.exists(victim));
    }

    @Test
    void removeOfADirectoryIsRefused() throws IOException {
        Files.createDirectories(root.resolve("d/inner"));
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(removeFrame(1, "d"));
        Frame reject = single(drain(ch));
        assertEquals(Reason.BAD_PATH, reject.getReject().getReason());
        assertTrue(reject.getReject().getMessage().contains("directory"), reject.getReject().getMessage());
        assertTrue(Files.isDirectory(root.resolve("d/inner")));
    }

    @Test
    void renameMovesTheFileWithItsContentIntoNewDirectories() throws IOException {
        byte[] content = bytes(MIB + 7, 24);
        landed("old/name.bin", content);
        Files.setLastModifiedTime(root.resolve("old/name.bin"), java.nio.file.attribute.FileTime.fromMillis(MTIME));
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(renameFrame(1, "old/name.bin", "new/deep/name2.bin"));
        Frame verified = single(drain(ch));
        assertEquals(1, verified.getVerified().getStream());
        assertFalse(verified.getVerified().getAlreadyPresent());
        assertFalse(Files.exists(root.resolve("old/name.bin")));
        assertArrayEquals(content, Files.readAllBytes(root.resolve("new/deep/name2.bin")));
        assertEquals(MTIME, Files.getLastModifiedTime(root.resolve("new/deep/name2.bin")).toMillis());
        assertEquals(List.of("renamed " + senderId + " old/name.bin -> new/deep/name2.bin"), events);
    }

    @Test
    void renameReplacesAFileAtTheTarget() throws IOException {
        byte[] content = bytes(500, 25);
        landed("a.bin", content);
        landed("b.bin", bytes(900, 26));
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(renameFrame(1, "a.bin", "b.bin"));
        assertTrue(single(drain(ch)).hasVerified());
        assertFalse(Files.exists(root.resolve("a.bin")));
        assertArrayEquals(content, Files.readAllBytes(root.resolve("b.bin")));
    }

    @Test
    void renameOfAMissingSourceIsNotFound() {
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(renameFrame(1, "nope.bin", "there.bin"));
        Frame reject = single(drain(ch));
        assertEquals(Reason.NOT_FOUND, reject.getReject().getReason());
        assertFalse(Files.exists(root.resolve("there.bin")));
        assertEquals(List.of(), events);
    }

    @Test
    void renameOfOrOntoADirectoryIsRefused() throws IOException {
        Files.createDirectories(root.resolve("dir"));
        landed("f.bin", bytes(10, 27));
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(renameFrame(1, "dir", "dir2"), renameFrame(2, "f.bin", "dir"));
        List<Frame> out = drain(ch);
        assertEquals(2, out.size(), out.toString());
        out.forEach(f -> assertEquals(Reason.BAD_PATH, f.getReject().getReason(), f.toString()));
        assertTrue(Files.isDirectory(root.resolve("dir")));
        assertTrue(Files.exists(root.resolve("f.bin")));
    }

    @Test
    void renameWithAHostileSourceIsBadPath() throws IOException {
        Files.write(tmp.resolve("outside.bin"), bytes(10, 28));
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(renameFrame(1, "../outside.bin", "in.bin"));
        assertEquals(Reason.BAD_PATH, single(drain(ch)).getReject().getReason());
        assertTrue(Files.exists(tmp.resolve("outside.bin")));
        assertFalse(Files.exists(root.resolve("in.bin")));
    }

    @Test
    void removeOrRenameOfAPathBeingReceivedIsBusyWithRetryAfter() throws IOException {
        byte[] content = bytes(100, 29);
        landed("src.bin", content);
        startedStream(1, "busy.bin", 1000); // on another connection: busy is per node
        EmbeddedChannel ch = ready(Runnable::run);
        List<Frame> out = new ArrayList<>();
        for (InboundFrame edit : List.of(renameFrame(1, "src.bin", "busy.bin"), removeFrame(2, "busy.bin"),
                renameFrame(3, "busy.bin", "elsewhere.bin"))) {
            ch.writeInbound(edit);
            out.add(single(drain(ch)));
        }
        for (Frame f : out) {
            assertEquals(Reason.BUSY, f.getReject().getReason(), f.toString());
            assertEquals(2_000, f.getReject().getRetryAfterMillis(), f.toString());
        }
        assertArrayEquals(content, Files.readAllBytes(root.resolve("src.bin")));
        assertTrue(Files.exists(partial("busy.bin")));
        assertEquals(0, channels.get(1).pipeline().get(ReceiverSession.class).openStreams(),
                "refused edits hold no stream");
    }

    @Test
    void anOfferThatIsBothRemoveAndRenameIsRejected() {
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(frame(Frame.newBuilder().setOffer(Offer.newBuilder().setStream(1).setPath("x.bin")
                .setRemove(true).setRenameFrom("y.bin"))));
        assertEquals(Reason.PROTOCOL_ERROR, single(drain(ch)).getReject().getReason());
        assertTrue(ch.isActive());
    }

    // ---- transcodes (the real ffmpeg path is covered end to end by TranscodeIT) ----

    @Test
    void aReceiverWithoutFfmpegNeitherAdvertisesNorTakesTranscodes() {
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(frame(Frame.newBuilder().setOffer(Offer.newBuilder().setStream(1).setPath("v/clip.mxf")
                .setTranscode(Transcode.newBuilder().setProfile("imx30").setWireFormat("mpegts")))));
        Reject r = single(drain(ch)).getReject();
        assertEquals(Reason.UNSUPPORTED_PROFILE, r.getReason());
        assertTrue(r.getMessage().contains("cannot transcode: not in this test"), r.getMessage());
        assertTrue(ch.isActive());
        assertTrue(Files.notExists(root.resolve("v")), "nothing made for a refused offer");
    }

    @Test
    void aTranscodeIsNotAlsoADirectoryOrAnEdit() {
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(frame(Frame.newBuilder().setOffer(Offer.newBuilder().setStream(1).setPath("x.mxf")
                .setDirectory(true).setTranscode(Transcode.newBuilder().setProfile("imx30")))));
        assertEquals(Reason.PROTOCOL_ERROR, single(drain(ch)).getReject().getReason());
    }

    // ---- interruption ----

    @Test
    void partialIsResumedFromItsLastWholeBlockOnANewConnection() throws IOException {
        byte[] src = bytes(3 * MIB + 999, 10);
        int sent = MIB + 400_000;
        EmbeddedChannel first = startedStream(1, "big/r.bin", src.length);
        sendAll(first, 1, src, 0, sent, 200_000);
        first.close();
        drain(first);
        assertEquals(sent, Files.size(partial("big/r.bin")));

        EmbeddedChannel second = ready(Runnable::run);
        second.writeInbound(offerFrame(5, "big/r.bin", src.length));
        Accept accept = single(drain(second)).getAccept();
        assertEquals(5, accept.getStream());
        assertEquals(MIB, accept.getResumeOffset());
        assertArrayEquals(digest(src, MIB), accept.getPrefixDigest().toByteArray());

        second.writeInbound(start(5, MIB));
        sendAll(second, 5, src, MIB, src.length, 250_000);
        second.writeInbound(end(5, src.length, digest(src, src.length)));
        assertTrue(single(drain(second)).hasVerified());
        assertArrayEquals(src, Files.readAllBytes(root.resolve("big/r.bin")));
        assertEquals(List.of("file " + senderId + " big/r.bin " + src.length + " " + (src.length - MIB) + " false"),
                events);
        PeerStatus p = onlyPeer();
        assertEquals(1, p.resumes(), "the second connection started past 0");
        assertEquals(sent + src.length - MIB, p.receivedBytes(), "both connections, one sender");
        assertEquals(1, p.connections());
    }

    @Test
    void cancelMidStreamRemovesThePartial() {
        byte[] src = bytes(MIB, 11);
        EmbeddedChannel ch = startedStream(1, "n.bin", src.length);
        sendAll(ch, 1, src, 0, 300_000, 100_000);
        assertTrue(Files.exists(partial("n.bin")));
        ch.writeInbound(frame(Frame.newBuilder().setCancel(Cancel.newBuilder().setStream(1).setMessage("bye"))));
        assertEquals(List.of(), drain(ch));
        assertFalse(Files.exists(partial("n.bin")));
        assertFalse(Files.exists(root.resolve("n.bin")));
        // late Data for the cancelled stream: dropped, but the connection credit comes back
        ch.writeInbound(data(1, 300_000, src, 300_000, 1000));
        assertEquals(List.of(credit(0, 1000)), drain(ch));
        assertTrue(ch.isActive());
    }

    @Test
    void cancelWithWritesStillQueuedRemovesThePartialAfterThem() {
        byte[] src = bytes(500_000, 12);
        ManualExecutor disk = new ManualExecutor();
        EmbeddedChannel ch = ready(disk);
        ch.writeInbound(offerFrame(1, "o.bin", src.length));
        drainWith(ch, disk);
        ch.writeInbound(start(1, 0), data(1, 0, src, 0, 100_000), data(1, 100_000, src, 100_000, 100_000));
        ch.writeInbound(frame(Frame.newBuilder().setCancel(Cancel.newBuilder().setStream(1))));
        List<Frame> out = drainWith(ch, disk);
        assertEquals(List.of(credit(0, 100_000), credit(0, 100_000)), out);
        assertFalse(Files.exists(partial("o.bin")));
    }

    // ---- helpers ----

    private PeerStatus onlyPeer() {
        List<PeerStatus> all = peers.statuses(id -> id.equals(senderId) ? "siteA" : id.toString());
        assertEquals(1, all.size(), all.toString());
        return all.get(0);
    }

    private Admission admission = Admission.ALWAYS;

    private EmbeddedChannel open(Executor disk) {
        ReceiverEvents recorder = new ReceiverEvents() {
            @Override
            public void file(NodeId from, String path, long size, long bytesWritten, boolean present) {
                events.add("file " + from + " " + path + " " + size + " " + bytesWritten + " " + present);
            }

            @Override
            public void directory(NodeId from, String path) {
                events.add("dir " + from + " " + path);
            }

            @Override
            public void removed(NodeId from, String path) {
                events.add("removed " + from + " " + path);
            }

            @Override
            public void renamed(NodeId from, String fromPath, String toPath) {
                events.add("renamed " + from + " " + fromPath + " -> " + toPath);
            }
        };
        EmbeddedChannel ch = new EmbeddedChannel(new ReceiverSession(config, landing, disk, localId, recorder,
                admission, fff.receiver.transcode.Transcoder.unavailable("not in this test"), peers));
        channels.add(ch);
        return ch;
    }

    private EmbeddedChannel ready(Executor disk) {
        EmbeddedChannel ch = open(disk);
        ch.writeInbound(hello(senderId, 1));
        List<Frame> out = disk instanceof ManualExecutor m ? drainWith(ch, m) : drain(ch);
        assertEquals(1, out.size(), out.toString());
        assertTrue(out.get(0).hasHelloAck());
        // as a sender does once ready: a Ping, which the receiver answers and goes with a Ping of its own
        ch.writeInbound(frame(Frame.newBuilder().setPing(Ping.newBuilder().setNanos(42))));
        out = disk instanceof ManualExecutor m ? drainWith(ch, m) : drain(ch);
        assertEquals(2, out.size(), out.toString());
        assertEquals(42, out.stream().filter(Frame::hasPong).findFirst().orElseThrow().getPong().getNanos());
        readyPing = out.stream().filter(Frame::hasPing).findFirst().orElseThrow().getPing().getNanos();
        return ch;
    }

    private EmbeddedChannel startedStream(long stream, String path, long size) {
        EmbeddedChannel ch = ready(Runnable::run);
        ch.writeInbound(offerFrame(stream, path, size));
        assertTrue(single(drain(ch)).hasAccept());
        ch.writeInbound(start(stream, 0));
        assertEquals(List.of(), drain(ch));
        return ch;
    }

    private void sendAll(EmbeddedChannel ch, long stream, byte[] src, int from, int chunk) {
        sendAll(ch, stream, src, from, src.length, chunk);
    }

    /** Sends {@code src[from, to)} chunk by chunk; each is answered by its stream credit, then connection credit. */
    private void sendAll(EmbeddedChannel ch, long stream, byte[] src, int from, int to, int chunk) {
        for (int off = from; off < to; off += chunk) {
            int n = Math.min(chunk, to - off);
            ch.writeInbound(data(stream, off, src, off, n));
            assertEquals(List.of(credit(stream, n), credit(0, n)), drain(ch), "after Data at " + off);
        }
    }

    /** Runs the loop's tasks until no outbound frame has appeared for a few rounds; returns the frames. */
    private static List<Frame> drain(EmbeddedChannel ch) {
        return drainWith(ch, null);
    }

    private static List<Frame> drainWith(EmbeddedChannel ch, ManualExecutor disk) {
        List<Frame> frames = new ArrayList<>();
        for (int quiet = 0; quiet < 3; ) {
            int ran = disk == null ? 0 : disk.runAll();
            ch.runPendingTasks();
            ch.runScheduledPendingTasks();
            boolean got = false;
            for (Object o; (o = ch.readOutbound()) != null; ) {
                OutboundFrame f = (OutboundFrame) o;
                assertNull(f.payload(), "a receiver never sends payload");
                frames.add(f.frame());
                got = true;
            }
            quiet = got || ran > 0 ? 0 : quiet + 1;
        }
        return frames;
    }

    /**
     * The Goodbye that a protocol error sends, first. The credit for the chunk written just before may follow it:
     * the close runs once the Goodbye's write completes, and the write callback already waiting on the loop does
     * not check whether the session has said goodbye (harmless: the sender stops reading at Goodbye).
     */
    private static Frame goodbyeFirst(List<Frame> frames) {
        assertFalse(frames.isEmpty());
        Frame bye = frames.get(0);
        assertEquals(Reason.PROTOCOL_ERROR, bye.getGoodbye().getReason(), frames.toString());
        for (Frame f : frames.subList(1, frames.size())) {
            assertTrue(f.hasCredit(), frames.toString());
        }
        return bye;
    }

    private static Frame single(List<Frame> frames) {
        assertEquals(1, frames.size(), frames.toString());
        return frames.get(0);
    }

    private InboundFrame data(long stream, long offset, byte[] src, int from, int len) {
        ByteBuf payload = ByteBufAllocator.DEFAULT.directBuffer(len).writeBytes(src, from, len);
        payloads.add(payload);
        return new InboundFrame(Frames.dataHeader(stream, offset, len), payload);
    }

    private static InboundFrame frame(Frame.Builder b) {
        return new InboundFrame(b.build(), null);
    }

    private static InboundFrame hello(NodeId id, int version) {
        return frame(Frame.newBuilder().setHello(Hello.newBuilder().addVersions(version).setNodeId(id.toString())
                .setSoftware("test").setPlain(true)));
    }

    private static Offer offer(long stream, String path, long size) {
        return Offer.newBuilder().setStream(stream).setPath(path).setSize(size).setMtimeMillis(MTIME)
                .setHash(HashAlgorithm.XXH3_128_BLOCKS).build();
    }

    private static InboundFrame offerFrame(long stream, String path, long size) {
        return frame(Frame.newBuilder().setOffer(offer(stream, path, size)));
    }

    private static InboundFrame removeFrame(long stream, String path) {
        return frame(Frame.newBuilder().setOffer(Offer.newBuilder().setStream(stream).setPath(path).setRemove(true)));
    }

    private static InboundFrame renameFrame(long stream, String from, String to) {
        return frame(Frame.newBuilder().setOffer(Offer.newBuilder().setStream(stream).setPath(to)
                .setRenameFrom(from)));
    }

    /** A file already delivered at {@code path}. */
    private Path landed(String path, byte[] content) throws IOException {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        return Files.write(p, content);
    }

    private static InboundFrame start(long stream, long offset) {
        return frame(Frame.newBuilder().setStart(Start.newBuilder().setStream(stream).setOffset(offset)));
    }

    private static InboundFrame end(long stream, long count, byte[] digest) {
        return frame(Frame.newBuilder().setEnd(End.newBuilder().setStream(stream).setByteCount(count)
                .setDigest(ByteString.copyFrom(digest))));
    }

    private static Frame credit(long stream, long bytes) {
        return Frames.credit(stream, bytes).frame();
    }

    private Path partial(String path) {
        Path p = root.resolve(path);
        return p.resolveSibling(SafePaths.PARTIAL_PREFIX + p.getFileName() + SafePaths.PARTIAL_SUFFIX);
    }


    /** A disk executor that holds tasks until the test runs them, to observe what happens before the disk. */
    private static final class ManualExecutor implements Executor {
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable r) {
            tasks.add(r);
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

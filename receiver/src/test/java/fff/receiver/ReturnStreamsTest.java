package fff.receiver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import fff.common.hash.ContentHasher;
import fff.common.identity.NodeId;
import fff.common.identity.NodeIdentity;
import fff.common.testing.MediaFixtures;
import fff.common.transcode.FfmpegTools;
import fff.common.transcode.Probe;
import fff.common.transcode.Profile;
import fff.common.transcode.Profiles;
import fff.common.wire.Frames;
import fff.common.wire.HostPort;
import fff.common.wire.InboundFrame;
import fff.common.wire.OutboundFrame;
import fff.common.wire.WireLimits;
import fff.proto.Accept;
import fff.proto.Cancel;
import fff.proto.Convert;
import fff.proto.End;
import fff.proto.Frame;
import fff.proto.HashAlgorithm;
import fff.proto.Hello;
import fff.proto.MediaInfo;
import fff.proto.Offer;
import fff.proto.Reason;
import fff.proto.Result;
import fff.proto.ResultState;
import fff.proto.Start;
import fff.proto.Transcode;
import fff.proto.Verified;
import fff.receiver.convert.ConvertService;
import fff.receiver.storage.LandingArea;
import fff.receiver.transcode.Transcoder;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The converting side of "convert and return" ({@link ReturnStreams} in {@link ReceiverSession}) with the real
 * ffmpeg. The session runs on a real event loop over a local channel, frames as objects both ways (no codec):
 * the convert service reports from threads of its own, which an EmbeddedChannel's loop does not take. A PNG
 * becomes a webp (fast); a slow h265 (preset placebo) is what gets cancelled.
 */
class ReturnStreamsTest {

    private static final long MIB = 1 << 20;
    private static final int WINDOW = 1000;
    private static FfmpegTools tools;

    @TempDir
    Path tmp;

    private EventLoopGroup loops;
    private ExecutorService disk;
    private ConvertService convert;
    private LandingArea landing;
    private ReceiverConfig config;
    private NodeId localId;
    private NodeId senderId;
    private Path home;
    private final List<ByteBuf> payloads = new ArrayList<>();
    private final List<Channel> clients = new ArrayList<>();

    /** A frame that came from the session, with its payload copied (and the buffer released). */
    private record Got(Frame frame, byte[] payload) { }

    private final LinkedBlockingQueue<Got> got = new LinkedBlockingQueue<>();

    @BeforeAll
    static void find() throws Exception {
        tools = FfmpegTools.find(null);
    }

    @BeforeEach
    void setUp() throws IOException {
        loops = new DefaultEventLoopGroup(2);
        disk = Executors.newFixedThreadPool(2);
        landing = new LandingArea(tmp.resolve("landing"), 0);
        localId = NodeIdentity.create(tmp.resolve("receiver")).id();
        senderId = NodeIdentity.create(tmp.resolve("sender")).id();
        config = new ReceiverConfig(new HostPort("127.0.0.1", 7600), true, tmp.resolve("landing"), false,
                Set.of(senderId), 0, Duration.ofDays(7), (int) MIB, 4 * (int) MIB, 4);
        home = tmp.resolve("home");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Channel c : clients) {
            c.close().syncUninterruptibly();
        }
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        if (convert != null) {
            convert.close();
        }
        disk.shutdown();
        assertTrue(disk.awaitTermination(5, TimeUnit.SECONDS));
        for (ByteBuf b : payloads) {
            assertEquals(0, b.refCnt(), "a Data payload was not released");
        }
    }

    // ---- the whole way, then from the store ----

    @Test
    void aPngIsConvertedAndReturnedWithinCreditThenTheSameRequestIsAnsweredFromTheStore() throws Exception {
        Path png = png("still.png");
        byte[] src = Files.readAllBytes(png);
        MediaInfo media = new Probe(tools).probe(png);
        Channel ch = connect(1, Profiles.builtIns());

        send(ch, offer(1, "stills/still.png", src, "webp", media, WINDOW));
        Accept accept = next().frame().getAccept();
        assertEquals(0, accept.getResumeOffset());
        assertFalse(accept.getPresent());
        send(ch, start(1, 0));
        send(ch, data(1, 0, src, 0, src.length / 2));
        send(ch, data(1, src.length / 2, src, src.length / 2, src.length - src.length / 2));
        send(ch, end(1, src.length, digest(src)));

        List<ResultState> states = new ArrayList<>();
        Result ready = null;
        while (ready == null) {
            Got g = next();
            if (g.frame().hasCredit()) {
                continue; // the upload's credit
            }
            Result r = g.frame().getResult();
            assertEquals(1, r.getStream(), g.frame().toString());
            states.add(r.getState());
            if (r.getState() == ResultState.READY) {
                ready = r;
            }
        }
        assertEquals(ResultState.CONVERTING, states.get(0), "a free place: converting at once, " + states);
        assertEquals("still.webp", ready.getName());
        assertFalse(ready.getFromStore());
        assertTrue(ready.getSize() > 2L * WINDOW, "a result of " + ready.getSize() + " bytes takes several windows");

        byte[] result = receiveResult(ch, 1, ready, WINDOW);
        assertArrayEquals(ready.getDigest().toByteArray(), digest(result));
        assertTrue(new String(result, 0, 4, StandardCharsets.US_ASCII).equals("RIFF"), "a webp file");
        send(ch, verified(1));
        expectNothing(300);
        assertEquals(1, convert.store().count());
        assertEquals(List.of(), files(home.resolve("convert/spool")), "the source is gone");

        // the same source and profile again: nothing uploaded, nothing converted; a larger window for the stream
        // than the connection's
        send(ch, offer(3, "other/still.png", src, "webp", media, 3 * WINDOW));
        Accept again = next().frame().getAccept();
        assertTrue(again.getPresent());
        assertEquals(src.length, again.getResumeOffset());
        assertArrayEquals(digest(src), again.getPrefixDigest().toByteArray());
        send(ch, start(3, src.length));
        send(ch, end(3, src.length, digest(src)));
        Result stored = next().frame().getResult();
        assertEquals(ResultState.READY, stored.getState(), "no QUEUED or CONVERTING for a stored result");
        assertTrue(stored.getFromStore());
        assertEquals(ready.getDigest(), stored.getDigest());
        assertArrayEquals(result, receiveResult(ch, 3, stored, 3 * WINDOW));
        send(ch, verified(3));
        expectNothing(200);
        assertTrue(ch.isActive());
    }

    @Test
    void theHelloAckOffersReturnOnlyWithAConvertService() throws Exception {
        Channel with = connect(1, Profiles.builtIns());
        assertNotNull(with);
        convert.close();
        convert = null;
        Channel without = connect(0, Profiles.builtIns());
        send(without, offer(1, "a.png", new byte[10], "webp", MediaInfo.getDefaultInstance(), WINDOW));
        assertEquals(Reason.UNSUPPORTED_PROFILE, next().frame().getReject().getReason());
    }

    @Test
    void aRequestThatBreaksTheProfilesLimitsOrTheOffersShapeIsRefusedBeforeAnyPayload() throws Exception {
        Path png = png("big.png");
        byte[] src = Files.readAllBytes(png);
        MediaInfo media = new Probe(tools).probe(png);
        Profile small = Profiles.builtIn("webp", Map.of()).withLimits(
                Profiles.builtIn("webp", Map.of()).limits().withMaxSize(src.length - 1));
        Channel ch = connect(1, Profiles.of(Map.of("webp", small)));

        send(ch, offer(1, "big.png", src, "webp", media, WINDOW));
        assertEquals(Reason.TOO_LARGE, next().frame().getReject().getReason());
        send(ch, offer(3, "a.png", src, "nope", media, WINDOW));
        assertEquals(Reason.UNSUPPORTED_PROFILE, next().frame().getReject().getReason());
        Offer split = offer(5, "b.png", src, "webp", media, WINDOW).frame().getOffer().toBuilder()
                .setTranscode(Transcode.newBuilder().setProfile("webp").setWireFormat("mpegts")).build();
        send(ch, new InboundFrame(Frame.newBuilder().setOffer(split).build(), null));
        assertEquals(Reason.PROTOCOL_ERROR, next().frame().getReject().getReason());
        Offer directory = offer(7, "c.png", src, "webp", media, WINDOW).frame().getOffer().toBuilder().setDirectory(true)
                .build();
        send(ch, new InboundFrame(Frame.newBuilder().setOffer(directory).build(), null));
        assertEquals(Reason.PROTOCOL_ERROR, next().frame().getReject().getReason());
        expectNothing(200);
        assertTrue(ch.isActive(), "a refusal is per stream");
        assertEquals(List.of(), files(home.resolve("convert")));
    }

    @Test
    void aSourceWhoseDigestDiffersFailsRetryablyAndLeavesNoSpool() throws Exception {
        Path png = png("still.png");
        byte[] src = Files.readAllBytes(png);
        Channel ch = connect(1, Profiles.builtIns());
        send(ch, offer(1, "still.png", src, "webp", new Probe(tools).probe(png), WINDOW));
        assertTrue(next().frame().hasAccept());
        send(ch, start(1, 0));
        send(ch, data(1, 0, src, 0, src.length));
        byte[] other = src.clone();
        other[20] ^= 1;
        send(ch, end(1, src.length, digest(other)));
        Frame failed = nextExceptCredit();
        assertEquals(Reason.HASH_MISMATCH, failed.getFailed().getReason(), failed.toString());
        assertTrue(failed.getFailed().getRetryable());
        expectNothing(300);
        assertEquals(List.of(), files(home.resolve("convert")), "no spool, no result");
    }

    // ---- stopping ----

    @Test
    void cancelStopsTheRunningFfmpegAndAWaitingConversionNeverStarts() throws Exception {
        Path clip = tmp.resolve("clip.mp4");
        ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2", "-c:v", "libx264", "-preset",
                "ultrafast", "-pix_fmt", "yuv420p", clip.toString());
        byte[] video = Files.readAllBytes(clip);
        Path png = png("still.png");
        byte[] still = Files.readAllBytes(png);
        Profile slow = Profiles.builtIn("h265-mkv", Map.of("preset", "placebo"));
        Channel ch = connect(1, Profiles.of(Map.of("h265-mkv", slow, "webp", Profiles.builtIn("webp", Map.of()))));

        upload(ch, 1, "clip.mp4", video, "h265-mkv", new Probe(tools).probe(clip));
        assertEquals(ResultState.CONVERTING, nextExceptCredit().getResult().getState());
        upload(ch, 3, "still.png", still, "webp", new Probe(tools).probe(png));
        Frame queued = nextExceptCredit();
        assertEquals(3, queued.getResult().getStream());
        assertEquals(ResultState.QUEUED, queued.getResult().getState(), "one place, taken");
        assertEquals(1, ffmpegs(), "the slow one runs");

        send(ch, cancel(3));
        send(ch, cancel(1));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((ffmpegs() > 0 || convert.running() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(0, ffmpegs(), "no ffmpeg left");
        assertEquals(0, convert.running());
        for (Got g; (g = got.poll(500, TimeUnit.MILLISECONDS)) != null; ) {
            Frame f = g.frame();
            assertTrue(f.hasCredit() || (f.hasResult() && f.getResult().getStream() == 1), "after Cancel: " + f);
        }
        assertEquals(List.of(), files(home.resolve("convert")), "no spool, no partial, no result");
        assertTrue(ch.isActive());
    }

    @Test
    void aConversionRunningWhenTheConnectionDropsFinishesIntoTheStoreForTheRetry() throws Exception {
        Path png = png("still.png");
        byte[] src = Files.readAllBytes(png);
        MediaInfo media = new Probe(tools).probe(png);
        Channel first = connect(1, Profiles.builtIns());
        upload(first, 1, "still.png", src, "webp", media);
        assertEquals(ResultState.CONVERTING, nextExceptCredit().getResult().getState());
        first.close().syncUninterruptibly();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (convert.store().count() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(1, convert.store().count());
        assertEquals(List.of(), files(home.resolve("convert/spool")));
        got.clear();

        Channel second = connect(1, Profiles.builtIns());
        send(second, offer(1, "still.png", src, "webp", media, WINDOW));
        assertTrue(next().frame().getAccept().getPresent());
    }

    // ---- credit ----

    @Test
    void creditBeforeAnyConvertOfferOrForAStreamThatReturnsNothingIsAProtocolError() throws Exception {
        Channel ch = connect(1, Profiles.builtIns());
        send(ch, credit(0, 1));
        assertEquals(Reason.PROTOCOL_ERROR, next().frame().getGoodbye().getReason());

        Channel other = connect(1, Profiles.builtIns());
        send(other, credit(7, 10));
        assertEquals(Reason.PROTOCOL_ERROR, next().frame().getGoodbye().getReason());
    }

    @Test
    void creditBeyondTheReturnWindowIsAProtocolError() throws Exception {
        Path png = png("still.png");
        byte[] src = Files.readAllBytes(png);
        MediaInfo media = new Probe(tools).probe(png);
        Channel ch = connect(1, Profiles.builtIns());
        send(ch, offer(1, "still.png", src, "webp", media, WINDOW));
        assertTrue(next().frame().hasAccept());
        send(ch, credit(1, 1)); // nothing was returned yet: nothing to give back
        Frame bye = next().frame();
        assertEquals(Reason.PROTOCOL_ERROR, bye.getGoodbye().getReason());
        assertTrue(bye.getGoodbye().getMessage().contains("overruns"), bye.getGoodbye().getMessage());

        Channel again = connect(1, Profiles.builtIns());
        send(again, offer(1, "still.png", src, "webp", media, WINDOW));
        assertTrue(next().frame().hasAccept());
        send(again, credit(0, 1));
        assertEquals(Reason.PROTOCOL_ERROR, next().frame().getGoodbye().getReason());
    }

    // ---- helpers ----

    /**
     * Receives READY's result, granting back what arrives. The connection's return window is {@link #WINDOW}
     * (the connection's first convert offer); {@code streamWindow} is this stream's. Once the first WINDOW bytes
     * are out, nothing more comes until the credit that ran out comes back: the stream's when both windows are
     * WINDOW (the connection's given back first shows the stream's holds it), else the connection's.
     */
    private byte[] receiveResult(Channel ch, long stream, Result ready, long streamWindow) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean checkedStall = false;
        while (out.size() < ready.getSize()) {
            Got g = next();
            assertTrue(g.frame().hasData(), g.frame().toString());
            assertEquals(stream, g.frame().getData().getStream());
            assertEquals(out.size(), g.frame().getData().getOffset());
            int n = g.payload().length;
            assertTrue(n <= WINDOW && n <= WireLimits.MAX_PAYLOAD, "a chunk of " + n);
            out.write(g.payload());
            if (!checkedStall && out.size() == WINDOW) {
                checkedStall = true;
                expectNothing(300); // a window is used up
                if (streamWindow == WINDOW) {
                    send(ch, credit(0, n));
                    expectNothing(300); // the stream's is still empty
                    send(ch, credit(stream, n));
                } else {
                    send(ch, credit(stream, n));
                    expectNothing(300); // the stream has credit, the connection none
                    send(ch, credit(0, n));
                }
                continue;
            }
            send(ch, credit(stream, n));
            send(ch, credit(0, n));
        }
        assertTrue(checkedStall, "the result took more than one window");
        End end = next().frame().getEnd();
        assertEquals(stream, end.getStream());
        assertEquals(ready.getSize(), end.getByteCount());
        assertEquals(ready.getDigest(), end.getDigest());
        return out.toByteArray();
    }

    private void upload(Channel ch, long stream, String path, byte[] src, String profile, MediaInfo media)
            throws Exception {
        send(ch, offer(stream, path, src, profile, media, WINDOW));
        assertTrue(next().frame().hasAccept());
        send(ch, start(stream, 0));
        for (int off = 0; off < src.length; off += (int) MIB) {
            int n = (int) Math.min(MIB, src.length - off);
            send(ch, data(stream, off, src, off, n));
        }
        send(ch, end(stream, src.length, digest(src)));
    }

    private Channel connect(int limit, Profiles profiles) throws Exception {
        if (limit > 0 && convert == null) {
            convert = ConvertService.open(home, tools, limit, 10L << 30, Duration.ofDays(7), Clock.systemUTC());
        }
        Transcoder transcoder = Transcoder.of(tools, profiles);
        LocalAddress address = new LocalAddress("fff-" + UUID.randomUUID());
        ConvertService service = limit > 0 ? convert : null;
        Channel server = new ServerBootstrap().group(loops).channel(LocalServerChannel.class)
                .childHandler(new ReceiverSession(config, landing, disk, localId, ReceiverEvents.NONE,
                        Admission.ALWAYS, transcoder, new InboundPeers(), service))
                .bind(address).sync().channel();
        clients.add(server);
        Channel ch = new Bootstrap().group(loops).channel(LocalChannel.class).handler(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                OutboundFrame f = (OutboundFrame) msg;
                byte[] payload = null;
                if (f.payload() instanceof ByteBuf b) {
                    payload = ByteBufUtil.getBytes(b);
                }
                ReferenceCountUtil.release(f.payload());
                if (!f.frame().hasPing() && !f.frame().hasPong()) {
                    got.add(new Got(f.frame(), payload));
                }
            }
        }).connect(address).sync().channel();
        clients.add(ch);
        send(ch, new InboundFrame(Frame.newBuilder().setHello(Hello.newBuilder().addVersions(WireLimits.VERSION)
                .setNodeId(senderId.toString()).setSoftware("test").setPlain(true)).build(), null));
        Frame ack = next().frame();
        assertTrue(ack.hasHelloAck(), ack.toString());
        assertEquals(service != null, ack.getHelloAck().getCapabilitiesList().contains(WireLimits.CAPABILITY_RETURN));
        return ch;
    }

    private Got next() throws InterruptedException {
        Got g = got.poll(30, TimeUnit.SECONDS);
        if (g == null) {
            fail("nothing came from the converter within 30 s");
        }
        return g;
    }

    private Frame nextExceptCredit() throws InterruptedException {
        for (;;) {
            Frame f = next().frame();
            if (!f.hasCredit()) {
                return f;
            }
        }
    }

    private void expectNothing(long millis) throws InterruptedException {
        Got g = got.poll(millis, TimeUnit.MILLISECONDS);
        assertNull(g, () -> "unexpected " + g.frame());
    }

    private static void send(Channel ch, InboundFrame f) {
        ch.writeAndFlush(f).syncUninterruptibly();
    }

    private static InboundFrame offer(long stream, String path, byte[] src, String profile, MediaInfo media,
            long window) {
        return new InboundFrame(Frame.newBuilder().setOffer(Offer.newBuilder().setStream(stream).setPath(path)
                .setSize(src.length).setMtimeMillis(1_700_000_000_000L).setHash(HashAlgorithm.XXH3_128_BLOCKS)
                .setTranscode(Transcode.newBuilder().setProfile(profile).setSource(media).setSourceSize(src.length))
                .setConvert(Convert.newBuilder().setRequestId("req-" + stream)
                        .setSourceDigest(ByteString.copyFrom(digest(src))).setReturnWindow(window))).build(), null);
    }

    private InboundFrame data(long stream, long offset, byte[] src, int from, int len) {
        ByteBuf payload = ByteBufAllocator.DEFAULT.directBuffer(len).writeBytes(src, from, len);
        payloads.add(payload);
        return new InboundFrame(Frames.dataHeader(stream, offset, len), payload);
    }

    private static InboundFrame start(long stream, long offset) {
        return new InboundFrame(Frame.newBuilder().setStart(Start.newBuilder().setStream(stream).setOffset(offset))
                .build(), null);
    }

    private static InboundFrame end(long stream, long count, byte[] digest) {
        return new InboundFrame(Frame.newBuilder().setEnd(End.newBuilder().setStream(stream).setByteCount(count)
                .setDigest(ByteString.copyFrom(digest))).build(), null);
    }

    private static InboundFrame credit(long stream, long bytes) {
        return new InboundFrame(Frames.credit(stream, bytes).frame(), null);
    }

    private static InboundFrame verified(long stream) {
        return new InboundFrame(Frame.newBuilder().setVerified(Verified.newBuilder().setStream(stream)).build(),
                null);
    }

    private static InboundFrame cancel(long stream) {
        return new InboundFrame(Frame.newBuilder().setCancel(Cancel.newBuilder().setStream(stream)
                .setMessage("test")).build(), null);
    }

    private static byte[] digest(byte[] b) {
        ContentHasher h = new ContentHasher();
        h.update(b, 0, b.length);
        return h.digest();
    }

    /** ffmpeg processes this JVM started and that still run. */
    private static long ffmpegs() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.endsWith("ffmpeg")).orElse(false)).count();
    }

    private Path png(String name) throws Exception {
        Path still = tmp.resolve("src").resolve(name);
        return MediaFixtures.png(tools, still);
    }

    private static void ffmpeg(String... args) throws IOException, InterruptedException {
        MediaFixtures.ffmpeg(tools, args);
    }

    /** Every file under {@code dir}, hidden ones included; none when it does not exist. */
    private static List<String> files(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }
}

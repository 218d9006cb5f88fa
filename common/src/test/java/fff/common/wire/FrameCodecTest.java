package fff.common.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import fff.common.testing.LeakCheck;
import fff.proto.Frame;
import fff.proto.HashAlgorithm;
import fff.proto.Hello;
import fff.proto.HelloAck;
import fff.proto.Offer;
import fff.proto.Ping;
import fff.proto.Pong;
import fff.proto.Reason;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link FrameEncoder} and {@link FrameDecoder} on an {@link EmbeddedChannel} with the production pipeline
 * (length cutter, frame decoder, frame encoder): every message type round-trips, input split anywhere decodes
 * the same, oversized and malformed frames are refused, and every buffer is released.
 */
@ExtendWith(LeakCheck.class)
class FrameCodecTest {

    /** A frame as the test sees it: header plus payload bytes (empty for everything but Data). */
    private record Msg(Frame frame, ByteString payload) {
        static Msg of(OutboundFrame out) {
            return new Msg(out.frame(), ByteString.EMPTY);
        }

        static Msg data(long stream, long offset, byte[] payload) {
            return new Msg(Frames.dataHeader(stream, offset, payload.length), ByteString.copyFrom(payload));
        }

        @Override
        public String toString() {
            return frame.getBodyCase() + (payload.isEmpty() ? "" : " +" + payload.size() + " B");
        }
    }

    /** Buffers this test handed to the pipeline or took out of it; all must end at refCnt 0. */
    private final List<ByteBuf> owned = new ArrayList<>();

    @AfterEach
    void everyBufferReleased() {
        for (ByteBuf buf : owned) {
            assertEquals(0, buf.refCnt(), () -> "unreleased " + buf);
        }
    }

    // ---- round trips ---------------------------------------------------------------------------------------

    static Stream<Arguments> everyMessageType() {
        return everyMessage().stream().map(m -> Arguments.of(m.frame().getBodyCase(), m));
    }

    @Test
    void everyMessageTypeIsCovered() {
        Set<Frame.BodyCase> covered = everyMessage().stream().map(m -> m.frame().getBodyCase())
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(Frame.BodyCase.class)));
        assertEquals(EnumSet.complementOf(EnumSet.of(Frame.BodyCase.BODY_NOT_SET)), covered);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyMessageType")
    void roundTrips(Frame.BodyCase type, Msg msg) {
        EmbeddedChannel ch = codecChannel();
        ByteBuf payload = null;
        OutboundFrame out;
        if (type == Frame.BodyCase.DATA) {
            payload = track(ByteBufAllocator.DEFAULT.buffer().writeBytes(msg.payload().toByteArray()));
            out = OutboundFrame.data(msg.frame(), payload);
        } else {
            out = OutboundFrame.of(msg.frame());
        }
        assertTrue(ch.writeOutbound(out));

        ByteBuf prefix = track(ch.readOutbound());
        int headerLen = msg.frame().getSerializedSize();
        assertEquals(2 + headerLen + msg.payload().size(), prefix.getInt(0), "u32 length counts what follows it");
        assertEquals(headerLen, prefix.getUnsignedShort(4));
        assertEquals(6 + headerLen, prefix.readableBytes(), "the prefix buffer holds no payload");
        if (payload != null) {
            assertSame(payload, ch.readOutbound(), "the payload is passed on untouched, not copied");
        }
        assertNull(ch.readOutbound());

        // the outbound buffers go back in as one inbound buffer
        ByteBuf wire = track(ByteBufAllocator.DEFAULT.buffer());
        wire.writeBytes(prefix);
        prefix.release();
        if (payload != null) {
            wire.writeBytes(payload);
            payload.release();
        }
        assertTrue(ch.writeInbound(wire));
        assertEquals(List.of(msg), readAll(ch));
        assertFalse(ch.finish());
    }

    @Test
    void maxPayloadRoundTrips() {
        byte[] bytes = random(WireLimits.MAX_PAYLOAD, 7);
        Msg msg = Msg.data(3, 1L << 40, bytes);
        byte[] wire = encode(codecChannel(), List.of(msg));
        EmbeddedChannel ch = codecChannel();
        assertTrue(ch.writeInbound(track(ByteBufAllocator.DEFAULT.buffer(wire.length).writeBytes(wire))));
        assertEquals(List.of(msg), readAll(ch));
        assertFalse(ch.finish());
    }

    @Test
    void fileRegionPayloadIsPrefixThenRegion(@TempDir Path tmp) throws IOException {
        byte[] file = random(10_000, 11);
        Path path = Files.write(tmp.resolve("payload.bin"), file);
        int position = 123;
        int count = 7_777;
        Frame header = Frames.dataHeader(9, position, count);
        FileRegion region = new DefaultFileRegion(path.toFile(), position, count);

        EmbeddedChannel enc = codecChannel();
        assertTrue(enc.writeOutbound(OutboundFrame.data(header, region)));
        ByteBuf prefix = track(enc.readOutbound());
        assertEquals(6 + header.getSerializedSize(), prefix.readableBytes());
        assertSame(region, enc.readOutbound(), "the region stays a region (zero-copy)");
        assertNull(enc.readOutbound());
        assertFalse(enc.finish());

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(takeBytes(prefix));
        bytes.write(transferAndRelease(region));

        EmbeddedChannel dec = codecChannel();
        assertTrue(dec.writeInbound(track(ByteBufAllocator.DEFAULT.buffer().writeBytes(bytes.toByteArray()))));
        Msg expected = new Msg(header, ByteString.copyFrom(file, position, count));
        assertEquals(List.of(expected), readAll(dec));
        assertFalse(dec.finish());
    }

    // ---- split input ---------------------------------------------------------------------------------------

    @Test
    void sequenceSplitAtEveryByteBoundaryDecodesTheSame() {
        List<Msg> sent = sequence();
        byte[] wire = encode(codecChannel(), sent);
        for (int split = 0; split <= wire.length; split++) {
            EmbeddedChannel ch = codecChannel();
            ByteBuf first = track(ByteBufAllocator.DEFAULT.buffer(split).writeBytes(wire, 0, split));
            ByteBuf rest = track(ByteBufAllocator.DEFAULT.buffer(wire.length - split)
                    .writeBytes(wire, split, wire.length - split));
            ch.writeInbound(first);
            List<Msg> got = new ArrayList<>(readAll(ch));
            ch.writeInbound(rest);
            got.addAll(readAll(ch));
            int at = split;
            assertEquals(sent, got, () -> "split at byte " + at + " of " + wire.length);
            assertFalse(ch.finish(), "split at " + split);
        }
    }

    @Test
    void sequenceFedOneByteAtATimeDecodesTheSame() {
        List<Msg> sent = sequence();
        byte[] wire = encode(codecChannel(), sent);
        EmbeddedChannel ch = codecChannel();
        List<Msg> got = new ArrayList<>();
        for (byte b : wire) {
            ch.writeInbound(track(ByteBufAllocator.DEFAULT.buffer(1).writeByte(b)));
            got.addAll(readAll(ch));
        }
        assertEquals(sent, got);
        assertFalse(ch.finish());
    }

    @Test
    void truncatedFrameIsReleasedOnClose() {
        byte[] wire = encode(codecChannel(), List.of(Msg.data(1, 0, random(500, 3))));
        EmbeddedChannel ch = codecChannel();
        assertFalse(ch.writeInbound(track(ByteBufAllocator.DEFAULT.buffer().writeBytes(wire, 0, wire.length - 1))));
        assertFalse(ch.finish(), "half a frame decodes to nothing");
    }

    // ---- the length prefix ---------------------------------------------------------------------------------

    static Stream<Long> tooLongPrefixes() {
        return Stream.of((long) WireLimits.MAX_FRAME + 1, (long) Integer.MAX_VALUE, 0x8000_0000L, 0xFFFF_FFFFL);
    }

    @ParameterizedTest(name = "prefix {0}")
    @MethodSource("tooLongPrefixes")
    void tooLongPrefixIsRefusedBeforeTheBodyIsBuffered(long prefix) {
        CountingAllocator alloc = new CountingAllocator();
        EmbeddedChannel ch = codecChannel();
        ch.config().setAllocator(alloc);
        ByteBuf in = track(ByteBufAllocator.DEFAULT.buffer(4).writeInt((int) prefix));

        TooLongFrameException e = assertThrows(TooLongFrameException.class, () -> ch.writeInbound(in));
        assertTrue(e.getMessage().contains(Long.toString(prefix + 4)), e.getMessage());
        assertEquals(0, alloc.buffers.get(), "nothing allocated for a body that was refused");
        assertEquals(0, in.refCnt(), "the 4 prefix bytes were consumed and released");
        assertNull(ch.readInbound());
        assertFalse(ch.finish());
    }

    @Test
    void largestAcceptedPrefixWaitsForItsBodyWithoutAllocating() {
        // LengthFieldBasedFrameDecoder counts the 4 prefix bytes against its maximum; see the disabled test below
        long prefix = WireLimits.MAX_FRAME - 4;
        CountingAllocator alloc = new CountingAllocator();
        EmbeddedChannel ch = codecChannel();
        ch.config().setAllocator(alloc);
        assertFalse(ch.writeInbound(track(ByteBufAllocator.DEFAULT.buffer(4).writeInt((int) prefix))));
        assertEquals(0, alloc.bytes.get(), "a prefix alone allocates nothing");
        assertFalse(ch.finish());
    }

    @Test
    void prefixOfExactlyMaxFrameIsAccepted() {
        EmbeddedChannel ch = codecChannel();
        assertFalse(ch.writeInbound(track(ByteBufAllocator.DEFAULT.buffer(4).writeInt(WireLimits.MAX_FRAME))));
        assertFalse(ch.finish());
    }

    // ---- corrupted frames ----------------------------------------------------------------------------------

    static Stream<Arguments> corruptedFrames() {
        byte[] ping = Frame.newBuilder().setPing(Ping.newBuilder().setNanos(5)).build().toByteArray();
        byte[] data10 = Frames.dataHeader(1, 0, 10).toByteArray();
        byte[] data4 = Frames.dataHeader(1, 0, 4).toByteArray();
        byte[] malformedTag = new byte[11];
        Arrays.fill(malformedTag, (byte) 0xFF);
        byte[] onlyUnknownField = {(byte) 0x98, 0x06, 0x01}; // field 99, varint 1: parses, but no oneof case
        return Stream.of(
                Arguments.of("empty frame", frame(new byte[0]), "frame of 0 B has no header length"),
                Arguments.of("one byte frame", frame(new byte[] {0}), "frame of 1 B has no header length"),
                Arguments.of("header length 0", frame(u16(0), ping), "header length 0 does not fit a frame of"),
                Arguments.of("header longer than frame", frame(u16(10), new byte[] {1, 2, 3}),
                        "header length 10 does not fit a frame of 5 B"),
                Arguments.of("header longer by one", frame(u16(ping.length + 1), ping),
                        "header length " + (ping.length + 1) + " does not fit"),
                Arguments.of("invalid tag zero", withHeader(new byte[] {0, 0, 0}), "malformed frame header"),
                Arguments.of("truncated submessage", withHeader(new byte[] {0x0A, 0x05, 0x01}),
                        "malformed frame header"),
                Arguments.of("malformed tag varint", withHeader(malformedTag), "malformed frame header"),
                Arguments.of("no oneof set", withHeader(onlyUnknownField), "frame without a message"),
                Arguments.of("Data payload shorter than header says", withHeader(data10, new byte[5]),
                        "Data header says 10 B but 5 B follow"),
                Arguments.of("Data payload longer than header says", withHeader(data4, new byte[6]),
                        "Data header says 4 B but 6 B follow"),
                Arguments.of("Data without its payload", withHeader(data4), "Data header says 4 B but 0 B follow"),
                Arguments.of("Ping with a payload", withHeader(ping, new byte[3]),
                        "PING frame carries 3 unexpected payload bytes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptedFrames")
    void corruptedFrameIsRefused(String name, byte[] wire, String expectedMessage) {
        EmbeddedChannel ch = codecChannel();
        ByteBuf in = track(ByteBufAllocator.DEFAULT.buffer(wire.length).writeBytes(wire));
        CorruptedFrameException e = assertThrows(CorruptedFrameException.class, () -> ch.writeInbound(in));
        assertTrue(e.getMessage().contains(expectedMessage),
                () -> "message '" + e.getMessage() + "' should contain '" + expectedMessage + "'");
        assertEquals(0, in.refCnt(), "the refused frame is released");
        assertNull(ch.readInbound());
        assertFalse(ch.finish());
    }

    // ---- encoder limits ------------------------------------------------------------------------------------

    @Test
    void encoderRefusesOversizedPayloadAndReleasesIt() {
        int size = WireLimits.MAX_PAYLOAD + 1;
        ByteBuf payload = track(ByteBufAllocator.DEFAULT.buffer(size).writeZero(size));
        EmbeddedChannel ch = codecChannel();
        EncoderException e = assertThrows(EncoderException.class,
                () -> ch.writeOutbound(OutboundFrame.data(Frames.dataHeader(1, 0, size), payload)));
        assertTrue(e.getMessage().contains("frame too large"), e.getMessage());
        assertTrue(e.getMessage().contains(Integer.toString(size)), e.getMessage());
        assertEquals(0, payload.refCnt());
        assertNull(ch.readOutbound(), "nothing half-written");
        assertFalse(ch.finish());
    }

    @Test
    void encoderRefusesOversizedFileRegionAndReleasesIt(@TempDir Path tmp) throws IOException {
        Path path = Files.write(tmp.resolve("big.bin"), new byte[16]);
        long count = WireLimits.MAX_PAYLOAD + 1L;
        FileRegion region = new DefaultFileRegion(path.toFile(), 0, count);
        EmbeddedChannel ch = codecChannel();
        assertThrows(EncoderException.class,
                () -> ch.writeOutbound(OutboundFrame.data(Frames.dataHeader(1, 0, (int) count), region)));
        assertEquals(0, region.refCnt());
        assertNull(ch.readOutbound());
        assertFalse(ch.finish());
    }

    @Test
    void encoderRefusesOversizedHeader() {
        OutboundFrame huge = Frames.cancel(1, "x".repeat(WireLimits.MAX_HEADER));
        EmbeddedChannel ch = codecChannel();
        EncoderException e = assertThrows(EncoderException.class, () -> ch.writeOutbound(huge));
        assertTrue(e.getMessage().contains("frame too large: header"), e.getMessage());
        assertNull(ch.readOutbound());
        assertFalse(ch.finish());
    }

    // ---- fixtures ------------------------------------------------------------------------------------------

    private static List<Msg> everyMessage() {
        return List.of(
                new Msg(Frame.newBuilder().setHello(Hello.newBuilder().addVersions(1).addVersions(2)
                        .setNodeId("node-a").addCapabilities("resume").addCapabilities("range")
                        .setSoftware("fff/0.1.0").setPlain(true)).build(), ByteString.EMPTY),
                new Msg(Frame.newBuilder().setHelloAck(HelloAck.newBuilder().setVersion(1).setNodeId("node-b")
                        .addCapabilities("resume").setConnectionWindow(64L << 20)
                        .setMaxPayload(WireLimits.MAX_PAYLOAD).setMaxStreams(4)).build(), ByteString.EMPTY),
                new Msg(Frame.newBuilder().setOffer(Offer.newBuilder().setStream(7).setPath("dir/ä file.bin")
                        .setSize(5_000_000_000L).setMtimeMillis(-1).setHash(HashAlgorithm.XXH3_128_BLOCKS)
                        .setDirectory(false)).build(), ByteString.EMPTY),
                Msg.of(Frames.accept(7, 3L << 20, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
                        8L << 20, false)),
                Msg.of(Frames.reject(8, Reason.BUSY, "try later")),
                Msg.of(Frames.start(7, 3L << 20)),
                Msg.data(7, 3L << 20, random(4_321, 1)),
                Msg.of(Frames.credit(0, 1L << 20)),
                Msg.of(Frames.end(7, 5_000_000_000L, random(16, 2))),
                Msg.of(Frames.verified(7, 5_000_000_000L, true)),
                Msg.of(Frames.failed(7, Reason.HASH_MISMATCH, "digest differs", true)),
                Msg.of(Frames.cancel(7, "user cancelled")),
                new Msg(Frame.newBuilder().setPing(Ping.newBuilder().setNanos(Long.MAX_VALUE)).build(),
                        ByteString.EMPTY),
                new Msg(Frame.newBuilder().setPong(Pong.newBuilder().setNanos(-1L)).build(), ByteString.EMPTY),
                Msg.of(Frames.goodbye(Reason.SHUTTING_DOWN, "bye")),
                Msg.of(Frames.resultReady(9, "clip.mkv", 1234, new byte[16], true)));
    }

    /** Several frames, with Data of zero, small and a few hundred bytes, and default-valued bodies. */
    private static List<Msg> sequence() {
        return List.of(
                everyMessage().get(0),
                Msg.of(Frames.start(1, 0)),
                Msg.data(1, 0, random(37, 4)),
                Msg.data(1, 37, new byte[0]),
                new Msg(Frame.newBuilder().setPing(Ping.getDefaultInstance()).build(), ByteString.EMPTY),
                Msg.data(2, 1 << 20, random(300, 5)),
                Msg.of(Frames.credit(1, 337)),
                Msg.of(Frames.end(1, 337, random(16, 6))),
                Msg.of(Frames.goodbye(Reason.REASON_UNSPECIFIED, "")));
    }

    private static EmbeddedChannel codecChannel() {
        return new EmbeddedChannel(FrameDecoder.lengthDecoder(), FrameDecoder.INSTANCE, FrameEncoder.INSTANCE);
    }

    private ByteBuf track(ByteBuf buf) {
        owned.add(buf);
        return buf;
    }

    /** Writes the frames through the encoder and returns the bytes on the wire; releases what came out. */
    private byte[] encode(EmbeddedChannel ch, List<Msg> msgs) {
        List<OutboundFrame> outs = new ArrayList<>();
        for (Msg m : msgs) {
            outs.add(m.frame().hasData()
                    ? OutboundFrame.data(m.frame(), track(ByteBufAllocator.DEFAULT.buffer(m.payload().size())
                            .writeBytes(m.payload().toByteArray())))
                    : OutboundFrame.of(m.frame()));
        }
        assertTrue(ch.writeOutbound(outs.toArray()));
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            wire.writeBytes(takeBytes(track(assertInstanceOf(ByteBuf.class, o))));
        }
        assertFalse(ch.finish());
        return wire.toByteArray();
    }

    /** Reads every decoded frame, copying and releasing its payload. */
    private List<Msg> readAll(EmbeddedChannel ch) {
        List<Msg> got = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            InboundFrame f = assertInstanceOf(InboundFrame.class, o);
            if (f.frame().hasData()) {
                track(f.payload());
            } else {
                assertEquals(0, f.payload().readableBytes());
            }
            got.add(new Msg(f.frame(), ByteString.copyFrom(f.payload().nioBuffer())));
            f.release();
        }
        return got;
    }

    private static byte[] transferAndRelease(FileRegion region) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (WritableByteChannel target = Channels.newChannel(bytes)) {
            while (region.transferred() < region.count()) {
                region.transferTo(target, region.transferred());
            }
        } finally {
            region.release();
        }
        assertEquals(0, region.refCnt());
        return bytes.toByteArray();
    }

    /** {@code u32 length | body}. */
    private static byte[] frame(byte[]... parts) {
        int len = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        byte[] out = new byte[4 + len];
        out[0] = (byte) (len >>> 24);
        out[1] = (byte) (len >>> 16);
        out[2] = (byte) (len >>> 8);
        out[3] = (byte) len;
        int at = 4;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** {@code u32 length | u16 header_len | header | payload}, lengths consistent. */
    private static byte[] withHeader(byte[] header, byte[]... payload) {
        byte[][] parts = new byte[2 + payload.length][];
        parts[0] = u16(header.length);
        parts[1] = header;
        System.arraycopy(payload, 0, parts, 2, payload.length);
        return frame(parts);
    }

    private static byte[] u16(int v) {
        return new byte[] {(byte) (v >>> 8), (byte) v};
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Copies a buffer's readable bytes and releases it. */
    private static byte[] takeBytes(ByteBuf buf) {
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /** Counts what the pipeline allocates, to show the length cutter refuses before buffering a body. */
    private static final class CountingAllocator extends AbstractByteBufAllocator {
        final AtomicInteger buffers = new AtomicInteger();
        final AtomicLong bytes = new AtomicLong();

        CountingAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            buffers.incrementAndGet();
            bytes.addAndGet(initialCapacity);
            return new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            buffers.incrementAndGet();
            bytes.addAndGet(initialCapacity);
            return new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }
}

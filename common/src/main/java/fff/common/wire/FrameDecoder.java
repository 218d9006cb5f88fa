package fff.common.wire;

import com.google.protobuf.InvalidProtocolBufferException;
import fff.proto.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;

/**
 * Turns one length-delimited frame (as cut by {@link #lengthDecoder()}) into an {@link InboundFrame}:
 * <pre>
 *   u16 header_len | Frame protobuf (header_len bytes) | payload (the rest)
 * </pre>
 * The payload is a retained slice of the input, never copied. Only a {@code Data} frame may carry a
 * payload, and its length must equal the header's {@code length}; anything else is a
 * {@link CorruptedFrameException}, which the connection handlers answer with {@code Goodbye} and close.
 */
@Sharable
public final class FrameDecoder extends MessageToMessageDecoder<ByteBuf> {

    public static final FrameDecoder INSTANCE = new FrameDecoder();

    private FrameDecoder() {
        super(ByteBuf.class);
    }

    /** The length cutter: 4-byte prefix, hard maximum checked before anything is buffered, fail fast. */
    public static LengthFieldBasedFrameDecoder lengthDecoder() {
        // Netty counts the 4-byte length field itself against the maximum
        return new LengthFieldBasedFrameDecoder(WireLimits.MAX_FRAME + 4, 0, 4, 0, 4, true);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 2) {
            throw new CorruptedFrameException("frame of " + in.readableBytes() + " B has no header length");
        }
        int headerLen = in.readUnsignedShort();
        if (headerLen == 0 || headerLen > in.readableBytes()) {
            throw new CorruptedFrameException("header length " + headerLen + " does not fit a frame of "
                    + (in.readableBytes() + 2) + " B");
        }
        Frame frame;
        try {
            frame = Frame.parseFrom(in.nioBuffer(in.readerIndex(), headerLen));
        } catch (InvalidProtocolBufferException e) {
            throw new CorruptedFrameException("malformed frame header: " + e.getMessage(), e);
        }
        in.skipBytes(headerLen);
        int payloadLen = in.readableBytes();
        switch (frame.getBodyCase()) {
            case BODY_NOT_SET -> throw new CorruptedFrameException("frame without a message (unknown type?)");
            case DATA -> {
                if (frame.getData().getLength() != payloadLen) {
                    throw new CorruptedFrameException("Data header says " + frame.getData().getLength()
                            + " B but " + payloadLen + " B follow");
                }
                out.add(new InboundFrame(frame, in.readRetainedSlice(payloadLen)));
            }
            default -> {
                if (payloadLen != 0) {
                    throw new CorruptedFrameException(frame.getBodyCase() + " frame carries " + payloadLen
                            + " unexpected payload bytes");
                }
                out.add(new InboundFrame(frame, null));
            }
        }
    }
}

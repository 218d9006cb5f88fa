package fff.common.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Writes an {@link OutboundFrame} as
 * <pre>
 *   u32 length | u16 header_len | Frame protobuf | payload
 * </pre>
 * where length counts everything after itself. The payload is passed on untouched (a FileRegion stays
 * zero-copy), after a small buffer holding the prefix and the header.
 */
@Sharable
public final class FrameEncoder extends MessageToMessageEncoder<OutboundFrame> {

    public static final FrameEncoder INSTANCE = new FrameEncoder();

    private FrameEncoder() {
        super(OutboundFrame.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, OutboundFrame msg, List<Object> out) {
        byte[] header = msg.frame().toByteArray();
        String problem = header.length > WireLimits.MAX_HEADER || msg.payloadLength() > WireLimits.MAX_PAYLOAD
                ? "frame too large: header " + header.length + " B, payload " + msg.payloadLength() + " B"
                : msg.frame().getBodyCase() == fff.proto.Frame.BodyCase.BODY_NOT_SET ? "frame without a message"
                : msg.frame().hasData() ? (msg.frame().getData().getLength() != msg.payloadLength()
                        ? "Data header says " + msg.frame().getData().getLength() + " B, payload has "
                                + msg.payloadLength() : null)
                : msg.payload() != null ? msg.frame().getBodyCase() + " frame with a payload" : null;
        if (problem != null) {
            release(msg);
            throw new EncoderException(problem);
        }
        ByteBuf prefix = ctx.alloc().buffer(6 + header.length);
        prefix.writeInt((int) (2 + header.length + msg.payloadLength()));
        prefix.writeShort(header.length);
        prefix.writeBytes(header);
        out.add(prefix);
        if (msg.payload() != null) {
            out.add(msg.payload());
        }
    }

    private static void release(OutboundFrame msg) {
        if (msg.payload() instanceof io.netty.util.ReferenceCounted rc) {
            rc.release();
        }
    }
}

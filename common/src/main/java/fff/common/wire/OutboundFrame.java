package fff.common.wire;

import fff.proto.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.channel.FileRegion;

/**
 * A frame to write: a protobuf header and an optional payload, either bytes in memory ({@link ByteBuf}) or a
 * {@link FileRegion} sent zero-copy on plain links. The encoder takes ownership of the payload.
 */
public record OutboundFrame(Frame frame, Object payload, long payloadLength) {

    public OutboundFrame {
        if (payload != null && !(payload instanceof ByteBuf) && !(payload instanceof FileRegion)) {
            throw new IllegalArgumentException("payload must be a ByteBuf or FileRegion: " + payload.getClass());
        }
    }

    public static OutboundFrame of(Frame frame) {
        return new OutboundFrame(frame, null, 0);
    }

    public static OutboundFrame data(Frame frame, ByteBuf payload) {
        return new OutboundFrame(frame, payload, payload.readableBytes());
    }

    public static OutboundFrame data(Frame frame, FileRegion region) {
        return new OutboundFrame(frame, region, region.count());
    }
}

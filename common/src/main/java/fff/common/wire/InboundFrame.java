package fff.common.wire;

import fff.proto.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * One decoded frame: the protobuf header and, for {@code Data}, the raw payload as a retained slice of the
 * read buffer. Whoever receives an InboundFrame owns the payload and must {@link #release()} it.
 */
public record InboundFrame(Frame frame, ByteBuf payload) {

    public InboundFrame {
        if (payload == null) {
            payload = Unpooled.EMPTY_BUFFER;
        }
    }

    public void release() {
        if (payload.refCnt() > 0) {
            payload.release();
        }
    }
}

package fff.common.wire;

import fff.proto.Accept;
import fff.proto.Cancel;
import fff.proto.Credit;
import fff.proto.Data;
import fff.proto.End;
import fff.proto.Failed;
import fff.proto.Frame;
import fff.proto.Goodbye;
import fff.proto.Reason;
import fff.proto.Reject;
import fff.proto.Result;
import fff.proto.ResultState;
import fff.proto.Start;
import fff.proto.Verified;
import com.google.protobuf.ByteString;

/** Short constructors for the frames both ends write often. */
public final class Frames {

    private Frames() {}

    public static OutboundFrame goodbye(Reason reason, String message) {
        return OutboundFrame.of(Frame.newBuilder()
                .setGoodbye(Goodbye.newBuilder().setReason(reason).setMessage(message)).build());
    }

    public static OutboundFrame reject(long stream, Reason reason, String message) {
        return OutboundFrame.of(Frame.newBuilder()
                .setReject(Reject.newBuilder().setStream(stream).setReason(reason).setMessage(message)).build());
    }

    /** A {@code BUSY} refusal: offer again after {@code retryAfterMillis}. */
    public static OutboundFrame reject(long stream, Reason reason, String message, int retryAfterMillis) {
        return OutboundFrame.of(Frame.newBuilder().setReject(Reject.newBuilder().setStream(stream).setReason(reason)
                .setMessage(message).setRetryAfterMillis(retryAfterMillis)).build());
    }

    public static OutboundFrame accept(long stream, long resumeOffset, byte[] prefixDigest, long window,
            boolean present) {
        return OutboundFrame.of(Frame.newBuilder().setAccept(Accept.newBuilder().setStream(stream)
                .setResumeOffset(resumeOffset).setPrefixDigest(ByteString.copyFrom(prefixDigest))
                .setStreamWindow(window).setPresent(present)).build());
    }

    public static OutboundFrame start(long stream, long offset) {
        return OutboundFrame.of(Frame.newBuilder()
                .setStart(Start.newBuilder().setStream(stream).setOffset(offset)).build());
    }

    public static Frame dataHeader(long stream, long offset, int length) {
        return Frame.newBuilder()
                .setData(Data.newBuilder().setStream(stream).setOffset(offset).setLength(length)).build();
    }

    public static OutboundFrame credit(long stream, long bytes) {
        return OutboundFrame.of(Frame.newBuilder()
                .setCredit(Credit.newBuilder().setStream(stream).setBytes(bytes)).build());
    }

    public static OutboundFrame end(long stream, long byteCount, byte[] digest) {
        return OutboundFrame.of(Frame.newBuilder().setEnd(End.newBuilder().setStream(stream)
                .setByteCount(byteCount).setDigest(ByteString.copyFrom(digest))).build());
    }

    public static OutboundFrame verified(long stream, long byteCount, boolean alreadyPresent) {
        return verified(stream, byteCount, alreadyPresent, false);
    }

    /** With {@code fileComplete}: a stripe whose part completed the file (see {@code Stripe} in the protocol). */
    public static OutboundFrame verified(long stream, long byteCount, boolean alreadyPresent, boolean fileComplete) {
        return OutboundFrame.of(Frame.newBuilder().setVerified(Verified.newBuilder().setStream(stream)
                .setByteCount(byteCount).setAlreadyPresent(alreadyPresent).setFileComplete(fileComplete)).build());
    }

    public static OutboundFrame failed(long stream, Reason reason, String message, boolean retryable) {
        return OutboundFrame.of(Frame.newBuilder().setFailed(Failed.newBuilder().setStream(stream)
                .setReason(reason).setMessage(message).setRetryable(retryable)).build());
    }

    public static OutboundFrame cancel(long stream, String message) {
        return OutboundFrame.of(Frame.newBuilder()
                .setCancel(Cancel.newBuilder().setStream(stream).setMessage(message)).build());
    }

    /** A convert stream's QUEUED or CONVERTING (with {@code progress}, 0..1) report (see {@code Convert}). */
    public static OutboundFrame result(long stream, ResultState state, double progress) {
        return OutboundFrame.of(Frame.newBuilder().setResult(Result.newBuilder().setStream(stream).setState(state)
                .setProgress(progress)).build());
    }

    /** A convert stream's READY: the result's Data and End follow. */
    public static OutboundFrame resultReady(long stream, String name, long size, byte[] digest, boolean fromStore) {
        return OutboundFrame.of(Frame.newBuilder().setResult(Result.newBuilder().setStream(stream)
                .setState(ResultState.READY).setName(name).setSize(size).setDigest(ByteString.copyFrom(digest))
                .setFromStore(fromStore)).build());
    }
}

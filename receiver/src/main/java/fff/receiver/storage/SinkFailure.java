package fff.receiver.storage;

import fff.proto.Reason;
import java.io.IOException;

/** A {@link StreamSink} write failed for a reason the sender should hear by name (e.g. its ffmpeg died). */
public final class SinkFailure extends IOException {

    private static final long serialVersionUID = 1L;

    private final Reason reason;

    public SinkFailure(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}

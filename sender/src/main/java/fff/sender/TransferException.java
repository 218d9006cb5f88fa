package fff.sender;

import fff.proto.Reason;

/** A transfer attempt that did not end in {@code Verified}: why, and whether trying again can help. */
public final class TransferException extends Exception {

    private final Reason reason;
    private final boolean retryable;
    private final long retryAfterMillis;
    private boolean connection;

    public TransferException(Reason reason, String message, boolean retryable) {
        this(reason, message, retryable, 0);
    }

    public TransferException(Reason reason, String message, boolean retryable, long retryAfterMillis) {
        super(message);
        this.reason = reason;
        this.retryable = retryable;
        this.retryAfterMillis = retryAfterMillis;
    }

    /** The receiver could not be reached or the connection broke: retryable, and the file is not to blame. */
    public static TransferException connection(String message) {
        TransferException e = new TransferException(Reason.IO_ERROR, message, true);
        e.connection = true;
        return e;
    }

    public boolean connection() {
        return connection;
    }

    public Reason reason() {
        return reason;
    }

    public boolean retryable() {
        return retryable;
    }

    public long retryAfterMillis() {
        return retryAfterMillis;
    }
}

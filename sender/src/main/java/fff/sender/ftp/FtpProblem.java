package fff.sender.ftp;

import java.io.IOException;

/**
 * Why an FTP operation failed, coded for the job engine and worded for an operator. Messages name the location
 * (without a password), the operation and the server's last reply; they never carry a password.
 */
public final class FtpProblem extends IOException {

    public static final String LOGIN_FAILED = "LOGIN_FAILED";
    public static final String PERMISSION_DENIED = "PERMISSION_DENIED";
    public static final String DISK_FULL = "DISK_FULL";
    public static final String CONNECTION_REFUSED = "CONNECTION_REFUSED";
    public static final String NOT_FOUND = "NOT_FOUND";
    public static final String TLS = "TLS";
    public static final String PROTOCOL = "PROTOCOL";
    public static final String IO_ERROR = "IO_ERROR";

    private final String reason;
    private final boolean retryable;
    private final int replyCode;

    public FtpProblem(String reason, String message, boolean retryable, int replyCode, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.retryable = retryable;
        this.replyCode = replyCode;
    }

    /** One of the constants above. */
    public String reason() {
        return reason;
    }

    public boolean retryable() {
        return retryable;
    }

    /** The last FTP reply code, 0 if none. */
    public int replyCode() {
        return replyCode;
    }
}

package fff.common.transcode;

/** A media file or tool problem, with a message fit for an operator (and a job's error). */
public class MediaException extends Exception {

    public MediaException(String message) {
        super(message);
    }

    public MediaException(String message, Throwable cause) {
        super(message, cause);
    }
}

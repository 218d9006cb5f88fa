package fff.receiver.storage;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where one incoming stream's bytes go: a file in the landing area ({@link Incoming}) or a receiving ffmpeg
 * (a transcode). Lifecycle: {@link #startFrom} once, {@link #write} in offset order, then exactly one of
 * {@link #finish}, {@link #abandon} or {@link #discard}. Blocking: called in order from one stream's disk
 * chain, never from an event loop; {@link #stop} alone may be called from any thread.
 */
public interface StreamSink {

    /**
     * Bytes already held for this path (a kept partial, or the whole present file); 0 for a fresh start. For a
     * part of a striped file ({@link StripeIncoming}) an absolute offset within the part, its offset when nothing
     * is held.
     */
    long resumeOffset();

    /** Digest of bytes {@code [0, resumeOffset)}; for a part, of bytes {@code [offset, resumeOffset)}. */
    byte[] prefixDigest();

    /** True when the final path already holds a file of the offered size. */
    boolean present();

    void startFrom(long offset) throws IOException;

    void write(ByteBuffer data, long offset) throws IOException;

    /** Checks what arrived against the sender's count and digest; on success the result is at its final path. */
    Verdict finish(long byteCount, byte[] expectedDigest) throws IOException;

    /** The connection went away: keep what can be resumed, release the path. */
    void abandon() throws IOException;

    /** Cancelled: remove everything written, release the path. */
    void discard() throws IOException;

    /** Stops work in progress at once so the disk chain can get on (a transcode kills its ffmpeg). Any thread. */
    default void stop() {
    }
}

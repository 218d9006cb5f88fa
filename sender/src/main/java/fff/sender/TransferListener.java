package fff.sender;

/** Progress of one transfer, called from network threads: keep it short and never block. */
public interface TransferListener {

    /** {@code persisted} bytes of the file are known to be on the receiver's disk (after a resume too). */
    void progress(long persisted, long size);

    /** A transcode's ffmpeg progress: {@code frame} of {@code frames} done, at {@code fps} and {@code speed}× real time. */
    default void media(long frame, long frames, double fps, double speed) {
    }

    TransferListener NONE = (persisted, size) -> { };
}

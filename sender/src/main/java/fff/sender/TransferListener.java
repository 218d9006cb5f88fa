package fff.sender;

/** Progress of one transfer, called from network threads: keep it short and never block. */
public interface TransferListener {

    /** {@code persisted} bytes of the file are known to be on the receiver's disk (after a resume too). */
    void progress(long persisted, long size);

    /** A transcode's ffmpeg progress: {@code frame} of {@code frames} done, at {@code fps} and {@code speed}× real time. */
    default void media(long frame, long frames, double fps, double speed) {
    }

    /**
     * A conversion returned to this node: where it stands at the converter ({@code "queued"}, {@code "converting"}
     * with {@code progress} 0..1, {@code "returning"} or {@code "from the converter's store"} with 1).
     */
    default void conversion(String state, double progress) {
    }

    TransferListener NONE = (persisted, size) -> { };
}

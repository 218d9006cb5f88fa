package fff.common.jobs;

import fff.common.peers.PeerStatus;

/**
 * Moves one job's file to one destination (a peer node; FTP and local disks later). Implementations report
 * through the {@link Listener} from any thread and never block the caller of {@link #start}.
 */
public interface Mover extends AutoCloseable {

    /** Starts one attempt of the job. */
    Running start(Job job, Listener listener);

    /** Registers who is told when the destination goes offline or comes back (changes only); at most one. */
    default void onOnlineChange(OnlineListener listener) {
    }

    /** How the destination is reached and what went to it, for {@code /api/peers}; null if it is no peer. */
    default PeerStatus status() {
        return null;
    }

    @Override
    default void close() {
    }

    /** A started attempt. */
    interface Running {
        /** Stops the attempt; the destination drops what it received. The listener then hears a failure. */
        void cancel(String why);
    }

    /** Outcome and progress of one attempt; exactly one of {@code done} and {@code failed}. */
    interface Listener {
        void progress(long bytesDone);

        /** A transcode's ffmpeg progress: {@code frame} of {@code frames}, at {@code fps}, {@code speed}× real time. */
        default void media(long frame, long frames, double fps, double speed) {
        }

        void done(Delivery delivery);

        void failed(Failure failure);
    }

    /** Destination reachability. */
    interface OnlineListener {
        void changed(boolean online, String why);
    }
}

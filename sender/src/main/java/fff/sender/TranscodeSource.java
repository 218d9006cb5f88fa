package fff.sender;

import fff.common.transcode.BytePipe;
import fff.common.transcode.FfmpegRun;
import fff.common.transcode.Media;
import fff.common.transcode.ProfileSides;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sending end of a transcode: this node's ffmpeg reads the source and writes the profile's wire format to
 * its stdout, which is copied into a bounded pipe that the session drains into the stream as credit allows.
 * While the receiver is slower the pipe stays full, the copy blocks on it and ffmpeg blocks on its stdout:
 * back-pressure from the receiving ffmpeg all the way to the source, with memory bounded by the windows, this
 * pipe and the OS pipe.
 */
final class TranscodeSource {

    /** Reads from transcode pipes block for as long as ffmpeg takes: they get threads of their own. */
    static final ExecutorService READERS = Executors.newCachedThreadPool(new java.util.concurrent.ThreadFactory() {
        private final AtomicInteger n = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "fff-send-transcode-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    });

    private static final int PIPE_BYTES = 1 << 20;
    private static final Duration STOP_WAIT = Duration.ofSeconds(2);

    private final Transfer transfer;
    private final BytePipe pipe = new BytePipe(PIPE_BYTES);
    private volatile FfmpegRun ffmpeg;
    private volatile boolean stopped;

    TranscodeSource(Transfer transfer) {
        this.transfer = transfer;
    }

    /** Starts ffmpeg on the source. */
    void start() {
        TranscodeRequest tr = transfer.transcode;
        long totalFrames = Media.frames(tr.media());
        FfmpegRun run = ProfileSides.send(tr.tools(), tr.profile(), tr.media(), transfer.source,
                (frame, fps, speed) -> {
                    long done = totalFrames <= 0 ? 0 : Math.min(transfer.size, transfer.size * frame / totalFrames);
                    transfer.listener.progress(done, transfer.size);
                    transfer.listener.media(frame, totalFrames, fps, speed);
                }, pipe); // closed when all of ffmpeg's output is in it, failed when ffmpeg fails
        ffmpeg = run;
        if (stopped) {
            run.kill();
        }
    }

    /** Fills {@code dst} from ffmpeg's output (blocking); returns the bytes read, -1 at the end. */
    int read(ByteBuffer dst) throws IOException {
        int total = 0;
        while (dst.hasRemaining()) {
            int n = pipe.read(dst);
            if (n < 0) {
                return total == 0 ? -1 : total;
            }
            total += n;
        }
        return total;
    }

    /** Kills ffmpeg now (any thread, does not wait); readers see an error. */
    void stop() {
        stopped = true;
        pipe.fail(new IOException("transcode stopped"));
        FfmpegRun run = ffmpeg;
        if (run != null) {
            run.kill();
        }
    }

    /** Stops ffmpeg and waits up to 2 s for it to be gone. Blocking. */
    void close() throws InterruptedException {
        stop();
        FfmpegRun run = ffmpeg;
        if (run != null && !run.awaitGone(STOP_WAIT)) {
            throw new IllegalStateException("sending ffmpeg (pid " + run.pid() + ") still running after it was killed");
        }
    }
}

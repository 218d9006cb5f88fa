package fff.common.transcode;

import com.github.kokorin.jaffree.JaffreeException;
import com.github.kokorin.jaffree.ffmpeg.FFmpeg;
import com.github.kokorin.jaffree.ffmpeg.FFmpegStopper;
import com.github.kokorin.jaffree.ffmpeg.Input;
import com.github.kokorin.jaffree.ffmpeg.FFmpegResult;
import com.github.kokorin.jaffree.ffmpeg.Output;
import com.github.kokorin.jaffree.ffmpeg.UrlOutput;
import com.github.kokorin.jaffree.log.LogMessage;
import com.github.kokorin.jaffree.process.StdReader;
import com.github.kokorin.jaffree.process.Stopper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ffmpeg process driven through jaffree, on a thread of its own. It keeps ffmpeg's last log lines for
 * error messages, reports progress, and can be killed from any thread: {@link #kill()} takes the process
 * itself down (jaffree's own stop types {@code q} on stdin, which a stalled ffmpeg never reads), so no ffmpeg
 * outlives its job.
 */
public final class FfmpegRun {

    /** ffmpeg's periodic progress, from one of jaffree's threads. */
    public interface Progress {
        void update(long frame, double fps, double speed);
    }

    private static final Logger LOG = LoggerFactory.getLogger(FfmpegRun.class);
    private static final int TAIL_LINES = 6;
    private static final AtomicInteger SEQ = new AtomicInteger();
    /** Runs whose process may still be alive: killed if the JVM exits, so no ffmpeg outlives its node. */
    private static final Set<FfmpegRun> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(FfmpegRun::kill), "fff-ffmpeg-reaper"));
    }

    private final String label;
    private final ArrayDeque<String> tail = new ArrayDeque<>();
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private volatile Process process;
    private volatile boolean killed;
    /** Piped output: ffmpeg exited 0, and its stdout ended; both before the pipe closes. */
    private final AtomicInteger outputHalves = new AtomicInteger();

    private FfmpegRun(String label) {
        this.label = label;
    }

    /**
     * Starts ffmpeg with {@code input}, then {@code args} (output options, e.g. codecs), then {@code output}.
     *
     * @param label names the run in messages, e.g. "sending ffmpeg"
     */
    public static FfmpegRun start(FfmpegTools tools, String label, Input input, Output output, List<String> args,
            Progress progress) {
        return launch(tools, label, input, output, args, progress, null);
    }

    /**
     * Starts ffmpeg writing {@code format} to its standard output, which is copied into {@code out}: the pipe is
     * closed once ffmpeg exited 0 and every byte it wrote is in the pipe (however long a slow reader takes to
     * make room), and failed with ffmpeg's last lines when it fails or is killed. A stdout pipe rather than
     * jaffree's socket output: that one waits in accept() for ever if ffmpeg dies before connecting, and is
     * given up after a timeout while a slow reader holds it back, cutting the stream short.
     */
    public static FfmpegRun startPiped(FfmpegTools tools, String label, Input input, String format, List<String> args,
            Progress progress, BytePipe out) {
        return launch(tools, label, input, UrlOutput.toUrl("pipe:1").setFormat(format), args, progress, out);
    }

    private static FfmpegRun launch(FfmpegTools tools, String label, Input input, Output output, List<String> args,
            Progress progress, BytePipe stdout) {
        FfmpegRun run = new FfmpegRun(label);
        FFmpeg ffmpeg = new FFmpeg(tools.ffmpeg()) {
            @Override
            protected Stopper createStopper() {
                return new FFmpegStopper() {
                    @Override
                    public void setProcess(Process p) {
                        super.setProcess(p);
                        run.attach(p);
                    }
                };
            }

            @Override
            protected StdReader<FFmpegResult> createStdOutReader() {
                return stdout == null ? super.createStdOutReader() : new PipeCopy(run, stdout);
            }
        };
        ffmpeg.addInput(input).addOutput(output).setOverwriteOutput(true).setExecutorTimeoutMillis(2_000)
                .setOutputListener(run::line)
                .setProgressListener(p -> progress.update(nz(p.getFrame()), p.getFps() == null ? 0 : p.getFps(),
                        p.getSpeed() == null ? 0 : p.getSpeed()));
        for (String a : args) {
            ffmpeg.addArgument(a);
        }
        if (stdout != null) {
            run.finished.whenComplete((ok, err) -> {
                if (err != null) {
                    stdout.fail(new IOException(err.getMessage(), err));
                } else {
                    run.outputDone(stdout);
                }
            });
        }
        LIVE.add(run);
        Thread t = new Thread(() -> run.execute(ffmpeg), "fff-ffmpeg-" + SEQ.incrementAndGet());
        t.setDaemon(true);
        t.start();
        return run;
    }

    /** Copies ffmpeg's stdout into a pipe; jaffree runs it on a thread of its own. */
    private static final class PipeCopy implements StdReader<FFmpegResult> {
        private final FfmpegRun run;
        private final BytePipe pipe;

        PipeCopy(FfmpegRun run, BytePipe pipe) {
            this.run = run;
            this.pipe = pipe;
        }

        @Override
        public FFmpegResult read(InputStream stdOut) {
            byte[] buf = new byte[64 << 10];
            try {
                for (int n; (n = stdOut.read(buf)) > 0; ) {
                    ByteBuffer chunk = ByteBuffer.wrap(buf, 0, n);
                    // blocks while the reader is behind; but once ffmpeg is gone, jaffree closes its stdout 2 s
                    // later: what is still in the OS pipe (at most its capacity) is taken into memory first
                    while (!pipe.write(chunk, 200, TimeUnit.MILLISECONDS)) {
                        if (run.exited()) {
                            ByteBuffer rest = ByteBuffer.wrap(stdOut.readAllBytes());
                            pipe.write(chunk);
                            pipe.write(rest);
                            run.outputDone(pipe);
                            return null;
                        }
                    }
                }
            } catch (IOException e) {
                pipe.fail(e); // ours failed (stopped), or ffmpeg's end broke: either way the stream is over
            }
            run.outputDone(pipe);
            return null;
        }

        @Override
        public List<LogMessage> getErrorLogMessages() {
            return List.of();
        }
    }

    /** Called when ffmpeg exited 0 and when its stdout ended: the second call closes the pipe. */
    private void outputDone(BytePipe pipe) {
        if (outputHalves.incrementAndGet() == 2) {
            pipe.close();
        }
    }

    private void execute(FFmpeg ffmpeg) {
        try {
            ffmpeg.execute();
            if (killed) {
                finished.completeExceptionally(new MediaException(label + " was stopped"));
            } else {
                finished.complete(null);
            }
        } catch (JaffreeException | IllegalStateException e) {
            Process p = process;
            String exit = p == null || p.isAlive() ? ""
                    : p.exitValue() > 128 ? " (killed by signal " + (p.exitValue() - 128) + ")"
                    : " (exit " + p.exitValue() + ")";
            finished.completeExceptionally(new MediaException(killed ? label + " was stopped"
                    : label + " failed" + exit + ": " + tail(), e));
        } catch (Throwable e) {
            finished.completeExceptionally(new MediaException(label + " failed: " + e, e));
        } finally {
            Process p = process;
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
            }
            LIVE.remove(this);
        }
    }

    /** ffmpeg's process has ended. */
    private boolean exited() {
        Process p = process;
        return p != null && !p.isAlive();
    }

    private void attach(Process p) {
        process = p;
        LOG.debug("{} started, pid {}", label, p.pid());
        if (killed) {
            p.destroyForcibly();
        }
    }

    private void line(String message) {
        synchronized (tail) {
            if (tail.size() == TAIL_LINES) {
                tail.removeFirst();
            }
            tail.addLast(message.trim());
        }
    }

    private static long nz(Long v) {
        return v == null ? 0 : v;
    }

    /** ffmpeg's last log lines, joined, for error messages. */
    public String tail() {
        synchronized (tail) {
            return tail.isEmpty() ? "(ffmpeg printed nothing)" : String.join(" | ", tail);
        }
    }

    /** Completes when ffmpeg exited 0; exceptionally with a {@link MediaException} naming what it said. */
    public CompletableFuture<Void> finished() {
        return finished;
    }

    /** Kills ffmpeg (and anything it started) now. Idempotent, any thread, does not wait. */
    public void kill() {
        killed = true;
        Process p = process;
        if (p != null) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    /** Waits until the process is gone (or never started); false if it is still there after {@code max}. */
    public boolean awaitGone(Duration max) throws InterruptedException {
        Process p = process;
        return p == null || p.waitFor(max.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Kills ffmpeg and waits up to {@code max} for it to be gone (it may still hold its output open), logging
     * when it is not; an interrupt ends the wait and stays set. Blocking.
     */
    public void killAndAwait(Duration max) {
        kill();
        try {
            if (!awaitGone(max)) {
                LOG.warn("ffmpeg (pid {}) still running {} after it was killed", pid(), max);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The process id, or -1 before it started. */
    public long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    public boolean wasKilled() {
        return killed;
    }
}

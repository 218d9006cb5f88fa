package fff.common.transcode;

import com.github.kokorin.jaffree.JaffreeException;
import com.github.kokorin.jaffree.ffmpeg.FFmpeg;
import com.github.kokorin.jaffree.ffmpeg.FFmpegStopper;
import com.github.kokorin.jaffree.ffmpeg.Input;
import com.github.kokorin.jaffree.ffmpeg.Output;
import com.github.kokorin.jaffree.process.Stopper;
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

    private FfmpegRun(String label) {
        this.label = label;
    }

    /**
     * Starts ffmpeg with {@code input}, then {@code args} (output options, e.g. codecs), then {@code output}.
     * Once ffmpeg exited, {@link #finished()} waits up to 2 s for jaffree's pumps to finish.
     *
     * @param label names the run in messages, e.g. "sending ffmpeg"
     */
    public static FfmpegRun start(FfmpegTools tools, String label, Input input, Output output, List<String> args,
            Progress progress) {
        return start(tools, label, input, output, args, progress, false);
    }

    /**
     * As above; with {@code drainOutput}, {@link #finished()} completes only once jaffree's output pump has
     * handed on every byte ffmpeg wrote, however long a slow reader takes (a pipe output under back-pressure:
     * giving up on the pump after a timeout would cut the stream short). The reader must then fail its end of
     * the pipe to stop a stuck pump.
     */
    public static FfmpegRun start(FfmpegTools tools, String label, Input input, Output output, List<String> args,
            Progress progress, boolean drainOutput) {
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
        };
        // jaffree: 0 = wait for its helper threads without limit
        ffmpeg.addInput(input).addOutput(output).setOverwriteOutput(true)
                .setExecutorTimeoutMillis(drainOutput ? 0 : 2_000)
                .setOutputListener(run::line)
                .setProgressListener(p -> progress.update(nz(p.getFrame()), p.getFps() == null ? 0 : p.getFps(),
                        p.getSpeed() == null ? 0 : p.getSpeed()));
        for (String a : args) {
            ffmpeg.addArgument(a);
        }
        LIVE.add(run);
        Thread t = new Thread(() -> run.execute(ffmpeg), "fff-ffmpeg-" + SEQ.incrementAndGet());
        t.setDaemon(true);
        t.start();
        return run;
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
            String exit = p != null && !p.isAlive() ? " (exit " + p.exitValue() + ")" : "";
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

    /** The process id, or -1 before it started. */
    public long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    public boolean wasKilled() {
        return killed;
    }
}

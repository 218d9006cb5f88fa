package fff.sender.transcode;

import fff.common.jobs.Delivery;
import fff.common.jobs.Failure;
import fff.common.jobs.Job;
import fff.common.jobs.JobSpec;
import fff.common.jobs.Mover;
import fff.common.transcode.Admission;
import fff.common.transcode.BytePipe;
import fff.common.transcode.FfmpegRun;
import fff.common.transcode.FfmpegTools;
import fff.common.transcode.FileConversion;
import fff.common.transcode.Media;
import fff.common.transcode.MediaException;
import fff.common.transcode.Probe;
import fff.common.transcode.Profile;
import fff.common.transcode.ProfileSides;
import fff.proto.MediaInfo;
import fff.sender.TranscodeRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt of a job through {@link LocalTranscodeMover}: the profile's output is made in the hidden partial
 * {@code DIR/.NAME.fff-partial}, checked against the source as a receiving node checks it and renamed to
 * {@code DIR/NAME}; the wrapped mover then delivers that file as a plain job. The attempt ends exactly once: every
 * ffmpeg is gone and {@code DIR} is removed before the listener hears done or failed.
 *
 * <p>A split profile: ffprobe describes the source; the send side writes the wire format into a pipe that the
 * receive side reads. Back-pressure is the pipe's: a slow receive side blocks the send side's copy, and ffmpeg on
 * its stdout. A whole-file profile: the source is checked against the profile's limits ({@link Admission}: size,
 * then ffprobe), and one {@link FileConversion} writes and checks the partial.
 */
final class LocalTranscode {

    private static final Logger LOG = LoggerFactory.getLogger(LocalTranscode.class);
    private static final int PIPE_BYTES = 1 << 20;
    private static final Duration STOP_WAIT = Duration.ofSeconds(2);

    private final Job job;
    private final Profile profile;
    private final FfmpegTools tools;
    private final Path dir;
    private final Mover inner;
    private final Mover.Listener listener;
    private final Executor executor;
    private final Consumer<LocalTranscode> onEnd;
    private final BytePipe pipe = new BytePipe(PIPE_BYTES);
    private final CompletableFuture<Void> gone = new CompletableFuture<>();
    private final AtomicBoolean ended = new AtomicBoolean();
    /** The first ffmpeg failure of the two sides: the cause; the other side's is a consequence. */
    private final AtomicReference<Throwable> firstError = new AtomicReference<>();
    // guarded by this
    private String cancelled;
    private FfmpegRun sending;
    private FfmpegRun receiving;
    private FileConversion conversion;
    private Mover.Running delivery;

    LocalTranscode(Job job, Profile profile, FfmpegTools tools, Path dir, Mover inner, Mover.Listener listener,
            Executor executor, Consumer<LocalTranscode> onEnd) {
        this.job = job;
        this.profile = profile;
        this.tools = tools;
        this.dir = dir;
        this.inner = inner;
        this.listener = listener;
        this.executor = executor;
        this.onEnd = onEnd;
    }

    /** Completes when the attempt ended and its folder is gone. */
    CompletableFuture<Void> gone() {
        return gone;
    }

    /** Runs the attempt up to the hand-over to the wrapped mover. Blocking: on the mover's executor. */
    void run() {
        try {
            Path output = profile.isWholeFile() ? convert() : transcode();
            deliver(output);
        } catch (Stop s) {
            end(() -> listener.failed(s.failure));
        } catch (RuntimeException e) {
            LOG.warn("local transcode of job {} failed", job.id(), e);
            end(() -> listener.failed(Failure.of("IO_ERROR", "local transcode: " + e, true)));
        }
    }

    /** Ends an attempt that never ran. */
    void refuse(String why) {
        end(() -> listener.failed(Failure.of("CANCELLED", why, false)));
    }

    /** Stops the attempt at whatever step it is; the listener then hears a failure. Any thread, idempotent. */
    void cancel(String why) {
        Mover.Running d;
        synchronized (this) {
            if (cancelled != null || ended.get()) {
                return;
            }
            cancelled = why;
            pipe.fail(new IOException("transcode stopped: " + why));
            kill(sending);
            kill(receiving);
            if (conversion != null) {
                conversion.stop();
            }
            d = delivery;
        }
        if (d != null) {
            d.cancel(why); // the wrapped mover reports the failure
        }
    }

    private Path transcode() throws Stop {
        JobSpec spec = job.spec();
        checkCancelled();
        if (!Files.exists(spec.source())) {
            throw new Stop(Failure.of("SOURCE_GONE", "source " + spec.source() + " no longer exists", false));
        }
        TranscodeRequest request;
        try {
            request = TranscodeRequest.probe(tools, profile, spec.source());
        } catch (MediaException e) {
            throw new Stop(Failure.of("BAD_SOURCE", e.getMessage(), false));
        }
        Path partial = partial();
        long frames = Media.frames(request.media());
        FfmpegRun send;
        FfmpegRun receive;
        synchronized (this) {
            checkCancelled();
            send = ProfileSides.send(tools, profile, request.media(), spec.source(),
                    (frame, fps, speed) -> listener.media(frame, frames, fps, speed), pipe);
            receive = ProfileSides.receive(tools, profile, request.media(), pipe, partial,
                    err -> new IOException(err.getMessage(), err));
            sending = send;
            receiving = receive;
        }
        // one side failing dooms the other: a receive side whose input broke may even exit 0 on a short file
        send.finished().whenComplete((ok, err) -> failed(err, receive));
        receive.finished().whenComplete((ok, err) -> failed(err, send));
        await(send);
        await(receive);
        checkCancelled();
        Throwable err = firstError.get();
        if (err != null) {
            throw new Stop(Failure.of("TRANSCODE_FAILED", err.getMessage(), true));
        }
        try {
            ProfileSides.check(tools, profile, request.media(), partial);
        } catch (MediaException e) {
            throw new Stop(Failure.of("TRANSCODE_FAILED", e.getMessage(), false));
        }
        return publish(partial);
    }

    /** A whole-file profile: admission, then one ffmpeg from the source file to the partial, then the check. */
    private Path convert() throws Stop {
        JobSpec spec = job.spec();
        checkCancelled();
        Admission admission;
        try {
            admission = Admission.check(profile, spec.source(), new Probe(tools));
        } catch (NoSuchFileException e) {
            throw new Stop(Failure.of("SOURCE_GONE", "source " + spec.source() + " no longer exists", false));
        } catch (IOException e) {
            throw new Stop(Failure.of("IO_ERROR", "cannot read source " + spec.source() + ": " + e, true));
        }
        if (admission instanceof Admission.Refused r) {
            throw new Stop(Failure.of(r.refusal().reason().name(), r.refusal().message(), false));
        }
        MediaInfo media = ((Admission.Accepted) admission).media();
        Path partial = partial();
        FileConversion c = new FileConversion(tools, profile, media, spec.source(), partial);
        synchronized (this) {
            checkCancelled();
            conversion = c;
        }
        long frames = Media.frames(media);
        try {
            c.run((frame, fps, speed) -> listener.media(frame, frames, fps, speed)); // deletes the partial on failure
        } catch (MediaException e) {
            checkCancelled();
            // the same source and profile would fail the same way: FileConversion does not tell a crash apart
            throw new Stop(Failure.of("TRANSCODE_FAILED", e.getMessage(), false));
        }
        return publish(partial);
    }

    /** Makes the job's folder; returns the partial to write the output to. */
    private Path partial() throws Stop {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new Stop(Failure.of("IO_ERROR", "cannot make transcode work folder " + dir + ": " + e, true));
        }
        return dir.resolve("." + outputName() + ".fff-partial");
    }

    /** The output's name in the job's folder: the remote path's last part. */
    private String outputName() {
        String remote = job.spec().remotePath();
        String name = remote.substring(remote.lastIndexOf('/') + 1);
        return name.isEmpty() || name.equals(".") || name.equals("..") ? profile.outputPath("output") : name;
    }

    /** Renames the checked partial to its name, with the source's modification time. */
    private Path publish(Path partial) throws Stop {
        Path output = dir.resolve(outputName());
        try {
            Files.move(partial, output, StandardCopyOption.ATOMIC_MOVE);
            Files.setLastModifiedTime(output, FileTime.fromMillis(job.spec().mtimeMillis()));
        } catch (IOException e) {
            throw new Stop(Failure.of("IO_ERROR", "cannot finish transcode output " + output + ": " + e, true));
        }
        return output;
    }

    private void failed(Throwable err, FfmpegRun other) {
        if (err != null) {
            Throwable cause = err instanceof CompletionException && err.getCause() != null
                    ? err.getCause() : err;
            firstError.compareAndSet(null, cause);
            pipe.fail(new IOException(cause.getMessage(), cause));
            other.kill();
        }
    }

    private static void await(FfmpegRun run) throws Stop {
        try {
            run.finished().get();
        } catch (ExecutionException e) {
            // recorded in firstError
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            run.kill();
            throw new Stop(Failure.of("CANCELLED", "interrupted while transcoding", false));
        }
    }

    /** Hands the output to the wrapped mover as a plain job to the same remote path. */
    private void deliver(Path output) throws Stop {
        JobSpec spec = job.spec();
        long size;
        long mtime;
        try {
            size = Files.size(output);
            mtime = Files.getLastModifiedTime(output).toMillis();
        } catch (IOException e) {
            throw new Stop(Failure.of("IO_ERROR", "cannot read transcode output " + output + ": " + e, true));
        }
        JobSpec derived = new JobSpec(spec.rule(), output, spec.relative(), spec.destination(), spec.remotePath(),
                spec.group(), spec.priority(), size, mtime, "keep", JobSpec.Op.SEND, null, null);
        Job derivedJob = new Job(job.id(), derived, job.state(), job.blocked(), job.attempts(), job.lastError(),
                job.retryAtMillis(), 0, job.bytesSent(), job.createdMillis(), job.startedMillis(),
                job.endedMillis(), job.note(), null);
        Mover.Listener passOn = new Mover.Listener() {
            @Override
            public void progress(long bytesDone) {
                listener.progress(bytesDone);
            }

            @Override
            public void media(long frame, long frames, double fps, double speed) {
                listener.media(frame, frames, fps, speed);
            }

            @Override
            public void done(Delivery d) {
                end(() -> listener.done(d));
            }

            @Override
            public void failed(Failure f) {
                end(() -> listener.failed(f));
            }
        };
        synchronized (this) {
            checkCancelled();
            delivery = inner.start(derivedJob, passOn);
        }
    }

    private synchronized void checkCancelled() throws Stop {
        if (cancelled != null) {
            throw new Stop(Failure.of("CANCELLED", cancelled, false));
        }
    }

    /**
     * Once: kills what runs, removes the folder, then reports. Off the caller's thread, which may be the wrapped
     * mover's (an event loop, say), as removing files blocks.
     */
    private void end(Runnable report) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(() -> cleanUpThen(report));
        } catch (RejectedExecutionException e) {
            cleanUpThen(report); // the mover is closing
        }
    }

    private void cleanUpThen(Runnable report) {
        FfmpegRun s;
        FfmpegRun r;
        synchronized (this) {
            s = sending;
            r = receiving;
        }
        pipe.fail(new IOException("transcode ended"));
        for (FfmpegRun run : new FfmpegRun[] {s, r}) {
            if (run != null) {
                run.killAndAwait(STOP_WAIT);
            }
        }
        try {
            removeFolder(dir);
        } catch (IOException e) {
            LOG.warn("cannot remove transcode work folder {}: {}", dir, e.toString());
        }
        onEnd.accept(this);
        gone.complete(null);
        report.run();
    }

    private static void kill(FfmpegRun run) {
        if (run != null) {
            run.kill();
        }
    }

    /** Removes {@code folder} and everything in it; nothing when it is not there. */
    static void removeFolder(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> s = Files.walk(folder)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                try {
                    Files.delete(p);
                } catch (NoSuchFileException e) {
                    // gone already
                }
            }
        }
    }

    /** Ends {@link #run} with a failure. */
    private static final class Stop extends Exception {
        final Failure failure;

        Stop(Failure failure) {
            super(failure.message(), null, false, false);
            this.failure = failure;
        }
    }
}

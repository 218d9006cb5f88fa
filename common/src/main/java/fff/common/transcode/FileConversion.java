package fff.common.transcode;

import com.github.kokorin.jaffree.ffmpeg.UrlInput;
import com.github.kokorin.jaffree.ffmpeg.UrlOutput;
import fff.proto.MediaInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One whole-file conversion ({@link Profile.Placement#RECEIVER} or {@link Profile.Placement#SENDER}): ffmpeg
 * reads the source file, which is seekable (an MP4 with its index at the end is fine), writes the profile's
 * output format to a partial file, and the result is checked against the source ({@link OutputCheck}).
 *
 * <pre>
 *   source file ──▶ ffmpeg (convert options) ──(outputFormat)──▶ partial file ──▶ ffprobe + OutputCheck
 *                      └── progress (frames)
 * </pre>
 *
 * {@link #run} blocks on the caller's thread (an executor, never an event loop); {@link #stop} may come from
 * any thread, before or during the run. A run that fails or is stopped returns only after its ffmpeg is gone
 * and the partial file is deleted; publishing a good one (renaming it) is the caller's.
 */
public final class FileConversion {

    private static final Logger LOG = LoggerFactory.getLogger(FileConversion.class);
    /** How long a failed or stopped run waits for its killed ffmpeg to be gone before deleting the output. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(2);

    private final FfmpegTools tools;
    private final Profile profile;
    private final MediaInfo source;
    private final Path input;
    private final Path output;
    private final String label;
    /** Guarded by {@code this}. */
    private FfmpegRun ffmpeg;
    /** Guarded by {@code this}. */
    private boolean stopped;

    /**
     * @param source what ffprobe found in {@code input}: fills the per-source placeholders, and is what the
     *               output is checked against
     * @param output the partial file to write (replaced if there)
     * @throws IllegalArgumentException when {@code profile} is not a whole-file one
     */
    public FileConversion(FfmpegTools tools, Profile profile, MediaInfo source, Path input, Path output) {
        if (!profile.isWholeFile()) {
            throw new IllegalArgumentException("profile " + profile.name() + " runs split, not as a whole-file "
                    + "conversion (ProfileSides)");
        }
        this.tools = tools;
        this.profile = profile;
        this.source = source;
        this.input = input;
        this.output = output;
        this.label = "converting ffmpeg (" + profile.name() + ")";
    }

    /**
     * Converts, then checks the output; blocking. Returns what ffprobe found in the output.
     *
     * @throws MediaException when ffmpeg fails or was stopped, or the output does not match the source; the
     *                        output is deleted by then
     */
    public MediaInfo run(FfmpegRun.Progress progress) throws MediaException {
        boolean good = false;
        FfmpegRun run = null;
        try {
            List<String> args = profile.convertArgs(source);
            synchronized (this) {
                if (stopped) {
                    throw new MediaException(label + " was stopped");
                }
                run = FfmpegRun.start(tools, label, UrlInput.fromPath(input),
                        UrlOutput.toPath(output).setFormat(profile.outputFormat()), args, progress);
                ffmpeg = run;
            }
            LOG.debug("{} for {}: {}", label, output, args);
            await(run);
            MediaInfo out = ProfileSides.check(tools, profile, source, output, "the converting ffmpeg's output");
            synchronized (this) {
                if (stopped) {
                    throw new MediaException(label + " was stopped");
                }
                good = true;
            }
            return out;
        } finally {
            if (!good) {
                if (run != null) {
                    run.killAndAwait(STOP_WAIT); // it may still hold the output open
                }
                try {
                    Files.deleteIfExists(output);
                } catch (IOException e) {
                    LOG.warn("cannot delete the partial output {}: {}", output, e.toString());
                }
            }
        }
    }

    /**
     * Stops the conversion: kills its ffmpeg, or keeps it from starting. Any thread, idempotent, does not wait;
     * {@link #run} then throws once ffmpeg is gone and the output is deleted. No effect once the run succeeded.
     */
    public void stop() {
        FfmpegRun run;
        synchronized (this) {
            stopped = true;
            run = ffmpeg;
        }
        if (run != null) {
            run.kill();
        }
    }

    private static void await(FfmpegRun run) throws MediaException {
        try {
            run.finished().get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof MediaException m ? m : new MediaException(e.getCause().toString(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MediaException("interrupted while converting");
        }
    }
}

package fff.common.transcode;

import com.github.kokorin.jaffree.ffmpeg.PipeInput;
import com.github.kokorin.jaffree.ffmpeg.UrlInput;
import com.github.kokorin.jaffree.ffmpeg.UrlOutput;
import fff.proto.MediaInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two sides of a {@link Profile} as ffmpeg runs, and the check of what they made. A transcode between
 * nodes runs the send side on the sending node and the receive side on the receiving one, the wire format
 * crossing the link between them; a transcode for an FTP or local destination runs both on this node, the
 * wire format crossing a {@link BytePipe}:
 *
 * <pre>
 *   source ──▶ send side ──(wireFormat)──▶ BytePipe ──▶ receive side ──(outputFormat)──▶ partial file
 *                 │                           ▲
 *                 └── progress (frames)       └── peer stream in between when the sides are on two nodes
 * </pre>
 *
 * Only {@link Profile.Placement#SPLIT} profiles have sides; whole-file ones run as a {@link FileConversion}.
 */
public final class ProfileSides {

    private static final Logger LOG = LoggerFactory.getLogger(ProfileSides.class);

    private ProfileSides() {
    }

    /**
     * Starts the send side: ffmpeg reads {@code source} and writes the profile's wire format into {@code out},
     * which is closed after its last byte, or failed when ffmpeg fails or is killed.
     *
     * @param media what ffprobe found in {@code source}, for the per-source placeholders
     */
    public static FfmpegRun send(FfmpegTools tools, Profile profile, MediaInfo media, Path source,
            FfmpegRun.Progress progress, BytePipe out) {
        requireSplit(profile);
        return FfmpegRun.startPiped(tools, "sending ffmpeg (" + profile.name() + ")", UrlInput.fromPath(source),
                profile.wireFormat(), profile.sendArgs(media), progress, out);
    }

    /**
     * Starts the receive side: ffmpeg reads the wire format from {@code in} and writes the profile's output
     * format to {@code output} (a seekable file: an MXF written to a pipe stays incomplete). Ends when {@code in}
     * ends; when ffmpeg fails, {@code in} is failed with what {@code failure} makes of ffmpeg's error, so a
     * writer blocked on it is let go and learns why.
     *
     * @param media what ffprobe found in the source, for the per-source placeholders
     */
    public static FfmpegRun receive(FfmpegTools tools, Profile profile, MediaInfo media, BytePipe in, Path output,
            Function<Throwable, IOException> failure) {
        requireSplit(profile);
        List<String> args = profile.receiveArgs(media);
        FfmpegRun run = FfmpegRun.start(tools, "receiving ffmpeg (" + profile.name() + ")",
                PipeInput.pumpFrom(in.inputStream()).setFormat(profile.wireFormat()),
                UrlOutput.toPath(output).setFormat(profile.outputFormat()), args, (f, fps, speed) -> { });
        run.finished().whenComplete((ok, err) -> {
            if (err != null) {
                in.fail(failure.apply(err));
            }
        });
        LOG.debug("receiving ffmpeg for {}: {}", output, args);
        return run;
    }

    /**
     * Checks the receive side's {@code output} against the source as the profile expects (frames, duration,
     * format, ...); returns what ffprobe found in it.
     *
     * @throws MediaException saying what differs, or that the output cannot be read
     */
    public static MediaInfo check(FfmpegTools tools, Profile profile, MediaInfo source, Path output)
            throws MediaException {
        return check(tools, profile, source, output, "the receiving ffmpeg's output");
    }

    /** {@link #check}, naming the output as {@code what} when it is unreadable. */
    static MediaInfo check(FfmpegTools tools, Profile profile, MediaInfo source, Path output, String what)
            throws MediaException {
        MediaInfo out;
        try {
            out = new Probe(tools).probe(output);
        } catch (MediaException e) {
            throw new MediaException(what + " is unreadable: " + e.getMessage(), e);
        }
        List<String> problems = OutputCheck.problems(profile.expect(), source, out);
        if (!problems.isEmpty()) {
            throw new MediaException("output of profile " + profile.name() + " does not match the source: "
                    + String.join("; ", problems));
        }
        return out;
    }

    private static void requireSplit(Profile profile) {
        if (profile.isWholeFile()) {
            throw new IllegalArgumentException("profile " + profile.name() + " converts whole files on the "
                    + profile.placement().name().toLowerCase(Locale.ROOT)
                    + " (FileConversion); it has no sides");
        }
    }
}

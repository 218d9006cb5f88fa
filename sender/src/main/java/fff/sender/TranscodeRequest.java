package fff.sender;

import fff.common.transcode.Admission;
import fff.common.transcode.FfmpegTools;
import fff.common.transcode.Media;
import fff.common.transcode.MediaException;
import fff.common.transcode.Probe;
import fff.common.transcode.Profile;
import fff.proto.MediaInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What a transcode or conversion needs besides its file: this node's ffmpeg, the profile, and what ffprobe found
 * in the source (sent in the offer, so the receiver can refuse early and check its output against it). Split
 * profiles come from {@link #probe}, whole-file ones from {@link #admit}, which checks the profile's limits too.
 */
public record TranscodeRequest(FfmpegTools tools, Profile profile, MediaInfo media) {

    public TranscodeRequest {
        Objects.requireNonNull(tools, "tools");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(media, "media");
    }

    /**
     * Probes {@code source} with ffprobe (blocking, reads the file where the container does not count frames).
     *
     * @throws MediaException when it is not media ffprobe reads, or has no video for the profile
     */
    public static TranscodeRequest probe(FfmpegTools tools, Profile profile, Path source) throws MediaException {
        MediaInfo media = new Probe(tools).probe(source);
        if (Media.frames(media) == 0) {
            throw new MediaException("profile " + profile.name() + " needs a video source; " + source + " is "
                    + Media.describe(media));
        }
        return new TranscodeRequest(tools, profile, media);
    }

    /**
     * Checks {@code source} against a whole-file {@code profile}'s limits before anything moves ({@link Admission}:
     * its size first, then what ffprobe finds in it). Blocking (ffprobe): call off event loops.
     *
     * @throws TransferException a refusal, final: reason TOO_LARGE, TOO_LONG or BAD_SOURCE, and the message that
     *                           names the figures ("clip.mov is 25.3 GiB, above h265-mkv's max-size 20 GiB")
     * @throws IOException       when the source cannot be read at all (gone, no permission)
     */
    public static TranscodeRequest admit(FfmpegTools tools, Profile profile, Path source)
            throws TransferException, IOException {
        Admission a = Admission.check(profile, source, new Probe(tools));
        if (a instanceof Admission.Refused r) {
            throw new TransferException(r.refusal().reason(), r.refusal().message(), false);
        }
        return new TranscodeRequest(tools, profile, ((Admission.Accepted) a).media());
    }
}

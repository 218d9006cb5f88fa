package fff.sender;

import fff.common.transcode.FfmpegTools;
import fff.common.transcode.Media;
import fff.common.transcode.MediaException;
import fff.common.transcode.Probe;
import fff.common.transcode.Profile;
import fff.proto.MediaInfo;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What a transcode transfer needs besides its file: this node's ffmpeg, the profile, and what ffprobe found in
 * the source (sent in the offer, so the receiver can refuse early and check its output against it).
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
}

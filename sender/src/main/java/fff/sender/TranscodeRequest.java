package fff.sender;

import fff.common.transcode.FfmpegTools;
import fff.common.transcode.Profile;
import fff.proto.MediaInfo;
import java.util.Objects;

/**
 * What a transcode transfer needs besides its file: this node's ffmpeg, the profile, and what ffprobe found in
 * the source (sent in the offer, so the receiver can refuse early and check its output against it).
 */
record TranscodeRequest(FfmpegTools tools, Profile profile, MediaInfo media) {

    TranscodeRequest {
        Objects.requireNonNull(tools, "tools");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(media, "media");
    }
}

package fff.sender;

import fff.common.jobs.Failure;
import fff.common.transcode.FfmpegTools;
import fff.common.transcode.Profiles;
import java.util.Objects;

/**
 * The sending node's transcode side: its profiles and ffmpeg, or why it has none (then jobs with a profile fail
 * with that reason, not retried).
 *
 * @param tools       ffmpeg and ffprobe, or null
 * @param profiles    the profiles this node knows
 * @param unavailable why there is no ffmpeg, when {@code tools} is null
 */
public record Transcoding(FfmpegTools tools, Profiles profiles, String unavailable) {

    /** No ffmpeg configured. */
    public static final Transcoding NONE = new Transcoding(null, Profiles.builtIns(), "no ffmpeg configured");

    public Transcoding {
        Objects.requireNonNull(profiles, "profiles");
    }

    public static Transcoding of(FfmpegTools tools, Profiles profiles) {
        return new Transcoding(Objects.requireNonNull(tools, "tools"), profiles, null);
    }

    /** Why a job with profile {@code name} cannot run here (not retried), or null when it can. */
    public Failure refusal(String name) {
        if (profiles.get(name).isEmpty()) {
            return Failure.of("UNSUPPORTED_PROFILE", "this node has no profile '" + name + "' (it knows "
                    + profiles.names() + ")", false);
        }
        return tools == null ? Failure.of("UNSUPPORTED_PROFILE", "this node cannot transcode: " + unavailable, false)
                : null;
    }
}

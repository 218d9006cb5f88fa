package fff.common.transcode;

import fff.proto.MediaInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether a profile takes a source, decided on the sending node before any payload moves: its size first (no
 * ffprobe needed), then what ffprobe finds in it against the profile's inputs and max-duration. A source
 * ffprobe cannot read at all is refused as {@link Refusal.Code#UNSUPPORTED_INPUT} with ffprobe's reason.
 * Taken, it carries what ffprobe found, which the conversion then needs. Blocking (ffprobe): call off event
 * loops.
 */
public sealed interface Admission {

    /** The profile takes the source; {@code media} is what ffprobe found in it. */
    record Accepted(MediaInfo media) implements Admission {
    }

    /** The profile does not take the source. */
    record Refused(Refusal refusal) implements Admission {
    }

    /** Why the profile does not take the source; empty when it does. */
    default Optional<Refusal> refused() {
        return this instanceof Refused r ? Optional.of(r.refusal()) : Optional.empty();
    }

    /**
     * Checks {@code source} against {@code profile}'s limits.
     *
     * @throws IOException when the source cannot be read at all (gone, no permission)
     */
    static Admission check(Profile profile, Path source, Probe probe) throws IOException {
        String file = String.valueOf(source.getFileName());
        Optional<Refusal> tooLarge = profile.limits().checkSize(profile.name(), file, Files.size(source));
        if (tooLarge.isPresent()) {
            return new Refused(tooLarge.get());
        }
        MediaInfo media;
        try {
            media = probe.probe(source);
        } catch (MediaException e) {
            return new Refused(Refusal.unreadable(profile.name(), file, e));
        }
        Optional<Refusal> refused = profile.limits().checkMedia(profile.name(), file, media);
        return refused.<Admission>map(Refused::new).orElseGet(() -> new Accepted(media));
    }
}

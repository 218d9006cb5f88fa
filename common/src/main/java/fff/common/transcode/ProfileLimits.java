package fff.common.transcode;

import fff.proto.MediaInfo;
import fff.proto.MediaStream;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a profile takes, checked on the sending node before any payload moves: the size needs only the file,
 * the inputs and the duration what ffprobe found in it ({@link Admission} does both in order).
 *
 * <p>An input name matches ffprobe's format name when it is one of its comma-separated elements ({@code mp4}
 * matches {@code mov,mp4,m4a,3gp,3g2,mj2}) or such an element without its {@code _pipe} ({@code png} matches
 * {@code png_pipe}, {@code jpeg} matches {@code jpeg_pipe}); for a still (ffprobe's {@code image2} or an
 * image pipe) the codec of its picture matches too ({@code mjpeg} matches a {@code .jpg} ffprobe read as
 * {@code image2}).
 *
 * @param maxSize     the largest source in bytes; 0: no limit
 * @param maxDuration the longest source; {@link Duration#ZERO}: no limit
 * @param inputs      the names a source must match (see above); empty: any media ffprobe can read
 */
public record ProfileLimits(long maxSize, Duration maxDuration, List<String> inputs) {

    /** No limit at all. */
    public static final ProfileLimits NONE = new ProfileLimits(0, Duration.ZERO, List.of());

    public ProfileLimits {
        if (maxSize < 0) {
            throw new IllegalArgumentException("negative max-size " + maxSize);
        }
        Objects.requireNonNull(maxDuration, "maxDuration");
        if (maxDuration.isNegative()) {
            throw new IllegalArgumentException("negative max-duration " + maxDuration);
        }
        inputs = List.copyOf(inputs);
    }

    /** These limits with {@code maxSize} in place of their own. */
    public ProfileLimits withMaxSize(long maxSize) {
        return new ProfileLimits(maxSize, maxDuration, inputs);
    }

    /** These limits with {@code maxDuration} in place of their own. */
    public ProfileLimits withMaxDuration(Duration maxDuration) {
        return new ProfileLimits(maxSize, maxDuration, inputs);
    }

    /** These limits with {@code inputs} in place of their own. */
    public ProfileLimits withInputs(List<String> inputs) {
        return new ProfileLimits(maxSize, maxDuration, inputs);
    }

    /**
     * Why {@code profile} refuses {@code file} of {@code bytes}; empty when it is within {@code max-size}.
     *
     * @param file names the source in the message, e.g. its file name
     */
    public Optional<Refusal> checkSize(String profile, String file, long bytes) {
        if (maxSize > 0 && bytes > maxSize) {
            return Optional.of(new Refusal(Refusal.Code.TOO_LARGE, file + " is " + Refusal.size(bytes)
                    + ", above " + profile + "'s max-size " + Refusal.size(maxSize)));
        }
        return Optional.empty();
    }

    /** Why {@code profile} refuses {@code file}, which ffprobe found to be {@code media}; empty when it takes it. */
    public Optional<Refusal> checkMedia(String profile, String file, MediaInfo media) {
        if (!inputs.isEmpty() && !accepts(inputs, media)) {
            return Optional.of(new Refusal(Refusal.Code.UNSUPPORTED_INPUT, file + " is " + media.getFormat()
                    + codecs(media) + ", which " + profile + " does not take (inputs: " + String.join(", ", inputs)
                    + ")"));
        }
        Duration length = Duration.ofMillis(Math.round(media.getDurationSeconds() * 1000));
        if (!maxDuration.isZero() && length.compareTo(maxDuration) > 0) {
            return Optional.of(new Refusal(Refusal.Code.TOO_LONG, file + " runs " + Refusal.duration(length)
                    + ", above " + profile + "'s max-duration " + Refusal.duration(maxDuration)));
        }
        return Optional.empty();
    }

    /** Whether {@code media} matches one of {@code inputs}, as the class comment says. */
    static boolean accepts(List<String> inputs, MediaInfo media) {
        boolean still = false;
        for (String element : media.getFormat().split(",")) {
            String bare = element.endsWith("_pipe") ? element.substring(0, element.length() - 5) : element;
            if (inputs.contains(element) || inputs.contains(bare)) {
                return true;
            }
            still |= element.equals("image2") || element.endsWith("_pipe");
        }
        return still && Media.video(media).map(v -> inputs.contains(v.getCodec())).orElse(false);
    }

    private static String codecs(MediaInfo media) {
        String c = media.getStreamsList().stream().map(MediaStream::getCodec).filter(s -> !s.isEmpty())
                .collect(Collectors.joining(", "));
        return c.isEmpty() ? "" : " (" + c + ")";
    }
}

package fff.common.transcode;

import fff.proto.MediaInfo;
import fff.proto.MediaStream;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Compares a transcode's output with its source under a profile's expectations. Keys: {@code format} (contained
 * in ffprobe's format name), {@code video-codec}, {@code pix-fmt}, {@code field-order}, {@code width},
 * {@code height}, {@code video-bitrate} (bits/s, within 1 %), {@code frames}, {@code duration} (within two
 * frames or 0.1 s), {@code audio-channels} (checked when the source has audio), {@code timecode} and
 * {@code aspect} (checked when the source has one). A value of {@code source} means "the same as the source".
 */
public final class OutputCheck {

    public static final Set<String> KEYS = Set.of("format", "video-codec", "pix-fmt", "field-order", "width",
            "height", "video-bitrate", "frames", "duration", "audio-channels", "timecode", "aspect");

    private OutputCheck() {
    }

    /** What is wrong with {@code out}; empty when it meets every expectation. */
    public static List<String> problems(Map<String, String> expect, MediaInfo source, MediaInfo out) {
        LinkedHashSet<String> p = new LinkedHashSet<>();
        Optional<MediaStream> sv = Media.video(source);
        Optional<MediaStream> ov = Media.video(out);
        for (var e : expect.entrySet()) {
            String key = e.getKey();
            String want = e.getValue();
            switch (key) {
                case "format" -> {
                    if (!List.of(out.getFormat().split(",")).contains(want)) {
                        p.add("format is " + out.getFormat() + ", expected " + want);
                    }
                }
                case "video-codec" -> video(p, key, want, sv, ov, MediaStream::getCodec);
                case "pix-fmt" -> video(p, key, want, sv, ov, MediaStream::getPixFmt);
                case "field-order" -> video(p, key, want, sv, ov, MediaStream::getFieldOrder);
                case "width" -> video(p, key, want, sv, ov, s -> String.valueOf(s.getWidth()));
                case "height" -> video(p, key, want, sv, ov, s -> String.valueOf(s.getHeight()));
                case "video-bitrate" -> {
                    long w = Long.parseLong(want);
                    long got = ov.map(MediaStream::getBitRate).orElse(0L);
                    if (Math.abs(got - w) > w / 100) {
                        p.add("video bit rate is " + got + " b/s, expected " + w);
                    }
                }
                case "frames" -> {
                    long w = want.equals("source") ? Media.frames(source) : Long.parseLong(want);
                    if (Media.frames(out) != w) {
                        p.add("video has " + Media.frames(out) + " frames, the source " + w);
                    }
                }
                case "duration" -> {
                    double fps = Media.fps(source);
                    double tolerance = Math.max(0.1, fps > 0 ? 2 / fps : 0);
                    double d = out.getDurationSeconds() - source.getDurationSeconds();
                    if (Math.abs(d) > tolerance) {
                        p.add(String.format(Locale.ROOT, "duration is %.3f s, the source %.3f s",
                                out.getDurationSeconds(), source.getDurationSeconds()));
                    }
                }
                case "audio-channels" -> {
                    int src = Media.audioChannels(source);
                    if (src > 0) {
                        int w = want.equals("source") ? src : Integer.parseInt(want);
                        if (Media.audioChannels(out) != w) {
                            p.add("audio has " + Media.audioChannels(out) + " channels, expected " + w);
                        }
                    }
                }
                case "timecode" -> {
                    if (!source.getTimecode().isEmpty() && !source.getTimecode().equals(out.getTimecode())) {
                        p.add("start timecode is '" + out.getTimecode() + "', the source '" + source.getTimecode() + "'");
                    }
                }
                case "aspect" -> {
                    String s = sv.map(MediaStream::getDisplayAspect).orElse("");
                    String o = ov.map(MediaStream::getDisplayAspect).orElse("");
                    if (!s.isEmpty() && !s.equals(o)) {
                        p.add("display aspect is " + o + ", the source " + s);
                    }
                }
                default -> p.add("unknown check '" + key + "'");
            }
        }
        return List.copyOf(p);
    }

    private static void video(LinkedHashSet<String> p, String key, String want, Optional<MediaStream> sv,
            Optional<MediaStream> ov, Function<MediaStream, String> field) {
        if (ov.isEmpty()) {
            p.add("output has no video stream");
            return;
        }
        String w = want.equals("source") ? sv.map(field).orElse("") : want;
        String got = field.apply(ov.get());
        if (!got.equals(w)) {
            p.add(key + " is " + got + ", expected " + w);
        }
    }
}

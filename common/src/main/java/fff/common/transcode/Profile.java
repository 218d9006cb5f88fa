package fff.common.transcode;

import fff.proto.MediaInfo;
import fff.proto.MediaStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A named transcode, and where it runs ({@link Placement}).
 *
 * <p>{@link Placement#SPLIT SPLIT} (imx30, proxy): what the sending node's ffmpeg makes of the source (output
 * options after {@code -i SOURCE}, written as {@code wireFormat} into the peer stream) and what the receiving
 * node's ffmpeg makes of that stream ({@code receive} output options). {@link Placement#RECEIVER RECEIVER} and
 * {@link Placement#SENDER SENDER} are whole-file conversions: one ffmpeg reads the source file (seekable, so an
 * MP4 whose index is at its end is fine) with the {@code convert} output options; the source crosses the link
 * unchanged before it (RECEIVER) or the result after it (SENDER). Both kinds write {@code outputFormat} to a
 * seekable file, name it with {@code extension}, and check it against the source ({@code expect},
 * {@link OutputCheck}). {@code limits} say which sources the profile takes at all ({@link Admission}).
 *
 * <p>Arguments may hold placeholders filled from the source per job: {@code {timecode}}, {@code {aspect}}
 * ("4:3"), {@code {dar}} ("4/3", from the frame size when the source names no aspect) and {@code {vbi-crop}}
 * ("crop=iw:ih-32:0:32," for 608-line IMX/D-10 video, else empty). A flag whose value comes out empty is left
 * out with its value. {@code {matroska-audio}}, standing alone as an argument, becomes a codec choice per audio
 * stream ({@link MatroskaAudio#codecArgs}): several arguments, or none for a source without audio. Options such
 * as {@code {bitrate}} are filled in when the profile is made ({@link #withOptions}).
 */
public record Profile(String name, Placement placement, String wireFormat, List<String> send,
        List<String> receive, List<String> convert, String outputFormat, String extension,
        Map<String, String> expect, ProfileLimits limits) {

    /** Where a profile's ffmpeg runs. */
    public enum Placement {
        /** The send side on the sending node, the receive side on the receiving node, the wire format between. */
        SPLIT,
        /** The source crosses the link unchanged; the receiving (converting) node converts it, file to file. */
        RECEIVER,
        /** The sending node converts the source, file to file; the result crosses the link. */
        SENDER
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z-]+)}");
    /** Placeholders filled per job from the source. */
    public static final Set<String> PER_SOURCE = Set.of("timecode", "aspect", "dar", "vbi-crop", "matroska-audio");

    public Profile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(placement, "placement");
        Objects.requireNonNull(wireFormat, "wireFormat");
        send = List.copyOf(send);
        receive = List.copyOf(receive);
        convert = List.copyOf(convert);
        Objects.requireNonNull(outputFormat, "outputFormat");
        Objects.requireNonNull(extension, "extension");
        expect = Map.copyOf(expect);
        Objects.requireNonNull(limits, "limits");
        if (placement == Placement.SPLIT && !convert.isEmpty()) {
            throw new IllegalArgumentException("profile " + name + " runs split: send and receive, not convert");
        }
        if (placement != Placement.SPLIT && (!send.isEmpty() || !receive.isEmpty() || !wireFormat.isEmpty())) {
            throw new IllegalArgumentException("profile " + name + " converts whole files on the "
                    + placement.name().toLowerCase(Locale.ROOT) + ": convert, not send, receive or a wire format");
        }
    }

    /** A {@link Placement#SPLIT} profile without limits, as imx30 and proxy are. */
    public Profile(String name, String wireFormat, List<String> send, List<String> receive, String outputFormat,
            String extension, Map<String, String> expect) {
        this(name, Placement.SPLIT, wireFormat, send, receive, List.of(), outputFormat, extension, expect,
                ProfileLimits.NONE);
    }

    /** A whole-file profile ({@link Placement#RECEIVER} or {@link Placement#SENDER}) without limits. */
    public static Profile wholeFile(String name, Placement placement, List<String> convert, String outputFormat,
            String extension, Map<String, String> expect) {
        if (placement == Placement.SPLIT) {
            throw new IllegalArgumentException("profile " + name + ": a whole-file profile cannot run split");
        }
        return new Profile(name, placement, "", List.of(), List.of(), convert, outputFormat, extension, expect,
                ProfileLimits.NONE);
    }

    /** True when one ffmpeg converts the source file ({@link Placement#RECEIVER}, {@link Placement#SENDER}). */
    public boolean isWholeFile() {
        return placement != Placement.SPLIT;
    }

    /** This profile with {@code limits} in place of its own. */
    public Profile withLimits(ProfileLimits limits) {
        return new Profile(name, placement, wireFormat, send, receive, convert, outputFormat, extension, expect,
                limits);
    }

    /** This profile with option placeholders ({@code {bitrate}}, ...) filled from {@code options}. */
    public Profile withOptions(Map<String, String> options) {
        return new Profile(name, placement, wireFormat, fill(send, options), fill(receive, options),
                fill(convert, options), outputFormat, extension, fillValues(expect, options), limits);
    }

    /** The sending ffmpeg's output options for a source described by {@code source}. */
    public List<String> sendArgs(MediaInfo source) {
        return fill(send, perSource(source));
    }

    /** The receiving ffmpeg's output options for a source described by {@code source}. */
    public List<String> receiveArgs(MediaInfo source) {
        return fill(receive, perSource(source));
    }

    /** The converting ffmpeg's output options (whole-file profiles) for a source described by {@code source}. */
    public List<String> convertArgs(MediaInfo source) {
        return fill(convert, perSource(source));
    }

    /** {@code path} with its extension replaced by this profile's ("a/clip.mxf" → "a/clip.mp4"). */
    public String outputPath(String path) {
        int slash = path.lastIndexOf('/');
        int dot = path.lastIndexOf('.');
        String stem = dot > slash + 1 ? path.substring(0, dot) : path;
        return stem + "." + extension;
    }

    /** Placeholders left unfilled after the options were applied, other than the per-source ones. */
    public List<String> unfilled() {
        List<String> out = new ArrayList<>();
        for (List<String> args : List.of(send, receive, convert, List.copyOf(expect.values()))) {
            for (String a : args) {
                Matcher m = PLACEHOLDER.matcher(a);
                while (m.find()) {
                    if (!PER_SOURCE.contains(m.group(1))) {
                        out.add(m.group(0));
                    }
                }
            }
        }
        return out;
    }

    private static Map<String, Object> perSource(MediaInfo source) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("timecode", source.getTimecode());
        MediaStream v = Media.video(source).orElse(MediaStream.getDefaultInstance());
        m.put("aspect", v.getDisplayAspect());
        m.put("dar", !v.getDisplayAspect().isEmpty() ? v.getDisplayAspect().replace(':', '/')
                : v.getHeight() > 0 ? v.getWidth() + "/" + v.getHeight() : "1");
        m.put("vbi-crop", v.getHeight() == 608 ? "crop=iw:ih-32:0:32," : "");
        m.put("matroska-audio", MatroskaAudio.codecArgs(source));
        return m;
    }

    /** {@code args} with placeholders filled from {@code values}: texts, or lists that replace a whole argument. */
    private static List<String> fill(List<String> args, Map<String, ?> values) {
        List<String> out = new ArrayList<>(args.size());
        for (String a : args) {
            Matcher whole = PLACEHOLDER.matcher(a);
            if (whole.matches() && values.get(whole.group(1)) instanceof List<?> many) {
                many.forEach(v -> out.add((String) v));
                continue;
            }
            Matcher m = PLACEHOLDER.matcher(a);
            StringBuilder sb = new StringBuilder();
            boolean any = false;
            while (m.find()) {
                Object v = values.get(m.group(1));
                if (!(v instanceof String)) {
                    m.appendReplacement(sb, Matcher.quoteReplacement(m.group(0)));
                } else {
                    any = true;
                    m.appendReplacement(sb, Matcher.quoteReplacement((String) v));
                }
            }
            m.appendTail(sb);
            String filled = sb.toString();
            if (any && filled.isEmpty()) {
                if (!out.isEmpty() && out.get(out.size() - 1).startsWith("-")) {
                    out.remove(out.size() - 1); // the flag goes with its empty value
                }
                continue;
            }
            out.add(filled);
        }
        return out;
    }

    private static Map<String, String> fillValues(Map<String, String> expect, Map<String, String> options) {
        Map<String, String> out = new LinkedHashMap<>();
        expect.forEach((k, v) -> {
            List<String> filled = fill(List.of(v), options);
            out.put(k, filled.isEmpty() ? "" : filled.get(0));
        });
        return out;
    }
}

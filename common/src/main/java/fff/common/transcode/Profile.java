package fff.common.transcode;

import fff.proto.MediaInfo;
import fff.proto.MediaStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A named transcode: what the sending node's ffmpeg makes of the source (output options after {@code -i
 * SOURCE}, written as {@code wireFormat} into the peer stream), what the receiving node's ffmpeg makes of that
 * stream (output options, written as {@code outputFormat} to a seekable file), the file extension of the
 * result, and what the result must look like compared with the source ({@link OutputCheck}).
 *
 * <p>Arguments may hold placeholders filled from the source per job: {@code {timecode}}, {@code {aspect}}
 * ("4:3"), {@code {dar}} ("4/3", from the frame size when the source names no aspect) and {@code {vbi-crop}}
 * ("crop=iw:ih-32:0:32," for 608-line IMX/D-10 video, else empty). A flag whose value comes out empty is left
 * out with its value. Options such as {@code {bitrate}} are filled in when the
 * profile is made ({@link #withOptions}).
 */
public record Profile(String name, String wireFormat, List<String> send, List<String> receive, String outputFormat,
        String extension, Map<String, String> expect) {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z-]+)}");
    /** Placeholders filled per job from the source. */
    public static final Set<String> PER_SOURCE = Set.of("timecode", "aspect", "dar", "vbi-crop");

    public Profile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(wireFormat, "wireFormat");
        send = List.copyOf(send);
        receive = List.copyOf(receive);
        Objects.requireNonNull(outputFormat, "outputFormat");
        Objects.requireNonNull(extension, "extension");
        expect = Map.copyOf(expect);
    }

    /** This profile with option placeholders ({@code {bitrate}}, ...) filled from {@code options}. */
    public Profile withOptions(Map<String, String> options) {
        return new Profile(name, wireFormat, fill(send, options), fill(receive, options), outputFormat, extension,
                fillValues(expect, options));
    }

    /** The sending ffmpeg's output options for a source described by {@code source}. */
    public List<String> sendArgs(MediaInfo source) {
        return fill(send, perSource(source));
    }

    /** The receiving ffmpeg's output options for a source described by {@code source}. */
    public List<String> receiveArgs(MediaInfo source) {
        return fill(receive, perSource(source));
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
        for (List<String> args : List.of(send, receive, List.copyOf(expect.values()))) {
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

    private static Map<String, String> perSource(MediaInfo source) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("timecode", source.getTimecode());
        MediaStream v = Media.video(source).orElse(MediaStream.getDefaultInstance());
        m.put("aspect", v.getDisplayAspect());
        m.put("dar", !v.getDisplayAspect().isEmpty() ? v.getDisplayAspect().replace(':', '/')
                : v.getHeight() > 0 ? v.getWidth() + "/" + v.getHeight() : "1");
        m.put("vbi-crop", v.getHeight() == 608 ? "crop=iw:ih-32:0:32," : "");
        return m;
    }

    private static List<String> fill(List<String> args, Map<String, String> values) {
        List<String> out = new ArrayList<>(args.size());
        for (String a : args) {
            Matcher m = PLACEHOLDER.matcher(a);
            StringBuilder sb = new StringBuilder();
            boolean any = false;
            while (m.find()) {
                String v = values.get(m.group(1));
                if (v == null) {
                    m.appendReplacement(sb, Matcher.quoteReplacement(m.group(0)));
                } else {
                    any = true;
                    m.appendReplacement(sb, Matcher.quoteReplacement(v));
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

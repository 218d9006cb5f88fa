package fff.common.config;

import fff.common.transcode.OutputCheck;
import fff.common.transcode.Profile;
import fff.common.transcode.ProfileLimits;
import fff.common.transcode.Profiles;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads the {@code profiles:} section into {@link Profiles}. A built-in name takes its options and limits
 * only; any other name is a profile defined in full:
 *
 * <pre>
 * profiles:
 *   proxy: {height: 540, bitrate: 2M}          # built-in: options over its defaults
 *   h265-mkv: {crf: 26, max-size: 20G, max-duration: 2h}   # built-in: options and limits
 *   webp: {quality: 90, inputs: [png]}
 *   h264-hd:
 *     runs-on: split                            # split (default), receiver or sender
 *     wire: mpegts                              # split: format on the link (default mpegts)
 *     send: [-c:v, libx264, -b:v, "{bitrate}"]  # split, required: the sending ffmpeg's output options
 *     receive: [-c, copy]                       # split, required: the receiving ffmpeg's output options
 *     output: {format: mp4, extension: mp4}     # required
 *     expect: {video-codec: h264}               # optional, keys of OutputCheck.KEYS
 *     options: {bitrate: 12M}                   # optional, fills the {NAME} placeholders
 *   prores:
 *     runs-on: receiver                         # the source crosses unchanged, the receiver converts it
 *     convert: [-c:v, prores_ks, -c:a, copy]    # receiver/sender, required: the one ffmpeg's output options
 *     output: {format: mov, extension: mov}
 *     max-size: 500G                            # optional limits, any profile: bytes (500G, 20GB, 1048576),
 *     max-duration: 90m                         #   a duration (2h, 90m, 3600s) or seconds, and ffprobe's
 *     inputs: [mxf, mov]                        #   format names (ProfileLimits); off: no limit
 * </pre>
 *
 * Once options are applied no placeholder but the per-source ones ({@link Profile#PER_SOURCE}) may be
 * left. Errors name the full key, e.g. {@code profiles.proxy.heigth}.
 */
final class ProfilesReader {

    private static final List<String> LIMITS = List.of("max-size", "max-duration", "inputs");
    private static final List<String> DEFINITION = List.of("runs-on", "wire", "send", "receive", "convert", "output",
            "expect", "options", "max-size", "max-duration", "inputs");
    private static final List<String> OUTPUT = List.of("format", "extension");
    private static final List<String> EXPECT = List.copyOf(new TreeSet<>(OutputCheck.KEYS));
    private static final List<String> NUMBERS = List.of("video-bitrate");
    private static final List<String> NUMBERS_OR_SOURCE = List.of("width", "height", "frames", "audio-channels");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern EXTENSION = Pattern.compile("[A-Za-z0-9]+");
    private static final Pattern WHOLE = Pattern.compile("[0-9]+");
    private static final Pattern INPUT = Pattern.compile("[a-z0-9_]+");

    private ProfilesReader() {}

    /** The profiles under {@code profiles}, the built-ins among them; the built-ins alone when it is absent. */
    static Profiles read(YamlMapping profiles) {
        Map<String, Profile> out = new LinkedHashMap<>();
        for (String name : profiles.names()) {
            String key = profiles.key(name);
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(
                        key + ": a profile name may only have letters, digits, '.', '_' and '-'");
            }
            YamlMapping m = profiles.mapping(name);
            Profile p = Profiles.builtIn(name) ? builtIn(name, m) : defined(name, m);
            List<String> unfilled = p.unfilled();
            if (!unfilled.isEmpty()) {
                throw new IllegalArgumentException(key + ": no value for " + String.join(", ", unfilled)
                        + "; set it under " + m.key("options"));
            }
            checkExpect(m.key("expect"), p.expect());
            out.put(name, p);
        }
        return Profiles.of(out);
    }

    private static Profile builtIn(String name, YamlMapping m) {
        List<String> allowed = List.copyOf(new TreeSet<>(Profiles.builtInOptions(name).keySet()));
        Map<String, String> options = new LinkedHashMap<>();
        for (String option : m.names()) {
            if (LIMITS.contains(option)) {
                continue;
            }
            if (!allowed.contains(option)) {
                throw new IllegalArgumentException(m.key(option) + ": unknown option of the built-in profile "
                        + name + " (options: " + String.join(", ", allowed) + "; limits: "
                        + String.join(", ", LIMITS) + ")");
            }
            String text = m.text(option);
            if (text != null) {
                options.put(option, text);
            }
        }
        Profile p = Profiles.builtIn(name, options);
        return p.withLimits(limits(m, p.limits()));
    }

    private static Profile defined(String name, YamlMapping m) {
        m.checkKeys(DEFINITION, List.of());
        Profile.Placement placement = placement(m);
        if (placement != Profile.Placement.SPLIT) {
            return wholeFile(name, placement, m);
        }
        if (m.has("convert")) {
            throw new IllegalArgumentException(m.key("convert") + ": only for a profile that runs on the receiver "
                    + "or the sender (runs-on); one that runs split has send and receive");
        }
        String wire = m.text("wire");
        List<String> send = m.texts("send");
        if (send == null) {
            throw new IllegalArgumentException(m.key("send") + ": required (the sending ffmpeg's output options, "
                    + "a list like [-c:v, libx264])");
        }
        List<String> receive = m.texts("receive");
        if (receive == null) {
            throw new IllegalArgumentException(m.key("receive") + ": required (the receiving ffmpeg's output "
                    + "options, a list like [-c, copy])");
        }
        String[] output = output(m);
        return new Profile(name, wire == null ? "mpegts" : wire, send, receive, output[0], output[1], expect(m))
                .withLimits(limits(m, ProfileLimits.NONE)).withOptions(values(m.mapping("options")));
    }

    private static Profile wholeFile(String name, Profile.Placement placement, YamlMapping m) {
        String runsOn = placement.name().toLowerCase(Locale.ROOT);
        for (String split : List.of("wire", "send", "receive")) {
            if (m.has(split)) {
                throw new IllegalArgumentException(m.key(split) + ": not for a profile that runs on the " + runsOn
                        + " (one ffmpeg converts the whole file); give its output options as convert");
            }
        }
        List<String> convert = m.texts("convert");
        if (convert == null) {
            throw new IllegalArgumentException(m.key("convert") + ": required (the " + runsOn + "'s ffmpeg output "
                    + "options, a list like [-c:v, libx265, -c:a, copy])");
        }
        String[] output = output(m);
        return Profile.wholeFile(name, placement, convert, output[0], output[1], expect(m))
                .withLimits(limits(m, ProfileLimits.NONE)).withOptions(values(m.mapping("options")));
    }

    private static Profile.Placement placement(YamlMapping m) {
        String text = m.text("runs-on");
        if (text == null) {
            return Profile.Placement.SPLIT;
        }
        return switch (text.strip()) {
            case "split" -> Profile.Placement.SPLIT;
            case "receiver" -> Profile.Placement.RECEIVER;
            case "sender" -> Profile.Placement.SENDER;
            default -> throw new IllegalArgumentException(m.key("runs-on") + ": '" + text
                    + "' is not split, receiver or sender");
        };
    }

    /** Key {@code output}: its format and extension. */
    private static String[] output(YamlMapping m) {
        if (!m.has("output")) {
            throw new IllegalArgumentException(m.key("output") + ": required ({format: F, extension: E})");
        }
        YamlMapping output = m.mapping("output");
        output.checkKeys(OUTPUT, List.of());
        String format = required(output, "format", "the ffmpeg format of the stored file, e.g. mp4");
        String extension = required(output, "extension", "of the stored file, e.g. mp4");
        if (!EXTENSION.matcher(extension).matches()) {
            throw new IllegalArgumentException(output.key("extension") + ": '" + extension
                    + "' is not a file extension (letters and digits, without the dot)");
        }
        return new String[] {format, extension};
    }

    private static Map<String, String> expect(YamlMapping m) {
        YamlMapping expect = m.mapping("expect");
        expect.checkKeys(EXPECT, List.of());
        return values(expect);
    }

    /** Keys {@code max-size}, {@code max-duration} and {@code inputs} over {@code defaults}; YAML's off: no limit. */
    private static ProfileLimits limits(YamlMapping m, ProfileLimits defaults) {
        ProfileLimits limits = defaults;
        if (m.isFalse("max-size")) {
            limits = limits.withMaxSize(0);
        } else if (m.has("max-size")) {
            long size = ByteSize.parse(m.key("max-size"), m.text("max-size"));
            if (size == 0) {
                throw new IllegalArgumentException(m.key("max-size") + ": '" + m.text("max-size")
                        + "' refuses every file; off for no limit");
            }
            limits = limits.withMaxSize(size);
        }
        if (m.isFalse("max-duration")) {
            limits = limits.withMaxDuration(Duration.ZERO);
        } else if (m.has("max-duration")) {
            String text = m.text("max-duration").strip();
            Duration d = WHOLE.matcher(text).matches() && !text.equals("0")
                    ? Duration.ofSeconds(Long.parseLong(text))
                    : Durations.parse(m.key("max-duration"), text);
            if (d.isZero()) {
                throw new IllegalArgumentException(m.key("max-duration") + ": '" + text
                        + "' refuses every file; off for no limit");
            }
            limits = limits.withMaxDuration(d);
        }
        if (m.isFalse("inputs")) {
            limits = limits.withInputs(List.of());
        } else if (m.has("inputs")) {
            List<String> inputs = m.textOrTexts("inputs");
            for (int i = 0; i < inputs.size(); i++) {
                if (!INPUT.matcher(inputs.get(i)).matches()) {
                    throw new IllegalArgumentException(m.key("inputs") + (m.isList("inputs") ? "[" + i + "]" : "")
                            + ": '" + inputs.get(i) + "' is not a format or codec name as ffprobe gives it "
                            + "(e.g. mov, mxf, png)");
                }
            }
            limits = limits.withInputs(inputs);
        }
        return limits;
    }

    private static String required(YamlMapping m, String name, String what) {
        String text = m.text(name);
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(m.key(name) + ": required (" + what + ")");
        }
        return text.strip();
    }

    /** A mapping of single values (strings or numbers as written); keys without a value are left out. */
    private static Map<String, String> values(YamlMapping m) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : m.names()) {
            String text = m.text(name);
            if (text != null) {
                out.put(name, text);
            }
        }
        return out;
    }

    /** Values {@link OutputCheck} reads as numbers must be numbers, so a bad one fails here and not per job. */
    private static void checkExpect(String key, Map<String, String> expect) {
        expect.forEach((name, value) -> {
            boolean whole = WHOLE.matcher(value).matches();
            if ((NUMBERS.contains(name) && !whole)
                    || (NUMBERS_OR_SOURCE.contains(name) && !whole && !value.equals("source"))) {
                throw new IllegalArgumentException(key + "." + name + ": '" + value + "' is not a whole number"
                        + (NUMBERS_OR_SOURCE.contains(name) ? " or source" : ""));
            }
        });
    }
}

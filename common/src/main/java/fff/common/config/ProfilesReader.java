package fff.common.config;

import fff.common.transcode.OutputCheck;
import fff.common.transcode.Profile;
import fff.common.transcode.Profiles;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads the {@code profiles:} section into {@link Profiles}. A built-in name takes options only; any other
 * name is a profile defined in full:
 *
 * <pre>
 * profiles:
 *   proxy: {height: 540, bitrate: 2M}          # built-in: options over its defaults
 *   h264-hd:
 *     wire: mpegts                              # format on the link (default mpegts)
 *     send: [-c:v, libx264, -b:v, "{bitrate}"]  # required: the sending ffmpeg's output options
 *     receive: [-c, copy]                       # required: the receiving ffmpeg's output options
 *     output: {format: mp4, extension: mp4}     # required
 *     expect: {video-codec: h264}               # optional, keys of OutputCheck.KEYS
 *     options: {bitrate: 12M}                   # optional, fills the {NAME} placeholders
 * </pre>
 *
 * Once options are applied no placeholder but the per-source ones ({@link Profile#PER_SOURCE}) may be
 * left. Errors name the full key, e.g. {@code profiles.proxy.heigth}.
 */
final class ProfilesReader {

    private static final List<String> DEFINITION = List.of("wire", "send", "receive", "output", "expect", "options");
    private static final List<String> OUTPUT = List.of("format", "extension");
    private static final List<String> EXPECT = List.copyOf(new TreeSet<>(OutputCheck.KEYS));
    private static final List<String> NUMBERS = List.of("video-bitrate");
    private static final List<String> NUMBERS_OR_SOURCE = List.of("width", "height", "frames", "audio-channels");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern EXTENSION = Pattern.compile("[A-Za-z0-9]+");
    private static final Pattern WHOLE = Pattern.compile("[0-9]+");

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
        for (String option : m.names()) {
            if (!allowed.contains(option)) {
                throw new IllegalArgumentException(m.key(option) + ": unknown option of the built-in profile "
                        + name + " (options: " + String.join(", ", allowed) + ")");
            }
        }
        return Profiles.builtIn(name, values(m));
    }

    private static Profile defined(String name, YamlMapping m) {
        m.checkKeys(DEFINITION, List.of());
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
        YamlMapping expect = m.mapping("expect");
        expect.checkKeys(EXPECT, List.of());
        return new Profile(name, wire == null ? "mpegts" : wire, send, receive, format, extension, values(expect))
                .withOptions(values(m.mapping("options")));
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

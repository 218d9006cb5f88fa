package fff.common.transcode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The profiles a node knows: the built-ins ({@code imx30}, {@code proxy}, {@code h265-mkv}, {@code h264-mkv},
 * {@code webp}), with options and limits from the config, and profiles the config defines in full. Both nodes
 * of a transcode must know the profile by the same name.
 */
public final class Profiles {

    /** Options of the built-in {@code imx30} and their defaults. */
    public static final Map<String, String> IMX30_OPTIONS = Map.of("bitrate", "5M", "preset", "veryfast");
    /** Options of the built-in {@code proxy} and their defaults. */
    public static final Map<String, String> PROXY_OPTIONS = Map.of("height", "360", "bitrate", "1M",
            "preset", "veryfast", "audio-bitrate", "128k");
    /** Options of the built-in {@code h265-mkv} and their defaults. */
    public static final Map<String, String> H265_MKV_OPTIONS = Map.of("crf", "28", "preset", "medium");
    /** Options of the built-in {@code h264-mkv} and their defaults. */
    public static final Map<String, String> H264_MKV_OPTIONS = Map.of("crf", "20", "preset", "medium");
    /** Options of the built-in {@code webp} and their defaults. */
    public static final Map<String, String> WEBP_OPTIONS = Map.of("quality", "80");

    /** The built-ins' names, in the order {@link #names()} lists them. */
    public static final List<String> BUILT_IN = List.of("imx30", "proxy", "h265-mkv", "h264-mkv", "webp");
    /** Containers the {@code -mkv} built-ins take by default (ffprobe's format names). */
    public static final List<String> VIDEO_INPUTS = List.of("mov", "mp4", "matroska", "mxf", "mpegts", "mpeg",
            "avi", "dv", "gxf", "flv");
    /** Stills {@code webp} takes by default: PNG, and JPEG read as a pipe ({@code jpeg}) or by name ({@code mjpeg}). */
    public static final List<String> STILL_INPUTS = List.of("png", "jpeg", "mjpeg");
    /** The largest still {@code webp} takes by default, in bytes (200 MiB). */
    public static final long STILL_MAX_SIZE = 200L << 20;

    private final Map<String, Profile> byName;

    private Profiles(Map<String, Profile> byName) {
        this.byName = Collections.unmodifiableMap(new LinkedHashMap<>(byName));
    }

    /** The built-ins with their default options. */
    public static Profiles builtIns() {
        return of(Map.of());
    }

    /** The built-ins, with {@code overrides} replacing or adding profiles by name. */
    public static Profiles of(Map<String, Profile> overrides) {
        Map<String, Profile> m = new LinkedHashMap<>();
        for (String name : BUILT_IN) {
            m.put(name, builtIn(name, Map.of()));
        }
        m.putAll(overrides);
        return new Profiles(m);
    }

    public Optional<Profile> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Set<String> names() {
        return byName.keySet();
    }

    /** True for the names of built-in profiles, whose options the config may set. */
    public static boolean builtIn(String name) {
        return BUILT_IN.contains(name);
    }

    /** The options of the built-in {@code name} and their defaults. */
    public static Map<String, String> builtInOptions(String name) {
        return switch (name) {
            case "imx30" -> IMX30_OPTIONS;
            case "proxy" -> PROXY_OPTIONS;
            case "h265-mkv" -> H265_MKV_OPTIONS;
            case "h264-mkv" -> H264_MKV_OPTIONS;
            case "webp" -> WEBP_OPTIONS;
            default -> throw new IllegalArgumentException("no built-in profile '" + name + "'");
        };
    }

    /** The built-in {@code name} with {@code options} over its defaults. */
    public static Profile builtIn(String name, Map<String, String> options) {
        return switch (name) {
            case "imx30" -> imx30(options);
            case "proxy" -> proxy(options);
            case "h265-mkv" -> h265Mkv(options);
            case "h264-mkv" -> h264Mkv(options);
            case "webp" -> webp(options);
            default -> throw new IllegalArgumentException("no built-in profile '" + name + "'");
        };
    }

    /**
     * IMX30 → H.264 4:2:2 interlaced (top field first) + SMPTE 302M audio in MPEG-TS on the link → IMX30 again
     * (SMPTE D-10 MXF: MPEG-2 4:2:2 intra-only, 720×608, 25i, CBR 30 Mb/s, 24-bit PCM), with the source's
     * frame count, channels, aspect ratio and start timecode.
     */
    public static Profile imx30(Map<String, String> options) {
        return new Profile("imx30", "mpegts",
                List.of("-map", "0:v:0", "-map", "0:a?",
                        "-c:v", "libx264", "-preset", "{preset}", "-pix_fmt", "yuv422p",
                        "-flags", "+ildct+ilme", "-x264-params", "tff=1:weightp=0", "-g", "25",
                        "-b:v", "{bitrate}", "-maxrate", "{bitrate}", "-bufsize", "{bitrate}",
                        "-c:a", "s302m", "-strict", "-2"),
                List.of("-map", "0:v:0", "-map", "0:a?",
                        "-c:v", "mpeg2video", "-pix_fmt", "yuv422p", "-g", "1", "-bf", "0",
                        "-flags", "+ildct+ilme", "-top", "1",
                        "-b:v", "30M", "-minrate", "30M", "-maxrate", "30M",
                        "-bufsize", "1200000", "-rc_init_occupancy", "1200000",
                        "-aspect", "{aspect}", "-timecode", "{timecode}",
                        "-c:a", "pcm_s24le", "-ar", "48000"),
                "mxf_d10", "mxf",
                Map.of("format", "mxf", "video-codec", "mpeg2video", "pix-fmt", "yuv422p", "width", "720",
                        "height", "608", "field-order", "tt", "frames", "source", "duration", "source",
                        "audio-channels", "source", "timecode", "source"))
                .withOptions(merged(IMX30_OPTIONS, options));
    }

    /**
     * A small H.264 MP4 for browsing: deinterlaced, cropped of IMX's 32 VBI lines, scaled to square pixels at
     * the source's aspect on the sending node (so little crosses the link), remuxed into MP4 (fast start) on the
     * receiving node.
     */
    public static Profile proxy(Map<String, String> options) {
        return new Profile("proxy", "mpegts",
                List.of("-map", "0:v:0", "-map", "0:a:0?",
                        "-vf", "yadif=mode=send_frame:parity=auto,{vbi-crop}setdar={dar},"
                                + "scale=w=trunc(oh*dar/2)*2:h={height},setsar=1,format=yuv420p",
                        "-c:v", "libx264", "-preset", "{preset}", "-b:v", "{bitrate}", "-g", "25",
                        "-c:a", "aac", "-ac", "2", "-b:a", "{audio-bitrate}"),
                List.of("-map", "0", "-c", "copy", "-movflags", "+faststart"),
                "mp4", "mp4",
                Map.of("format", "mp4", "video-codec", "h264", "height", "{height}", "frames", "source",
                        "duration", "source", "audio-channels", "2"))
                .withOptions(merged(PROXY_OPTIONS, options));
    }

    /**
     * HEVC in Matroska, converted on the receiving node from the whole source file: the first video stream
     * (not cover art) to libx265 at constant quality {@code crf} with {@code preset}, every audio stream kept as
     * it is where Matroska holds its codec, else FLAC ({@link MatroskaAudio}); the source's frames, duration and
     * channels. Takes common video containers of any size and length by default.
     */
    public static Profile h265Mkv(Map<String, String> options) {
        return mkv("h265-mkv", List.of("-c:v", "libx265", "-crf", "{crf}", "-preset", "{preset}",
                "-x265-params", "log-level=error"), "hevc").withOptions(merged(H265_MKV_OPTIONS, options));
    }

    /** As {@link #h265Mkv}, with libx264 (H.264) for the video. */
    public static Profile h264Mkv(Map<String, String> options) {
        return mkv("h264-mkv", List.of("-c:v", "libx264", "-crf", "{crf}", "-preset", "{preset}"), "h264")
                .withOptions(merged(H264_MKV_OPTIONS, options));
    }

    private static Profile mkv(String name, List<String> video, String videoCodec) {
        List<String> convert = new ArrayList<>(List.of("-map", "0:V:0", "-map", "0:a?"));
        convert.addAll(video);
        convert.add("{matroska-audio}");
        return Profile.wholeFile(name, Profile.Placement.RECEIVER, convert, "matroska", "mkv",
                        Map.of("format", "matroska", "video-codec", videoCodec, "frames", "source",
                                "duration", "source", "audio-channels", "source"))
                .withLimits(new ProfileLimits(0, Duration.ZERO, VIDEO_INPUTS));
    }

    /**
     * A PNG or JPEG still as lossy WebP at {@code quality} (0–100), converted on the receiving node, the same
     * size as the source. Takes stills up to {@link #STILL_MAX_SIZE} by default.
     */
    public static Profile webp(Map<String, String> options) {
        return Profile.wholeFile("webp", Profile.Placement.RECEIVER,
                        List.of("-map", "0:V:0", "-frames:v", "1", "-c:v", "libwebp", "-quality", "{quality}"),
                        "webp", "webp", Map.of("video-codec", "webp", "width", "source", "height", "source"))
                .withLimits(new ProfileLimits(STILL_MAX_SIZE, Duration.ZERO, STILL_INPUTS))
                .withOptions(merged(WEBP_OPTIONS, options));
    }

    /** Equal when they hold equal profiles under the same names, so configs holding them compare by value. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Profiles p && byName.equals(p.byName);
    }

    @Override
    public int hashCode() {
        return byName.hashCode();
    }

    @Override
    public String toString() {
        return "Profiles" + byName.keySet();
    }

    private static Map<String, String> merged(Map<String, String> defaults, Map<String, String> options) {
        Map<String, String> m = new LinkedHashMap<>(defaults);
        m.putAll(options);
        return m;
    }
}

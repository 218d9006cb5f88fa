package fff.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test media made and read by the real ffmpeg and ffprobe: IMX30 clips from ops/media, probes, PCM hashes. */
final class Clips {

    static final Path MAKE_IMX30 = Path.of("..", "ops", "media", "make-imx30.sh").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();

    private Clips() {}

    /** An IMX30 clip of {@code seconds} with {@code channels} audio channels ("easy" or "hard" content). */
    static Path imx30(Path out, int seconds, int channels, String content, String timecode) throws Exception {
        run(List.of(MAKE_IMX30.toString(), "-d", String.valueOf(seconds), "-c", String.valueOf(channels), "-t",
                content, "--timecode", timecode, "-o", out.toString()));
        return out;
    }

    /** ffprobe's JSON for {@code file}: format and streams, packets counted. */
    static JsonNode probe(Path file) throws Exception {
        return JSON.readTree(run(List.of("ffprobe", "-v", "error", "-count_packets", "-show_format",
                "-show_streams", "-of", "json", file.toString())));
    }

    static JsonNode stream(JsonNode probe, String type) {
        for (JsonNode s : probe.get("streams")) {
            if (type.equals(s.path("codec_type").asText())) {
                return s;
            }
        }
        throw new AssertionError("no " + type + " stream in " + probe);
    }

    /** SHA-256 of the file's audio decoded to 24-bit little-endian PCM: equal hashes mean bit-identical audio. */
    static String pcmHash(Path file) throws Exception {
        Process p = new ProcessBuilder("ffmpeg", "-v", "error", "-nostdin", "-i", file.toString(), "-map", "0:a",
                "-c:a", "pcm_s24le", "-f", "s24le", "-").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long n = 0;
        try (InputStream in = p.getInputStream()) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) {
                sha.update(buf, 0, r);
                n += r;
            }
        }
        assertEquals(0, p.waitFor(), "ffmpeg could not decode the audio of " + file);
        if (n == 0) {
            throw new AssertionError("no audio decoded from " + file);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** A small, cheap video: a 160x120 25 fps test pattern in Matroska (MPEG-4 part 2), {@code seconds} long. */
    static Path testPattern(Path out, int seconds) throws Exception {
        Files.createDirectories(out.getParent());
        run(List.of("ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-y", "-f", "lavfi", "-i",
                "testsrc=size=160x120:rate=25", "-t", String.valueOf(seconds), "-c:v", "mpeg4", "-q:v", "5",
                out.toString()));
        return out;
    }

    /** Pids of ffmpeg processes started (directly or not) by {@code pid}. */
    static List<Long> ffmpegsUnder(long pid) {
        List<Long> out = new ArrayList<>();
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().filter(ProcessHandle::isAlive)
                .filter(d -> d.info().command().map(c -> c.endsWith("/ffmpeg")).orElse(false))
                .forEach(d -> out.add(d.pid())));
        return out;
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        p.getOutputStream().close();
        byte[] err;
        String out;
        try (InputStream o = p.getInputStream(); InputStream e = p.getErrorStream()) {
            out = new String(o.readAllBytes(), StandardCharsets.UTF_8);
            err = e.readAllBytes();
        }
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + new String(err, StandardCharsets.UTF_8));
        }
        return out;
    }
}

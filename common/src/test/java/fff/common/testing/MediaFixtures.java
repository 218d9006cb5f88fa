package fff.common.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.transcode.FfmpegTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test media made by the real ffmpeg: small, short, so tests stay fast. */
public final class MediaFixtures {

    private MediaFixtures() {}

    /** Runs ffmpeg with {@code args} (quiet, overwriting); fails the test when ffmpeg does or takes over 60 s. */
    public static void ffmpeg(FfmpegTools tools, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(tools.ffmpeg().toString(), "-hide_banner", "-v", "error", "-y"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "fixture ffmpeg took over 60 s");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + said);
    }

    /** A 320x240 PNG test pattern at {@code file} (folders made). */
    public static Path png(FfmpegTools tools, Path file) throws IOException, InterruptedException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        ffmpeg(tools, "-f", "lavfi", "-i", "testsrc2=size=320x240", "-frames:v", "1", file.toString());
        return file;
    }
}

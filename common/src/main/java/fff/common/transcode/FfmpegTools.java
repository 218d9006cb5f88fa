package fff.common.transcode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Where this node's {@code ffmpeg} and {@code ffprobe} are: a configured folder, or the first folder on PATH
 * that holds both. {@link #find} checks they run and that ffmpeg has the encoders the built-in profiles need,
 * so a node whose rules need ffmpeg refuses to start with a clear message instead of failing mid-job.
 */
public final class FfmpegTools {

    private final Path ffmpeg;
    private final Path ffprobe;
    private final String version;

    private FfmpegTools(Path ffmpeg, Path ffprobe, String version) {
        this.ffmpeg = ffmpeg;
        this.ffprobe = ffprobe;
        this.version = version;
    }

    /**
     * Finds the tools in {@code dir} (null: search PATH).
     *
     * @throws MediaException saying what is missing and how to get it
     */
    public static FfmpegTools find(Path dir) throws MediaException {
        Path folder = dir != null ? dir : onPath();
        if (folder == null) {
            throw new MediaException("ffmpeg and ffprobe are not on PATH (" + System.getenv("PATH") + "); install "
                    + "them (Debian: apt-get install ffmpeg) or set ffmpeg.path in the config");
        }
        Path ffmpeg = folder.resolve("ffmpeg");
        Path ffprobe = folder.resolve("ffprobe");
        for (Path p : new Path[] {ffmpeg, ffprobe}) {
            if (!Files.isExecutable(p)) {
                throw new MediaException(p + " is missing or not executable"
                        + (dir != null ? " (ffmpeg.path in the config)" : ""));
            }
        }
        String version = firstLine(run(ffmpeg, "-hide_banner", "-version"));
        String encoders = run(ffmpeg, "-hide_banner", "-encoders");
        for (String needed : new String[] {"libx264", "mpeg2video", "s302m", "aac"}) {
            if (!encoders.contains(" " + needed + " ")) {
                throw new MediaException(ffmpeg + " (" + version + ") has no " + needed
                        + " encoder, which the built-in profiles need; install a full build (Debian: apt-get install ffmpeg)");
            }
        }
        return new FfmpegTools(ffmpeg, ffprobe, version);
    }

    private static Path onPath() {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "ffmpeg")) && Files.isExecutable(Path.of(d, "ffprobe"))) {
                return Path.of(d);
            }
        }
        return null;
    }

    private static String run(Path exe, String... args) throws MediaException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = exe.toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new MediaException(exe + " did not answer " + String.join(" ", args) + " within 10 s");
            }
            if (p.exitValue() != 0) {
                throw new MediaException(exe + " " + String.join(" ", args) + " failed (exit " + p.exitValue() + "): "
                        + firstLine(new String(out, StandardCharsets.UTF_8)));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new MediaException("cannot run " + exe + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MediaException("interrupted while running " + exe);
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }

    public Path ffmpeg() {
        return ffmpeg;
    }

    public Path ffprobe() {
        return ffprobe;
    }

    /** The folder holding both, as jaffree wants it. */
    public Path folder() {
        return ffmpeg.getParent();
    }

    /** ffmpeg's first version line, e.g. "ffmpeg version 5.1.9-0+deb12u1 ...". */
    public String version() {
        return version;
    }
}

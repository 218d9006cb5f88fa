package fff.common.transcode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.kokorin.jaffree.ffmpeg.NullOutput;
import com.github.kokorin.jaffree.ffmpeg.UrlInput;
import com.github.kokorin.jaffree.ffmpeg.UrlOutput;
import fff.proto.MediaInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real ffmpeg and ffprobe (Debian's, installed by .ci/run) through {@link FfmpegRun} and {@link Probe}. */
class FfmpegTest {

    static FfmpegTools tools;

    @BeforeAll
    static void find() throws MediaException {
        tools = FfmpegTools.find(null);
    }

    private static FfmpegRun lavfi(String source, Path out, List<String> args) {
        return FfmpegRun.start(tools, "test ffmpeg", UrlInput.fromUrl(source).setFormat("lavfi"),
                out == null ? new NullOutput() : UrlOutput.toPath(out), args, (f, fps, speed) -> { });
    }

    @Test
    void probeDescribesAClipAndRefusesNoise(@TempDir Path dir) throws Exception {
        Path clip = dir.resolve("c.mkv");
        lavfi("testsrc2=size=320x240:rate=25:duration=2", clip, List.of("-c:v", "libx264", "-preset", "ultrafast"))
                .finished().get(30, TimeUnit.SECONDS);
        MediaInfo m = new Probe(tools).probe(clip);
        assertEquals(50, Media.frames(m), "counted where the container has no count: " + m);
        assertEquals(2.0, m.getDurationSeconds(), 0.05);
        assertEquals(25.0, Media.fps(m));
        assertTrue(Media.describe(m).contains("h264 320x240"), Media.describe(m));

        Path noise = dir.resolve("noise.mxf");
        Files.write(noise, new java.util.Random(3).ints(200_000).mapToObj(i -> (byte) i)
                .collect(java.io.ByteArrayOutputStream::new, java.io.ByteArrayOutputStream::write, (a, b) -> { })
                .toByteArray());
        MediaException e = assertThrows(MediaException.class, () -> new Probe(tools).probe(noise));
        assertTrue(e.getMessage().contains("ffprobe cannot read") && e.getMessage().contains("Invalid data"),
                e.getMessage());
        assertThrows(MediaException.class, () -> new Probe(tools).probe(dir.resolve("missing.mxf")));
    }

    @Test
    void aFailingFfmpegSaysWhatItPrinted() {
        FfmpegRun run = lavfi("nosuchsource=duration=1", null, List.of());
        ExecutionException e = assertThrows(ExecutionException.class, () -> run.finished().get(30, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof MediaException, e.toString());
        String m = e.getCause().getMessage();
        assertTrue(m.startsWith("test ffmpeg failed (exit ") && m.contains("nosuchsource"), m);
    }

    @Test
    void aSlowReaderStillGetsEveryByteFfmpegWrote() throws Exception {
        BytePipe pipe = new BytePipe(64 << 10);
        FfmpegRun run = FfmpegRun.startPiped(tools, "raw ffmpeg",
                UrlInput.fromUrl("testsrc2=size=320x240:rate=25:duration=2").setFormat("lavfi"), "rawvideo",
                List.of("-pix_fmt", "yuv420p"), (f, fps, speed) -> { }, pipe);
        // more than jaffree's 2 s wait for its helper threads, which it then interrupts: nothing may be lost
        Thread.sleep(3_000);
        long total = 0;
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(8192);
        for (int n; (n = pipe.read(buf.clear())) >= 0; ) {
            total += n;
        }
        assertEquals(50L * 320 * 240 * 3 / 2, total, "50 frames of 320x240 yuv420p");
        run.finished().get(10, TimeUnit.SECONDS);
    }

    @Test
    void outputLeftInTheOsPipeWhenFfmpegExitsSurvivesJaffreeClosingIt() throws Exception {
        // 86,400 bytes: ffmpeg writes them all (into the copy's buffer and the OS pipe) and exits while the
        // reader sleeps; jaffree closes ffmpeg's stdout 2 s later, before the reader made room
        BytePipe pipe = new BytePipe(16 << 10);
        FfmpegRun run = FfmpegRun.startPiped(tools, "tiny ffmpeg",
                UrlInput.fromUrl("testsrc2=size=160x120:rate=25").setFormat("lavfi"), "rawvideo",
                List.of("-frames:v", "3", "-pix_fmt", "yuv420p"), (f, fps, speed) -> { }, pipe);
        Thread.sleep(3_500);
        long total = 0;
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(8192);
        for (int n; (n = pipe.read(buf.clear())) >= 0; ) {
            total += n;
        }
        assertEquals(3L * 160 * 120 * 3 / 2, total);
        run.finished().get(10, TimeUnit.SECONDS);
    }

    @Test
    void anFfmpegKilledAtOnceEndsItsPipeWithAnError() throws Exception {
        BytePipe pipe = new BytePipe(64 << 10);
        FfmpegRun run = FfmpegRun.startPiped(tools, "short-lived ffmpeg",
                UrlInput.fromUrl("testsrc2=size=320x240:rate=25").setFormat("lavfi").setReadAtFrameRate(true),
                "rawvideo", List.of("-pix_fmt", "yuv420p"), (f, fps, speed) -> { }, pipe);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (run.pid() < 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        ProcessHandle.of(run.pid()).orElseThrow().destroyForcibly(); // maybe before it opened anything
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(8192);
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> {
            while (pipe.read(buf.clear()) >= 0) {
                // drain
            }
        });
        assertTrue(e.getMessage().contains("short-lived ffmpeg failed"), e.getMessage());
        run.finished().handle((ok, err) -> null).get(10, TimeUnit.SECONDS);
    }

    @Test
    void anFfmpegKilledFromOutsideEndsItsDrainedPipeWithAnError() throws Exception {
        BytePipe pipe = new BytePipe(64 << 10);
        AtomicLong frames = new AtomicLong();
        FfmpegRun run = FfmpegRun.startPiped(tools, "victim ffmpeg",
                UrlInput.fromUrl("testsrc2=size=320x240:rate=25").setFormat("lavfi").setReadAtFrameRate(true),
                "rawvideo", List.of("-pix_fmt", "yuv420p"), (f, fps, speed) -> frames.set(f), pipe);
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(8192);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (frames.get() < 5 && System.nanoTime() < deadline) {
            pipe.read(buf.clear());
        }
        ProcessHandle.of(run.pid()).orElseThrow().destroyForcibly();
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> {
            while (true) {
                pipe.read(buf.clear());
            }
        });
        assertTrue(e.getMessage().contains("victim ffmpeg failed (killed by signal 9)"), e.getMessage());
    }

    @Test
    void killTakesAStuckFfmpegDownAtOnce() throws Exception {
        AtomicLong frames = new AtomicLong();
        // a source without end, read at its own pace: only kill stops it
        FfmpegRun run = FfmpegRun.start(tools, "endless ffmpeg",
                UrlInput.fromUrl("testsrc2=size=160x120:rate=25").setFormat("lavfi").setReadAtFrameRate(true),
                new NullOutput(), List.of(), (f, fps, speed) -> frames.set(f));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (frames.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(frames.get() > 0, "progress reported");
        long pid = run.pid();
        assertTrue(ProcessHandle.of(pid).isPresent());
        long t0 = System.nanoTime();
        run.kill();
        assertTrue(run.awaitGone(Duration.ofSeconds(2)), "gone within 2 s");
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(2).toNanos());
        ExecutionException e = assertThrows(ExecutionException.class, () -> run.finished().get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("was stopped"), e.getCause().getMessage());
        assertTrue(run.wasKilled());
    }
}

package fff.common.transcode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.testing.MediaFixtures;
import fff.proto.MediaInfo;
import fff.proto.MediaStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole-file conversions and profile limits with the real ffmpeg and ffprobe, on 2 s 320x240 clips and stills
 * that ffmpeg makes in the test's folder. The x265/x264 presets are the fastest; the defaults are for production.
 */
class FileConversionTest {

    static FfmpegTools tools;
    static Probe probe;

    @TempDir
    Path dir;

    @BeforeAll
    static void find() throws MediaException {
        tools = FfmpegTools.find(null);
        probe = new Probe(tools);
    }

    /** Runs ffmpeg with {@code args} to make a fixture; fails the test when ffmpeg does. */
    private static void ffmpeg(String... args) throws IOException, InterruptedException {
        MediaFixtures.ffmpeg(tools, args);
    }

    private static final String VIDEO = "testsrc2=size=320x240:rate=25:duration=2";
    private static final String TONE = "sine=frequency=440:sample_rate=48000:duration=2";

    /** 2 s of H.264 with stereo AAC in an MP4 whose index (moov) comes after its media (mdat). */
    private Path mp4() throws Exception {
        Path clip = dir.resolve("clip.mp4");
        ffmpeg("-f", "lavfi", "-i", VIDEO, "-f", "lavfi", "-i", TONE, "-c:v", "libx264", "-preset", "ultrafast",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-ac", "2", clip.toString());
        return clip;
    }

    /** 2 s of H.264 with SMPTE 302M audio in MPEG-TS, as imx30 puts on the link: audio Matroska cannot hold. */
    private Path s302mTs() throws Exception {
        Path clip = dir.resolve("s302m.ts");
        ffmpeg("-f", "lavfi", "-i", VIDEO, "-f", "lavfi", "-i", TONE, "-c:v", "libx264", "-preset", "ultrafast",
                "-pix_fmt", "yuv420p", "-c:a", "s302m", "-strict", "-2", "-ac", "2", "-f", "mpegts", clip.toString());
        return clip;
    }

    private Path still(String name) throws Exception {
        Path still = dir.resolve(name);
        return MediaFixtures.png(tools, still);
    }

    private static List<MediaStream> streams(MediaInfo m, MediaStream.Kind kind) {
        return m.getStreamsList().stream().filter(s -> s.getKind() == kind).toList();
    }

    private MediaInfo convert(Profile profile, Path source, Path output) throws Exception {
        MediaInfo media = ((Admission.Accepted) Admission.check(profile, source, probe)).media();
        return new FileConversion(tools, profile, media, source, output).run((f, fps, speed) -> { });
    }

    @Test
    void anMp4WithItsIndexAtTheEndBecomesHevcInMatroskaKeepingItsAac() throws Exception {
        Path clip = mp4();
        String bytes = new String(Files.readAllBytes(clip), StandardCharsets.ISO_8859_1);
        assertTrue(bytes.indexOf("moov") > bytes.indexOf("mdat"), "the fixture's moov is at the end");
        MediaInfo source = probe.probe(clip);
        Path out = dir.resolve(".clip.mkv.partial");

        MediaInfo got = convert(Profiles.h265Mkv(Map.of("preset", "ultrafast")), clip, out);

        assertEquals(got, probe.probe(out), "what run returns is what ffprobe finds in the file");
        assertTrue(List.of(got.getFormat().split(",")).contains("matroska"), got.getFormat());
        List<MediaStream> video = streams(got, MediaStream.Kind.VIDEO);
        assertEquals(1, video.size(), got.toString());
        assertEquals("hevc", video.get(0).getCodec());
        assertEquals(50, Media.frames(source));
        assertEquals(Media.frames(source), Media.frames(got));
        assertEquals(source.getDurationSeconds(), got.getDurationSeconds(), 0.1);
        assertEquals(List.of("aac"), streams(got, MediaStream.Kind.AUDIO).stream().map(MediaStream::getCodec).toList());
        assertEquals(2, Media.audioChannels(got));
    }

    @Test
    void audioMatroskaCannotHoldBecomesFlac() throws Exception {
        Path ts = s302mTs();
        assertEquals(List.of("s302m"), streams(probe.probe(ts), MediaStream.Kind.AUDIO).stream()
                .map(MediaStream::getCodec).toList(), "the fixture's audio");
        Path out = dir.resolve("out.mkv");

        MediaInfo got = convert(Profiles.h264Mkv(Map.of("preset", "ultrafast")), ts, out);

        assertEquals("h264", Media.video(got).orElseThrow().getCodec());
        assertEquals(50, Media.frames(got));
        assertEquals(List.of("flac"), streams(got, MediaStream.Kind.AUDIO).stream().map(MediaStream::getCodec).toList());
        assertEquals(2, Media.audioChannels(got));
    }

    @Test
    void h264MkvKeepsFramesDurationAndAudioToo() throws Exception {
        Path clip = mp4();
        MediaInfo source = probe.probe(clip);
        MediaInfo got = convert(Profiles.h264Mkv(Map.of("preset", "ultrafast", "crf", "30")), clip,
                dir.resolve("out.mkv"));
        assertTrue(got.getFormat().startsWith("matroska"), got.getFormat());
        assertEquals(1, streams(got, MediaStream.Kind.VIDEO).size());
        assertEquals("h264", Media.video(got).orElseThrow().getCodec());
        assertEquals(Media.frames(source), Media.frames(got));
        assertEquals(source.getDurationSeconds(), got.getDurationSeconds(), 0.1);
        assertEquals(List.of("aac"), streams(got, MediaStream.Kind.AUDIO).stream().map(MediaStream::getCodec).toList());
    }

    @Test
    void pngAndJpegStillsBecomeWebpOfTheSameSize() throws Exception {
        for (String name : List.of("still.png", "still.jpg")) {
            Path still = still(name);
            Path out = dir.resolve(name + ".webp");
            MediaInfo got = convert(Profiles.webp(Map.of()), still, out);
            MediaInfo reread = probe.probe(out);
            assertEquals("webp_pipe", reread.getFormat(), name);
            MediaStream v = Media.video(reread).orElseThrow();
            assertEquals("webp", v.getCodec(), name);
            assertEquals(320, v.getWidth(), name);
            assertEquals(240, v.getHeight(), name);
            assertEquals(got, reread);
            byte[] head = Files.readAllBytes(out);
            assertEquals("RIFF", new String(head, 0, 4, StandardCharsets.US_ASCII), name);
            assertEquals("WEBP", new String(head, 8, 4, StandardCharsets.US_ASCII), name);
        }
    }

    @Test
    void aSourceAboveMaxSizeIsRefusedBeforeFfprobeReadsIt() throws Exception {
        Path still = still("big.png");
        long size = Files.size(still);
        Profile small = Profiles.webp(Map.of()).withLimits(Profiles.webp(Map.of()).limits().withMaxSize(1000));
        Refusal r = Admission.check(small, still, probe).refused().orElseThrow();
        assertEquals(Refusal.Code.TOO_LARGE, r.code());
        assertEquals("big.png is " + Refusal.size(size) + ", above webp's max-size 1000 bytes", r.message());
        assertTrue(size > 1024, "shown in KiB: " + r.message());
        assertEquals(java.util.Optional.empty(), Admission.check(Profiles.webp(Map.of()), still, probe).refused());
    }

    @Test
    void aSourceAboveMaxDurationIsRefused() throws Exception {
        Path clip = mp4();
        Profile h265 = Profiles.h265Mkv(Map.of());
        Profile short1 = h265.withLimits(h265.limits().withMaxDuration(Duration.ofSeconds(1)));
        Refusal r = Admission.check(short1, clip, probe).refused().orElseThrow();
        assertEquals(Refusal.Code.TOO_LONG, r.code());
        assertTrue(r.message().matches("clip\\.mp4 runs 0:02(\\.[0-9])?, above h265-mkv's max-duration 0:01"),
                r.message());
        Admission fine = Admission.check(h265.withLimits(h265.limits().withMaxDuration(Duration.ofSeconds(3))), clip,
                probe);
        assertEquals(50, Media.frames(assertInstanceOf(Admission.Accepted.class, fine).media()));
    }

    @Test
    void inputsAProfileDoesNotTakeAreRefused() throws Exception {
        Path still = still("still.png");
        Refusal png = Admission.check(Profiles.h265Mkv(Map.of()), still, probe).refused().orElseThrow();
        assertEquals(Refusal.Code.UNSUPPORTED_INPUT, png.code());
        assertEquals("still.png is png_pipe (png), which h265-mkv does not take (inputs: "
                + String.join(", ", Profiles.VIDEO_INPUTS) + ")", png.message());

        Path clip = mp4();
        Refusal mp4 = Admission.check(Profiles.webp(Map.of()), clip, probe).refused().orElseThrow();
        assertEquals(Refusal.Code.UNSUPPORTED_INPUT, mp4.code());
        assertTrue(mp4.message().startsWith("clip.mp4 is mov,mp4,m4a,3gp,3g2,mj2 (h264, aac), which webp does not "
                + "take"), mp4.message());

        Path text = Files.writeString(dir.resolve("notes.txt"), "not a picture, not a film\n");
        Refusal txt = Admission.check(Profiles.h265Mkv(Map.of()), text, probe).refused().orElseThrow();
        assertEquals(Refusal.Code.UNSUPPORTED_INPUT, txt.code());
        assertTrue(txt.message().startsWith("notes.txt is not media h265-mkv can take: ffprobe cannot read ")
                && txt.message().contains("Invalid data found"), txt.message());
    }

    @Test
    void stoppingMidConversionLeavesNoFfmpegAndNoPartialFile() throws Exception {
        Path clip = mp4();
        MediaInfo media = probe.probe(clip);
        Path out = dir.resolve(".clip.mkv.partial");
        // the slowest preset, so the 2 s clip is still being encoded when the stop comes
        FileConversion conversion = new FileConversion(tools, Profiles.h265Mkv(Map.of("preset", "placebo")), media,
                clip, out);
        AtomicLong frames = new AtomicLong();
        CompletableFuture<MediaInfo> done = CompletableFuture.supplyAsync(() -> {
            try {
                return conversion.run((f, fps, speed) -> frames.set(f));
            } catch (MediaException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!(Files.exists(out) && ffmpegs() > 0) && !done.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertFalse(done.isDone(), "still converting when stopped");
        assertEquals(1, ffmpegs(), "one ffmpeg at work");
        assertTrue(Files.exists(out), "its partial output is there");

        conversion.stop();

        ExecutionException e = assertThrows(ExecutionException.class, () -> done.get(10, TimeUnit.SECONDS));
        assertInstanceOf(MediaException.class, e.getCause());
        assertEquals("converting ffmpeg (h265-mkv) was stopped", e.getCause().getMessage());
        assertEquals(0, ffmpegs(), "no ffmpeg left");
        assertFalse(Files.exists(out), "no partial file left");
        assertTrue(frames.get() < 50, "it did not finish: " + frames.get() + " frames");
    }

    @Test
    void aConversionStoppedBeforeItStartsNeverRunsFfmpeg() throws Exception {
        Path still = still("s.png");
        Path out = dir.resolve("s.webp");
        FileConversion conversion = new FileConversion(tools, Profiles.webp(Map.of()), probe.probe(still), still, out);
        conversion.stop();
        MediaException e = assertThrows(MediaException.class, () -> conversion.run((f, fps, speed) -> { }));
        assertEquals("converting ffmpeg (webp) was stopped", e.getMessage());
        assertFalse(Files.exists(out));
    }

    @Test
    void anOutputThatDoesNotMatchTheSourceIsRefusedAndDeleted() throws Exception {
        Path clip = mp4();
        Profile cut = Profile.wholeFile("cut", Profile.Placement.SENDER,
                List.of("-map", "0:V:0", "-frames:v", "10", "-c:v", "libx264", "-preset", "ultrafast"),
                "matroska", "mkv", Map.of("frames", "source"));
        Path out = dir.resolve("cut.mkv");
        FileConversion conversion = new FileConversion(tools, cut, probe.probe(clip), clip, out);
        MediaException e = assertThrows(MediaException.class, () -> conversion.run((f, fps, speed) -> { }));
        assertEquals("output of profile cut does not match the source: video has 10 frames, the source 50",
                e.getMessage());
        assertFalse(Files.exists(out));
    }

    /** This JVM's ffmpeg processes (children of jaffree's threads). */
    private static long ffmpegs() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("/ffmpeg")).orElse(false)).count();
    }
}

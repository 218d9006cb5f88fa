package fff.sender.transcode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.jobs.Delivery;
import fff.common.jobs.Failure;
import fff.common.jobs.Job;
import fff.common.jobs.JobSpec;
import fff.common.jobs.JobState;
import fff.common.jobs.Mover;
import fff.common.transcode.FfmpegTools;
import fff.common.transcode.Media;
import fff.common.transcode.Probe;
import fff.common.transcode.Profile;
import fff.common.transcode.Profiles;
import fff.proto.MediaInfo;
import fff.sender.Transcoding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LocalTranscodeMover} with the real ffmpeg and ffprobe, in front of a mover that copies what it is given
 * into a folder: both sides of a split profile, or a whole-file profile's one conversion, run here, the result is
 * checked and delivered; what is not media, what a profile's limits refuse, and what is cancelled, leaves no
 * process and no file behind. Whole-file profiles use x264's fastest preset on a 1 s 160x120 clip.
 */
class LocalTranscodeTest {

    private static final Path MAKE_IMX30 = Path.of("..", "ops", "media", "make-imx30.sh").toAbsolutePath().normalize();

    @TempDir
    static Path clips;
    static FfmpegTools tools;
    static Path imx30;
    static MediaInfo imx30Info;
    /** 1 s of 160x120 H.264 at 25 fps in an MP4, no audio. */
    static Path small;

    @TempDir
    Path tmp;
    private Path work;
    private Path dest;
    private CopyMover inner;
    private LocalTranscodeMover mover;

    @BeforeAll
    static void makeClip() throws Exception {
        tools = FfmpegTools.find(null);
        imx30 = clips.resolve("clip.mxf");
        Process p = new ProcessBuilder(MAKE_IMX30.toString(), "-d", "2", "-c", "4", "-o", imx30.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        imx30Info = new Probe(tools).probe(imx30);
        small = clips.resolve("small.mp4");
        Process q = new ProcessBuilder(tools.ffmpeg().toString(), "-hide_banner", "-v", "error", "-f", "lavfi", "-i",
                "testsrc=size=160x120:rate=25:duration=1", "-c:v", "libx264", "-preset", "ultrafast",
                "-pix_fmt", "yuv420p", small.toString()).redirectErrorStream(true).start();
        q.getOutputStream().close();
        String said = new String(q.getInputStream().readAllBytes());
        assertEquals(0, q.waitFor(), said);
    }

    /** h264-mkv at x264's fastest preset, as a config's {@code options: {preset: ultrafast}} makes it. */
    private static Profiles fastMkv(Profile... more) {
        Map<String, Profile> m = new java.util.HashMap<>(Map.of("h264-mkv",
                Profiles.builtIn("h264-mkv", Map.of("preset", "ultrafast"))));
        for (Profile p : more) {
            m.put(p.name(), p);
        }
        return Profiles.of(m);
    }

    /** A user-defined whole-file profile ({@code runs-on: sender} unless said otherwise): H.264 in Matroska. */
    private static Profile onSender(String name, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("-map", "0:V:0"));
        args.addAll(List.of(extraArgs));
        args.addAll(List.of("-c:v", "libx264", "-preset", "ultrafast"));
        return Profile.wholeFile(name, Profile.Placement.SENDER, args, "matroska", "mkv",
                Map.of("format", "matroska", "video-codec", "h264", "frames", "source"));
    }

    private void startMover(Transcoding transcoding) throws IOException {
        work = tmp.resolve("work");
        dest = Files.createDirectories(tmp.resolve("dest"));
        inner = new CopyMover(dest);
        mover = new LocalTranscodeMover(inner, transcoding, work);
    }

    private void startInFrontOfPeer(Transcoding transcoding) throws IOException {
        work = tmp.resolve("work");
        dest = Files.createDirectories(tmp.resolve("dest"));
        inner = new CopyMover(dest);
        mover = LocalTranscodeMover.inFrontOfPeer(inner, transcoding, work);
    }

    @AfterEach
    void close() {
        if (mover != null) {
            mover.close();
        }
    }

    @Test
    void imx30ArrivesAsD10WithTheSourcesFrames() throws Exception {
        startMover(Transcoding.of(tools, Profiles.builtIns()));
        Outcome o = new Outcome();
        mover.start(job(1, imx30, "news/clip.mxf", "imx30"), o);
        Delivery d = o.delivery();

        Path got = dest.resolve("news/clip.mxf");
        MediaInfo m = new Probe(tools).probe(got);
        assertTrue(List.of(m.getFormat().split(",")).contains("mxf"), Media.describe(m));
        assertEquals(Media.frames(imx30Info), Media.frames(m), Media.describe(m));
        assertEquals(50, Media.frames(m));
        var v = Media.video(m).orElseThrow();
        assertEquals("mpeg2video", v.getCodec());
        assertEquals(720, v.getWidth());
        assertEquals(608, v.getHeight());
        assertEquals("tt", v.getFieldOrder());
        assertEquals(4, Media.audioChannels(m));
        assertEquals("10:00:00:00", m.getTimecode());
        assertTrue(isD10(got), "written as SMPTE D-10 (mxf_d10)");

        JobSpec derived = inner.specs.get(0);
        assertNull(derived.profile());
        assertEquals("news/clip.mxf", derived.remotePath());
        assertEquals("keep", derived.after());
        assertEquals(Files.size(got), derived.size());
        assertEquals(Files.size(got), d.bytesSent());
        assertEquals(1_600_000_000_000L, derived.mtimeMillis(), "the source's modification time, as a peer keeps it");
        assertTrue(derived.source().startsWith(work.resolve("1")), derived.source().toString());
        assertTrue(o.frames.get() > 0, "ffmpeg progress reported");
        assertEquals(Files.size(got), o.bytes.get(), "delivery progress passed on");
        assertEquals(List.of(), list(work), "the job's work folder is gone");
    }

    @Test
    void proxyGivesAnMp4() throws Exception {
        startMover(Transcoding.of(tools, Profiles.builtIns()));
        Outcome o = new Outcome();
        mover.start(job(2, imx30, "p/clip.mp4", "proxy"), o);
        o.delivery();
        MediaInfo m = new Probe(tools).probe(dest.resolve("p/clip.mp4"));
        assertTrue(List.of(m.getFormat().split(",")).contains("mp4"), Media.describe(m));
        assertEquals("h264", Media.video(m).orElseThrow().getCodec());
        assertEquals(360, Media.video(m).orElseThrow().getHeight());
        assertEquals(50, Media.frames(m));
        assertEquals(List.of(), list(work));
    }

    @Test
    void aFileThatIsNotMediaFailsWithoutReachingTheDestination() throws Exception {
        startMover(Transcoding.of(tools, Profiles.builtIns()));
        byte[] noise = new byte[100_000];
        new Random(6).nextBytes(noise);
        Path file = Files.write(tmp.resolve("noise.mxf"), noise);
        Outcome o = new Outcome();
        mover.start(job(3, file, "noise.mxf", "imx30"), o);
        Failure f = o.failure();
        assertEquals("BAD_SOURCE", f.reason());
        assertFalse(f.retryable());
        assertTrue(f.message().contains("ffprobe cannot read"), f.message());
        assertEquals(List.of(), inner.specs);
        assertEquals(List.of(), list(work));
    }

    @Test
    void anOutputThatFailsTheProfilesCheckFailsTheJobSayingWhatDiffers() throws Exception {
        // the receive side keeps 10 frames of the source's 50: ffmpeg is content, the check is not
        Profile cut = new Profile("cut", "mpegts",
                List.of("-map", "0:v:0", "-c:v", "libx264", "-preset", "ultrafast", "-s", "160x128"),
                List.of("-map", "0", "-c", "copy", "-frames:v", "10"), "mp4", "mp4",
                Map.of("frames", "source", "format", "mp4"));
        startMover(Transcoding.of(tools, Profiles.of(Map.of("cut", cut))));
        Outcome o = new Outcome();
        mover.start(job(8, imx30, "cut.mp4", "cut"), o);
        Failure f = o.failure();
        assertEquals("TRANSCODE_FAILED", f.reason());
        assertFalse(f.retryable(), "the same source and profile would fail the same way");
        assertEquals("output of profile cut does not match the source: video has 10 frames, the source 50",
                f.message());
        assertEquals(List.of(), inner.specs);
        assertEquals(List.of(), list(work));
    }

    @Test
    void unknownProfileOrNoFfmpegIsUnsupported() throws Exception {
        startMover(Transcoding.NONE);
        Outcome o = new Outcome();
        mover.start(job(4, imx30, "a.mxf", "imx30"), o);
        assertEquals("UNSUPPORTED_PROFILE", o.failure().reason());
        Outcome unknown = new Outcome();
        mover.start(job(5, imx30, "a.mxf", "imx50"), unknown);
        Failure f = unknown.failure();
        assertEquals("UNSUPPORTED_PROFILE", f.reason());
        assertFalse(f.retryable());
        assertEquals(List.of(), inner.specs);
    }

    @Test
    void cancelMidTranscodeLeavesNoFfmpegAndNoFile() throws Exception {
        // as proxy, but the send side runs at the source's pace: 2 s of work, cancelled after its first progress
        Profile slow = new Profile("slow", "mpegts",
                List.of("-map", "0:v:0", "-vf", "realtime", "-c:v", "libx264", "-preset", "ultrafast"),
                List.of("-map", "0", "-c", "copy"), "mp4", "mp4", Map.of("frames", "source"));
        startMover(Transcoding.of(tools, Profiles.of(Map.of("slow", slow))));
        CountDownLatch progressed = new CountDownLatch(1);
        Outcome o = new Outcome() {
            @Override
            public void media(long frame, long frames, double fps, double speed) {
                super.media(frame, frames, fps, speed);
                progressed.countDown();
            }
        };
        Mover.Running r = mover.start(job(6, imx30, "slow.mp4", "slow"), o);
        assertTrue(progressed.await(20, TimeUnit.SECONDS), "ffmpeg reported progress");
        assertEquals(2, ffmpegs().size(), "both sides run: " + ffmpegs());
        assertFalse(o.result.isDone(), "still transcoding");
        r.cancel("operator");
        Failure f = o.failure();
        assertEquals("CANCELLED", f.reason());
        assertEquals(List.of(), ffmpegs(), "no ffmpeg survives");
        assertEquals(List.of(), list(work), "no work file left");
        assertEquals(List.of(), inner.specs);
    }

    @Test
    void jobsWithoutProfileGoStraightToTheInnerMover() throws Exception {
        startMover(Transcoding.of(tools, Profiles.builtIns()));
        Outcome o = new Outcome();
        Job plain = job(7, imx30, "plain/clip.mxf", null);
        Mover.Running r = mover.start(plain, o);
        o.delivery();
        assertSame(plain, inner.jobs.get(0), "unchanged");
        assertSame(inner.lastRunning, r);
        assertEquals(Files.size(imx30), Files.size(dest.resolve("plain/clip.mxf")));
        assertFalse(Files.exists(work.resolve("7")));
    }

    @Test
    void foldersLeftByAKilledProcessAreRemovedAtConstruction() throws Exception {
        Path w = tmp.resolve("work");
        Files.createDirectories(w.resolve("17"));
        Files.writeString(w.resolve("17/.clip.mxf.fff-partial"), "half");
        Files.writeString(w.resolve("notes.txt"), "someone's");
        startMover(Transcoding.of(tools, Profiles.builtIns()));
        assertEquals(List.of(w.resolve("notes.txt")), list(w));
    }

    // ---- whole-file profiles ----

    @Test
    void aWholeFileProfileToALocalDestinationConvertsHereAndDeliversTheResult() throws Exception {
        startMover(Transcoding.of(tools, fastMkv()));
        Outcome o = new Outcome();
        mover.start(job(20, small, "clips/small.mkv", "h264-mkv"), o);
        Delivery d = o.delivery();

        Path got = dest.resolve("clips/small.mkv");
        MediaInfo m = new Probe(tools).probe(got);
        assertTrue(List.of(m.getFormat().split(",")).contains("matroska"), Media.describe(m));
        assertEquals("h264", Media.video(m).orElseThrow().getCodec());
        assertEquals(160, Media.video(m).orElseThrow().getWidth());
        assertEquals(25, Media.frames(m), Media.describe(m));
        JobSpec derived = inner.specs.get(0);
        assertNull(derived.profile(), "the result goes as a plain file");
        assertEquals("clips/small.mkv", derived.remotePath());
        assertEquals(Files.size(got), derived.size());
        assertEquals(Files.size(got), d.bytesSent());
        assertEquals(1_600_000_000_000L, derived.mtimeMillis());
        assertTrue(derived.source().startsWith(work.resolve("20")), derived.source().toString());
        assertTrue(o.frames.get() > 0, "ffmpeg progress reported");
        assertEquals(List.of(), list(work), "the job's work folder is gone");
        assertEquals(List.of(), ffmpegs());
    }

    @Test
    void inFrontOfAPeerOnlyProfilesThatRunOnTheSenderConvertHere() throws Exception {
        startInFrontOfPeer(Transcoding.of(tools, fastMkv(onSender("here-mkv"))));
        Outcome converted = new Outcome();
        mover.start(job(21, small, "s/small.mkv", "here-mkv"), converted);
        converted.delivery();
        assertNull(inner.specs.get(0).profile(), "the peer gets the result as a plain file");
        assertTrue(inner.specs.get(0).source().startsWith(work.resolve("21")));
        MediaInfo m = new Probe(tools).probe(dest.resolve("s/small.mkv"));
        assertEquals(25, Media.frames(m), Media.describe(m));
        assertEquals(List.of(), list(work), "the temporary result is gone once delivered");

        Outcome passed = new Outcome();
        Job atReceiver = job(22, small, "r/small.mkv", "h264-mkv");
        Mover.Running r = mover.start(atReceiver, passed);
        passed.delivery();
        assertSame(atReceiver, inner.jobs.get(1), "a profile the receiver runs goes to the peer unchanged");
        assertSame(inner.lastRunning, r);
        assertFalse(Files.exists(work.resolve("22")));
    }

    @Test
    void aSourceAWholeFileProfileRefusesFailsFinallyAndNothingIsDelivered() throws Exception {
        Profile webp = Profiles.builtIns().get("webp").orElseThrow();
        Profile tiny = new Profile("tiny", Profile.Placement.SENDER, "", List.of(), List.of(), webp.convert(),
                webp.outputFormat(), webp.extension(), webp.expect(), webp.limits().withMaxSize(1000));
        startMover(Transcoding.of(tools, fastMkv(tiny)));

        Path text = Files.writeString(tmp.resolve("notes.txt"), "not a picture\n".repeat(20));
        Outcome bad = new Outcome();
        mover.start(job(23, text, "notes.webp", "webp"), bad);
        Failure f = bad.failure();
        assertEquals("BAD_SOURCE", f.reason());
        assertFalse(f.retryable());
        assertTrue(f.message().startsWith("notes.txt is not media webp can take"), f.message());

        Path big = Files.write(tmp.resolve("big.png"), new byte[2048]);
        Outcome large = new Outcome();
        mover.start(job(24, big, "big.webp", "tiny"), large);
        Failure g = large.failure();
        assertEquals("TOO_LARGE", g.reason());
        assertFalse(g.retryable());
        assertEquals("big.png is 2 KiB, above tiny's max-size 1000 bytes", g.message());

        assertEquals(List.of(), inner.specs, "nothing reached the destination");
        assertEquals(List.of(), list(work));
        assertEquals(List.of(), list(dest));
    }

    @Test
    void cancelMidConversionStopsFfmpegAndLeavesNoTemporaryFile() throws Exception {
        // ffmpeg reads the 2 s source at its own pace: cancelled after its first progress
        startInFrontOfPeer(Transcoding.of(tools, fastMkv(onSender("slow-mkv", "-vf", "realtime"))));
        CountDownLatch progressed = new CountDownLatch(1);
        Outcome o = new Outcome() {
            @Override
            public void media(long frame, long frames, double fps, double speed) {
                super.media(frame, frames, fps, speed);
                progressed.countDown();
            }
        };
        Mover.Running r = mover.start(job(25, imx30, "slow.mkv", "slow-mkv"), o);
        assertTrue(progressed.await(20, TimeUnit.SECONDS), "ffmpeg reported progress");
        assertEquals(1, ffmpegs().size(), "one ffmpeg converts: " + ffmpegs());
        assertFalse(o.result.isDone(), "still converting");
        r.cancel("operator");
        Failure f = o.failure();
        assertEquals("CANCELLED", f.reason());
        assertEquals("operator", f.message());
        assertEquals(List.of(), ffmpegs(), "no ffmpeg survives");
        assertEquals(List.of(), list(work), "no work file left");
        assertEquals(List.of(), inner.specs);
    }

    private static Job job(long id, Path source, String remotePath, String profile) throws IOException {
        Files.setLastModifiedTime(source, java.nio.file.attribute.FileTime.fromMillis(1_600_000_000_000L));
        JobSpec spec = new JobSpec("r", source, source.getFileName().toString(), "d", remotePath, "total", 0,
                Files.size(source), 1_600_000_000_000L, "keep", JobSpec.Op.SEND, null, profile);
        return new Job(id, spec, JobState.RUNNING, false, 0, null, 0, 0, 0, 0, 0, 0, null);
    }

    /**
     * Whether the file carries the SMPTE 386M (D-10) essence container label in its header partition: ffprobe
     * reads D-10 back as plain "mxf", but only the mxf_d10 muxer writes this label ({@code -f mxf} does not).
     */
    private static boolean isD10(Path file) throws IOException {
        byte[] head;
        try (var in = Files.newInputStream(file)) {
            head = in.readNBytes(1 << 16);
        }
        byte[] label = {0x06, 0x0e, 0x2b, 0x34, 0x04, 0x01, 0x01, 0x01, 0x0d, 0x01, 0x03, 0x01, 0x02, 0x01};
        outer:
        for (int i = 0; i + label.length <= head.length; i++) {
            for (int j = 0; j < label.length; j++) {
                if (head[i + j] != label[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Live ffmpeg processes this JVM started, directly or not. */
    private static List<ProcessHandle> ffmpegs() {
        List<ProcessHandle> out = new ArrayList<>();
        ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(h -> h.info().command().map(c -> c.endsWith("ffmpeg")).orElse(false)).forEach(out::add);
        return out;
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    /** What the mover told: done or failed, and the progress on the way. */
    private static class Outcome implements Mover.Listener {
        final CompletableFuture<Object> result = new CompletableFuture<>();
        final AtomicLong frames = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();

        @Override
        public void progress(long bytesDone) {
            bytes.set(bytesDone);
        }

        @Override
        public void media(long frame, long frames, double fps, double speed) {
            this.frames.set(frame);
        }

        @Override
        public void done(Delivery delivery) {
            assertTrue(result.complete(delivery), "one outcome only");
        }

        @Override
        public void failed(Failure failure) {
            assertTrue(result.complete(failure), "one outcome only");
        }

        Delivery delivery() throws Exception {
            Object r = result.get(30, TimeUnit.SECONDS);
            if (r instanceof Failure f) {
                throw new AssertionError("failed: " + f);
            }
            return (Delivery) r;
        }

        Failure failure() throws Exception {
            Object r = result.get(30, TimeUnit.SECONDS);
            if (r instanceof Delivery d) {
                throw new AssertionError("delivered: " + d);
            }
            return (Failure) r;
        }
    }

    /** Copies each job's source to {@code root/remotePath} on a thread of its own, as a destination would. */
    private static final class CopyMover implements Mover {
        final Path root;
        final List<Job> jobs = new CopyOnWriteArrayList<>();
        final List<JobSpec> specs = new CopyOnWriteArrayList<>();
        volatile Running lastRunning;

        CopyMover(Path root) {
            this.root = root;
        }

        @Override
        public Running start(Job job, Listener listener) {
            jobs.add(job);
            specs.add(job.spec());
            CompletableFuture.runAsync(() -> {
                try {
                    Path to = root.resolve(job.spec().remotePath());
                    Files.createDirectories(to.getParent());
                    Files.copy(job.spec().source(), to, StandardCopyOption.REPLACE_EXISTING);
                    assertEquals(job.spec().size(), Files.size(to));
                    listener.progress(Files.size(to));
                    listener.done(new Delivery(Files.size(to), 0, false));
                } catch (IOException | RuntimeException e) {
                    listener.failed(Failure.of("IO_ERROR", e.toString(), true));
                }
            });
            Running r = why -> { };
            lastRunning = r;
            return r;
        }
    }
}

package fff.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streaming transcode between two real {@code fff run} nodes with the real ffmpeg: IMX30 leaves as H.264 and
 * lands as IMX30 again (4 and 8 channels), the proxy profile makes a small MP4, bad sources and unknown profiles
 * fail clearly, cancelling stops both ffmpegs, and a slow receiving ffmpeg slows the sending one.
 */
class TranscodeIT {

    @TempDir
    static Path media;
    static Path clip4;
    static Path clip8;

    @BeforeAll
    static void makeClips() throws Exception {
        clip4 = Clips.imx30(media.resolve("clip4.mxf"), 4, 4, "easy", "10:00:00:00");
        clip8 = Clips.imx30(media.resolve("clip8.mxf"), 3, 8, "hard", "01:02:03:04");
    }

    @Test
    void imx30AndProxyArriveCompleteAndBadSourcesFailClearly(@TempDir Path dir) throws Exception {
        TwoSites s = new TwoSites(dir);
        Files.createDirectories(s.watch.resolve("video"));
        Files.createDirectories(s.watch.resolve("proxy"));
        Files.createDirectories(s.watch.resolve("odd"));
        // a profile's options are configured alike on both nodes: the receiver checks the height it expects
        try (FffProcess b = s.startReceiver("profiles: {proxy: {height: 288}}"); FffProcess a = s.startSender("""
                profiles:
                  proxy: {height: 288}
                  lowres:
                    send: [-map, "0:v:0", -c:v, libx264, -preset, ultrafast]
                    receive: [-c, copy]
                    output: {format: matroska, extension: mkv}
                watch:
                  - {path: w/video, group: NAS, to: "siteB:video", stable-for: 300ms, profile: imx30}
                  - {path: w/proxy, group: NAS, to: "siteB:proxy", stable-for: 300ms, profile: proxy}
                  - {path: w/odd, group: NAS, to: "siteB:odd", stable-for: 300ms, profile: lowres}
                """)) {
            a.await("watching ");
            Files.copy(clip4, s.watch.resolve("video/clip4.mxf"));
            Files.copy(clip8, s.watch.resolve("video/clip8.mxf"));
            Files.copy(clip4, s.watch.resolve("proxy/p4.mxf"));
            Nodes.randomFile(s.watch.resolve("video/noise.mxf"), 1 << 20, 7);
            Files.copy(clip4, s.watch.resolve("odd/o4.mxf"));

            for (String name : List.of("clip4", "clip8")) {
                Path src = name.equals("clip4") ? clip4 : clip8;
                Path out = s.landing.resolve("video/" + name + ".mxf");
                a.await(l -> l.matches("job \\d+ done NAS " + name + "\\.mxf .*"), Duration.ofSeconds(120));
                JsonNode want = Clips.probe(src);
                JsonNode got = Clips.probe(out);
                JsonNode v = Clips.stream(got, "video");
                assertEquals("mxf", got.get("format").get("format_name").asText());
                assertEquals("mpeg2video", v.get("codec_name").asText());
                assertEquals("4:2:2", v.get("profile").asText());
                assertEquals("yuv422p", v.get("pix_fmt").asText());
                assertEquals(720, v.get("width").asInt());
                assertEquals(608, v.get("height").asInt());
                assertEquals("tt", v.get("field_order").asText());
                assertEquals("25/1", v.get("r_frame_rate").asText());
                assertEquals("30000000", v.get("bit_rate").asText());
                assertEquals(Clips.stream(want, "video").get("nb_read_packets").asText(), v.get("nb_read_packets").asText());
                assertEquals(want.get("format").get("duration").asDouble(), got.get("format").get("duration").asDouble(), 0.04);
                assertEquals(Clips.stream(want, "audio").get("channels").asInt(), Clips.stream(got, "audio").get("channels").asInt());
                assertEquals(Clips.stream(want, "video").get("display_aspect_ratio").asText(), v.get("display_aspect_ratio").asText());
                assertEquals(want.get("format").get("tags").get("timecode").asText(),
                        got.get("format").get("tags").get("timecode").asText());
                assertEquals(Clips.pcmHash(src), Clips.pcmHash(out), "audio must be bit-identical");
                String stored = b.await("video/" + name + ".mxf stored: ");
                long wire = Long.parseLong(stored.replaceAll(".*\\(from (\\d+) bytes on the wire\\).*", "$1"));
                assertTrue(wire < Files.size(src) / 2, "H.264 on the wire: " + wire + " of " + Files.size(src));
            }
            assertEquals(-1L, Files.mismatch(clip4, s.watch.resolve("video/clip4.mxf")), "source untouched");

            a.await(l -> l.matches("job \\d+ done NAS p4\\.mxf .*"), Duration.ofSeconds(60));
            Path proxy = s.landing.resolve("proxy/p4.mp4");
            JsonNode p = Clips.probe(proxy);
            JsonNode pv = Clips.stream(p, "video");
            assertTrue(p.get("format").get("format_name").asText().contains("mp4"));
            assertEquals("h264", pv.get("codec_name").asText());
            assertEquals(288, pv.get("height").asInt());
            assertEquals(384, pv.get("width").asInt(), "4:3 with square pixels");
            assertEquals("100", pv.get("nb_frames").asText());
            assertEquals(2, Clips.stream(p, "audio").get("channels").asInt());
            assertTrue(Files.size(proxy) < Files.size(clip4) / 10, "a proxy is small: " + Files.size(proxy));

            String noise = a.await(l -> l.matches("job \\d+ failed NAS noise\\.mxf .*"), Duration.ofSeconds(60));
            assertTrue(noise.contains("BAD_SOURCE") || noise.contains("cannot read"), noise);
            assertTrue(noise.contains("ffprobe"), noise);
            String odd = a.await(l -> l.matches("job \\d+ failed NAS o4\\.mxf .*"), Duration.ofSeconds(60));
            assertTrue(odd.contains("no profile 'lowres'"), odd);
            assertEquals(0, a.lines().stream().filter(l -> l.matches("job \\d+ retry NAS (noise|o4)\\.mxf .*")
                    && !l.contains("BUSY")).count(), "what cannot succeed is not retried:\n" + a.output());
            assertTrue(Files.exists(s.watch.resolve("video/noise.mxf")));
            assertNoPartials(s.landing);
            a.stop();
            b.stop();
            a.assertNoLeaks();
            b.assertNoLeaks();
        }
    }

    @Test
    void fffSendWithAProfileTranscodesOnTheWayToFffReceive(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        try (FffProcess receiver = Nodes.openReceiver(dir, out)) {
            int port = receiver.awaitListening();
            Nodes.init(dir.resolve("a"));
            try (FffProcess unknown = FffProcess.start("send-unknown", dir.resolve("a"), "send", "--to",
                    "127.0.0.1:" + port, "--profile", "nope", clip4.toString())) {
                assertEquals(2, unknown.waitFor(Duration.ofSeconds(30)), unknown.output());
                assertTrue(unknown.output().contains("unknown profile 'nope' (built-in: [imx30, proxy, h265-mkv, h264-mkv, webp]"),
                        unknown.output());
            }
            try (FffProcess send = FffProcess.start("send", dir.resolve("a"), "send", "--to", "127.0.0.1:" + port,
                    "--dir", "proxies", "--profile", "proxy", clip4.toString())) {
                assertEquals(0, send.waitFor(Duration.ofSeconds(120)), send.output());
                assertTrue(send.output().contains("verified proxies/clip4.mp4 "), send.output());
            }
            JsonNode v = Clips.stream(Clips.probe(out.resolve("proxies/clip4.mp4")), "video");
            assertEquals("h264", v.get("codec_name").asText());
            assertEquals(360, v.get("height").asInt());
            assertEquals("100", v.get("nb_frames").asText());
            receiver.stop();
            receiver.assertNoLeaks();
        }
    }

    @Test
    void aNodeWhoseRulesNeedFfmpegRefusesToStartWithoutIt(@TempDir Path dir) throws Exception {
        TwoSites s = new TwoSites(dir);
        Files.createDirectories(s.watch.resolve("video"));
        Path empty = Files.createDirectories(dir.resolve("no-ffmpeg-here"));
        try (FffProcess a = s.startSender("""
                ffmpeg: {path: "%s"}
                watch:
                  - {path: w/video, group: NAS, to: "siteB:video", profile: imx30}
                """.formatted(empty))) {
            assertTrue(a.waitFor(Duration.ofSeconds(30)) != 0, a.output());
            assertTrue(a.output().contains("watch rules with a profile need ffmpeg: " + empty.resolve("ffmpeg")
                    + " is missing or not executable (ffmpeg.path in the config)"), a.output());
        }
    }

    @Test
    void cancelAndShutdownStopBothFfmpegsAndLeaveNothing(@TempDir Path dir) throws Exception {
        TwoSites s = new TwoSites(dir);
        Files.createDirectories(s.watch.resolve("video"));
        // the slowest x264 preset keeps the transcode running long enough to cancel it in the middle
        try (FffProcess b = s.startReceiver(""); FffProcess a = s.startSender("""
                profiles:
                  imx30: {preset: veryslow}
                watch:
                  - {path: w/video, group: NAS, to: "siteB:video", stable-for: 300ms, profile: imx30}
                """)) {
            a.await("watching ");
            Files.copy(clip4, s.watch.resolve("video/clip4.mxf"));
            a.await(l -> l.matches("job 1 started .*"), Duration.ofSeconds(30));
            List<Long> running = awaitBothFfmpegs(a, b);
            HttpResponse<String> r = s.api("POST", "/api/jobs/1/cancel");
            assertEquals(200, r.statusCode(), r.body());
            long cancelled = System.nanoTime();
            awaitGone(running, cancelled, Duration.ofSeconds(2), "the cancel");
            a.await(l -> l.matches("job 1 cancelled .*"), Duration.ofSeconds(5));
            long partialDeadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!partials(s.landing).isEmpty() && System.nanoTime() < partialDeadline) {
                Thread.sleep(20);
            }
            assertNoPartials(s.landing);
            assertFalse(Files.exists(s.landing.resolve("video/clip4.mxf")));
            String groups = s.api("GET", "/api/groups").body();
            assertTrue(groups.contains("\"running\":0") && !groups.matches("(?s).*\"inUse\":[1-9].*"),
                    "tokens released: " + groups);
            assertEquals(-1L, Files.mismatch(clip4, s.watch.resolve("video/clip4.mxf")), "source untouched");

            // stopping the sending node in the middle of a transcode stops both ffmpegs too
            Files.copy(clip4, s.watch.resolve("video/again.mxf"));
            List<Long> second = awaitBothFfmpegs(a, b);
            long stopping = System.nanoTime();
            Thread stopper = new Thread(() -> {
                try {
                    a.stop(); // SIGTERM, then waits for the JVM to exit
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            stopper.start();
            awaitGone(second, stopping, Duration.ofSeconds(2), "the sending node's SIGTERM");
            stopper.join(30_000);
            long partialsGone = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!partials(s.landing).isEmpty() && System.nanoTime() < partialsGone) {
                Thread.sleep(20);
            }
            assertNoPartials(s.landing);
            b.stop();
        }
    }

    @Test
    void aKilledFfmpegOnEitherSideFailsTheAttemptCleanlyAndTheRetryDelivers(@TempDir Path dir) throws Exception {
        TwoSites s = new TwoSites(dir);
        Files.createDirectories(s.watch.resolve("video"));
        try (FffProcess b = s.startReceiver(""); FffProcess a = s.startSender("""
                jobs: {backoff: 300ms}
                watch:
                  - {path: w/video, group: NAS, to: "siteB:video", stable-for: 300ms, profile: imx30}
                """)) {
            a.await("watching ");
            Files.copy(clip4, s.watch.resolve("video/clip4.mxf"));
            // attempt 1 loses the receiving ffmpeg, attempt 2 the sending one
            for (int round = 1; round <= 2; round++) {
                FffProcess side = round == 1 ? b : a;
                List<Long> attempt = awaitBothFfmpegs(a, b);
                Clips.ffmpegsUnder(side.pid()).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
                awaitCount(a, "job 1 retry .*TRANSCODE_FAILED.*", round);
                awaitGone(attempt, System.nanoTime(), Duration.ofSeconds(5), "the failed attempt");
                awaitCount(a, "job 1 started .*", round + 1);
            }
            a.await(l -> l.matches("job 1 done .*"), Duration.ofSeconds(120));
            JsonNode got = Clips.probe(s.landing.resolve("video/clip4.mxf"));
            assertEquals(Clips.stream(Clips.probe(clip4), "video").get("nb_read_packets").asText(),
                    Clips.stream(got, "video").get("nb_read_packets").asText());
            assertEquals(2, a.lines().stream().filter(l -> l.matches("job 1 retry .*TRANSCODE_FAILED.*")).count(),
                    a.output());
            assertNoPartials(s.landing);
            a.stop();
            b.stop();
        }
    }

    @Test
    void aSlowReceivingFfmpegHoldsBackTheSendingOne(@TempDir Path dir) throws Exception {
        TwoSites s = new TwoSites(dir);
        Files.createDirectories(s.watch.resolve("video"));
        Path clip = Clips.imx30(dir.resolve("clip20.mxf"), 20, 4, "easy", "10:00:00:00");
        // the same profile on both nodes, but the receiving ffmpeg may only go at real time
        String slow = """
                profiles:
                  slow:
                    send: [-map, "0:v:0", -map, "0:a?", -c:v, libx264, -preset, ultrafast, -pix_fmt, yuv422p,
                           -b:v, 8M, -c:a, s302m, -strict, "-2"]
                    receive: [-map, "0:v:0", -map, "0:a?", -vf, realtime, -c:v, libx264, -preset, ultrafast,
                              -c:a, pcm_s24le, -ar, "48000"]
                    output: {format: matroska, extension: mkv}
                    expect: {video-codec: h264, frames: source, duration: source, audio-channels: source}
                """;
        try (FffProcess b = s.startReceiver(slow); FffProcess a = s.startSender(slow + """
                watch:
                  - {path: w/video, group: NAS, to: "siteB:video", stable-for: 300ms, profile: slow}
                """)) {
            a.await("watching ");
            Files.copy(clip, s.watch.resolve("video/clip20.mxf"));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (Clips.ffmpegsUnder(a.pid()).isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "the sending ffmpeg should start:\n" + a.output());
                Thread.sleep(20);
            }
            long started = System.nanoTime();
            long peakRss = 0;
            while (!Clips.ffmpegsUnder(a.pid()).isEmpty()) {
                peakRss = Math.max(peakRss, rssBytes(a.pid()));
                assertTrue(System.nanoTime() - started < Duration.ofSeconds(90).toNanos(), a.output());
                Thread.sleep(50);
            }
            double sendingSeconds = (System.nanoTime() - started) / 1e9;
            a.await(l -> l.matches("job 1 done .*"), Duration.ofSeconds(60));
            // alone, ultrafast runs this 20 s clip in a few seconds; held back by the real-time receiver it cannot
            // finish before the receiver took all but what the window, pipes and socket buffers hold (~6 s here)
            assertTrue(sendingSeconds > 10, "sending ffmpeg ran " + sendingSeconds + " s: not held back");
            assertTrue(peakRss < 600L << 20, "sender RSS " + (peakRss >> 20) + " MiB");
            JsonNode got = Clips.probe(s.landing.resolve("video/clip20.mkv"));
            assertEquals(Clips.stream(Clips.probe(clip), "video").get("nb_read_packets").asText(),
                    Clips.stream(got, "video").get("nb_read_packets").asText(), "no frame dropped");
            a.stop();
            b.stop();
        }
    }

    /** Waits until each node runs an ffmpeg; returns the pids of both. */
    private static List<Long> awaitBothFfmpegs(FffProcess a, FffProcess b) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (Clips.ffmpegsUnder(a.pid()).isEmpty() || Clips.ffmpegsUnder(b.pid()).isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "both ffmpegs should run:\n" + a.output() + b.output());
            Thread.sleep(20);
        }
        return Stream.concat(Clips.ffmpegsUnder(a.pid()).stream(), Clips.ffmpegsUnder(b.pid()).stream()).toList();
    }

    /** Asserts that every process in {@code pids} is gone within {@code max} of {@code sinceNanos}. */
    private static void awaitGone(List<Long> pids, long sinceNanos, Duration max, String after)
            throws InterruptedException {
        while (pids.stream().anyMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))) {
            assertTrue(System.nanoTime() - sinceNanos < max.toNanos(), "ffmpeg processes " + pids
                    + " still there " + max.toMillis() + " ms after " + after);
            Thread.sleep(20);
        }
    }

    /** Waits until {@code p} printed {@code n} lines matching {@code regex}. */
    private static void awaitCount(FffProcess p, String regex, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (p.lines().stream().filter(l -> l.matches(regex)).count() < n) {
            assertTrue(System.nanoTime() < deadline, "expected " + n + " lines like " + regex + ":\n" + p.output());
            Thread.sleep(20);
        }
    }

    private static long rssBytes(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (java.io.IOException gone) {
            // ended meanwhile
        }
        return 0;
    }

    private static List<Path> partials(Path root) throws Exception {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> w = Files.walk(root)) {
            return w.filter(p -> p.getFileName().toString().endsWith(".fff-partial")).toList();
        }
    }

    private static void assertNoPartials(Path root) throws Exception {
        assertEquals(List.of(), partials(root), "partial output left behind");
    }
}

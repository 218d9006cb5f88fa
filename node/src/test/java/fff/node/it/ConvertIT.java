package fff.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole-file conversions on the receiving node between real node processes with the real ffmpeg: an H.264 clip
 * sent with {@code h265-mkv} lands as Matroska with HEVC of the same frame count and duration and its audio
 * kept; a PNG sent with {@code webp} lands as a WebP of the same size; the converting node's limits refuse a
 * file before any of it moves, with the coded reason, and what cannot succeed is not retried.
 */
class ConvertIT {

    @TempDir
    static Path media;
    static Path clip;
    static Path still;

    @BeforeAll
    static void makeMedia() throws Exception {
        clip = media.resolve("clip.mp4");
        run("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2", "-f", "lavfi", "-i",
                "sine=frequency=440:sample_rate=48000:duration=2", "-c:v", "libx264", "-preset", "ultrafast",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-ac", "2", clip.toString());
        still = media.resolve("still.png");
        run("-f", "lavfi", "-i", "testsrc2=size=320x240", "-frames:v", "1", still.toString());
    }

    private static void run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-y"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + said);
    }

    /** Frames (packets read), duration and codecs of a clip as ffprobe counts them. */
    private static void assertSameClip(Path src, Path out, String videoCodec) throws Exception {
        JsonNode want = Clips.probe(src);
        JsonNode got = Clips.probe(out);
        assertTrue(got.get("format").get("format_name").asText().startsWith("matroska"), got.toString());
        JsonNode v = Clips.stream(got, "video");
        assertEquals(videoCodec, v.get("codec_name").asText());
        assertEquals(Clips.stream(want, "video").get("nb_read_packets").asText(), v.get("nb_read_packets").asText(),
                "same frame count");
        assertEquals(want.get("format").get("duration").asDouble(), got.get("format").get("duration").asDouble(), 0.05);
        JsonNode a = Clips.stream(got, "audio");
        assertEquals("aac", a.get("codec_name").asText(), "AAC is kept as it is: Matroska holds it");
        assertEquals(2, a.get("channels").asInt());
    }

    @Test
    void fffSendWithAWholeFileProfileConvertsOnTheReceivingNode(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        try (FffProcess receiver = Nodes.openReceiver(dir, out)) {
            int port = receiver.awaitListening();
            Nodes.init(dir.resolve("a"));
            try (FffProcess send = FffProcess.start("send", dir.resolve("a"), "send", "--to", "127.0.0.1:" + port,
                    "--dir", "hevc", "--profile", "h265-mkv", clip.toString())) {
                assertEquals(0, send.waitFor(Duration.ofSeconds(180)), send.output());
            }
            assertSameClip(clip, out.resolve("hevc/clip.mkv"), "hevc");
            try (FffProcess send = FffProcess.start("send", dir.resolve("a"), "send", "--to", "127.0.0.1:" + port,
                    "--dir", "stills", "--profile", "webp", still.toString())) {
                assertEquals(0, send.waitFor(Duration.ofSeconds(60)), send.output());
            }
            JsonNode w = Clips.stream(Clips.probe(out.resolve("stills/still.webp")), "video");
            assertEquals("webp", w.get("codec_name").asText());
            assertEquals(320, w.get("width").asInt());
            assertEquals(240, w.get("height").asInt());
            assertEquals(List.of(), hidden(out), "no source or partial left at the receiver");
            assertEquals(List.of("hevc/clip.mkv", "stills/still.webp"), visible(out));
            receiver.stop();
            receiver.assertNoLeaks();
        }
    }

    @Test
    void theConvertingNodesLimitsRefuseBeforeAnyPayloadAndNothingIsRetried(@TempDir Path dir) throws Exception {
        TwoSites s = new TwoSites(dir);
        Files.createDirectories(s.watch.resolve("hevc"));
        Files.createDirectories(s.watch.resolve("stills"));
        // the receiving node converts, so its limits decide: 10 KiB is less than the clip
        try (FffProcess b = s.startReceiver("profiles: {h265-mkv: {max-size: 10K, preset: ultrafast}}");
                FffProcess a = s.startSender("""
                watch:
                  - {path: w/hevc, group: NAS, to: "siteB:hevc", stable-for: 300ms, profile: h265-mkv}
                  - {path: w/stills, group: NAS, to: "siteB:stills", stable-for: 300ms, profile: webp}
                """)) {
            a.await("watching ");
            Files.copy(clip, s.watch.resolve("hevc/clip.mp4"));
            Files.writeString(s.watch.resolve("stills/notes.txt"), "not a picture at all\n");
            Files.copy(still, s.watch.resolve("stills/still.png"));

            String big = a.await(l -> l.matches("job \\d+ failed NAS clip\\.mp4 .*"), Duration.ofSeconds(60));
            assertTrue(big.contains("TOO_LARGE") && big.contains("max-size 10 KiB"), big);
            String text = a.await(l -> l.matches("job \\d+ failed NAS notes\\.txt .*"), Duration.ofSeconds(60));
            assertTrue(text.contains("BAD_SOURCE"), text);
            a.await(l -> l.matches("job \\d+ done NAS still\\.png .*"), Duration.ofSeconds(60));
            assertTrue(Files.exists(s.landing.resolve("stills/still.webp")));
            assertFalse(Files.exists(s.landing.resolve("hevc/clip.mkv")));
            assertEquals(0, a.lines().stream().filter(l -> l.matches("job \\d+ retry NAS (clip\\.mp4|notes\\.txt) .*"))
                    .count(), "what cannot succeed is not retried:\n" + a.output());
            assertTrue(b.lines().stream().noneMatch(l -> l.contains("hevc/clip.mkv stored")), b.output());
            assertEquals(-1L, Files.mismatch(clip, s.watch.resolve("hevc/clip.mp4")), "source untouched");
            assertEquals(List.of(), hidden(s.landing));
            a.stop();
            b.stop();
            a.assertNoLeaks();
            b.assertNoLeaks();
        }
    }

    // ---- fff convert --via: converted by another node, the result brought back ----

    @Test
    void convertViaAnotherNodeBringsTheResultsBackAndAnswersRepeatsFromItsStore(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        Path src = Files.createDirectories(dir.resolve("src"));
        Path myClip = Files.copy(clip, src.resolve("clip.mp4"));
        Path myStill = Files.copy(still, src.resolve("still.png"));
        try (FffProcess converter = Nodes.openReceiver(dir, dir.resolve("landing"))) {
            int port = converter.awaitListening();
            Nodes.init(dir.resolve("a"));
            String first = convert(dir, port, 0, "--profile", "h265-mkv", "--out", out.toString(), myClip.toString());
            assertTrue(first.contains("returned " + out.resolve("clip.mkv") + " ") && first.contains(", converted, "
                    + Files.size(myClip) + " source bytes over the link"), first);
            assertSameClip(myClip, out.resolve("clip.mkv"), "hevc");

            String webp = convert(dir, port, 0, "--profile", "webp", myStill.toString());
            assertTrue(webp.contains("returned " + src.resolve("still.webp")), "beside the source: " + webp);
            JsonNode w = Clips.stream(Clips.probe(src.resolve("still.webp")), "video");
            assertEquals("webp", w.get("codec_name").asText());
            assertEquals(320, w.get("width").asInt());
            assertEquals(240, w.get("height").asInt());

            // the same bytes and profile again: answered from the converter's store, no source byte crosses
            byte[] before = Files.readAllBytes(out.resolve("clip.mkv"));
            Files.delete(out.resolve("clip.mkv"));
            String again = convert(dir, port, 0, "--profile", "h265-mkv", "--out", out.toString(), myClip.toString());
            assertTrue(again.contains("from the converter's store, 0 source bytes over the link")
                    && again.contains("0 B of sources sent over the link"), again);
            assertEquals(-1L, java.util.Arrays.mismatch(before, Files.readAllBytes(out.resolve("clip.mkv"))));

            // a changed file is converted anew
            run("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=1", "-f", "lavfi", "-i",
                    "sine=frequency=880:sample_rate=48000:duration=1", "-c:v", "libx264", "-preset", "ultrafast",
                    "-pix_fmt", "yuv420p", "-c:a", "aac", "-ac", "2", myClip.toString());
            String changed = convert(dir, port, 0, "--profile", "h265-mkv", "--out", out.toString(),
                    myClip.toString());
            assertTrue(changed.contains(", converted, " + Files.size(myClip) + " source bytes"), changed);
            assertSameClip(myClip, out.resolve("clip.mkv"), "hevc");

            assertEquals(List.of(), hidden(out), "no partial left here");
            assertEquals(List.of(), files(dir.resolve("b/convert/spool")), "no source left at the converter");
            assertEquals(List.of(), visible(dir.resolve("landing")), "nothing stored in the converter's landing");
            converter.stop();
            converter.assertNoLeaks();
        }
    }

    @Test
    void aConvertersRefusalComesBeforeTheUploadAndCancelStopsItsFfmpeg(@TempDir Path dir) throws Exception {
        TwoSites s = new TwoSites(dir);
        Path out = dir.resolve("out");
        // the slowest x265 preset keeps the conversion running long enough to cancel it in the middle
        try (FffProcess b = s.startReceiver("profiles: {h265-mkv: {preset: placebo}, webp: {max-size: 1K}}")) {
            String refused = convert(dir, b.awaitListening(), 1, "--profile", "webp", "--out", out.toString(),
                    still.toString());
            assertTrue(refused.contains("still.png: TOO_LARGE: ") && refused.contains("max-size 1 KiB"), refused);
            assertTrue(refused.contains("0 B of sources sent over the link"), "refused before the upload: " + refused);

            try (FffProcess a = FffProcess.start("convert", dir.resolve("a"), "convert", "--via",
                    "127.0.0.1:" + b.awaitListening(), "--profile", "h265-mkv", "--out", out.toString(),
                    clip.toString())) {
                a.await(l -> l.contains("converting"), Duration.ofSeconds(60));
                List<Long> ffmpegs = awaitFfmpeg(b);
                a.stop(); // SIGTERM: fff convert cancels what is under way
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (ffmpegs.stream().anyMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive)
                        .orElse(false)) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(ffmpegs.stream().noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive)
                        .orElse(false)), "the converter's ffmpeg outlived the cancel:\n" + b.output());
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while ((!files(dir.resolve("b/convert/spool")).isEmpty() || !files(dir.resolve("b/convert/results"))
                    .isEmpty()) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(List.of(), files(dir.resolve("b/convert/spool")));
            assertEquals(List.of(), files(dir.resolve("b/convert/results")), "no partial or result kept");
            assertEquals(List.of(), files(out), "nothing here either");
            b.stop();
            b.assertNoLeaks();
        }
    }

    // ---- watch rules with via: converted by a peer, the results brought back to out ----

    @Test
    void aWatchRuleWithViaBringsTheResultsBackToItsOutFolder(@TempDir Path dir) throws Exception {
        TwoSites s = new TwoSites(dir);
        Files.createDirectories(s.watch.resolve("in"));
        try (FffProcess b = s.startReceiver("");
                FffProcess a = s.startSender("""
                watch:
                  - {path: w/in, group: NAS, via: siteB, profile: webp, out: results, stable-for: 300ms, after: delete}
                """)) {
            a.await("watching ");
            Path source = Files.copy(still, s.watch.resolve("in/still.png"));
            String done = a.await(l -> l.matches("job \\d+ done NAS still\\.png .*"), Duration.ofSeconds(60));
            Path result = dir.resolve("results/still.webp");
            assertTrue(done.contains("(converted with webp at siteB, returned to " + result + ", "
                    + Files.size(still) + " source bytes sent"), done);
            a.await(l -> l.matches("job \\d+ (done|source) NAS still\\.png .*source deleted.*"),
                    Duration.ofSeconds(10));
            assertFalse(Files.exists(source), "after: delete, once the result is in place");
            JsonNode w = Clips.stream(Clips.probe(result), "video");
            assertEquals("webp", w.get("codec_name").asText());
            assertEquals(320, w.get("width").asInt());
            assertEquals(240, w.get("height").asInt());
            assertEquals(List.of("still.webp"), files(dir.resolve("results")), "no partial left here");
            assertEquals(List.of(), files(s.landing), "nothing stored in the converter's landing");
            a.stop();
            b.stop();
            a.assertNoLeaks();
            b.assertNoLeaks();
        }
    }

    @Test
    void aViaJobCutOffByARestartIsAnsweredFromTheConvertersStoreAfterwards(@TempDir Path dir) throws Exception {
        TwoSites s = new TwoSites(dir);
        Files.createDirectories(s.watch.resolve("in"));
        String rule = """
                watch:
                  - {path: w/in, group: NAS, via: siteB, profile: h265-mkv, out: results, stable-for: 300ms}
                """;
        Path result = dir.resolve("results/clip.mkv");
        // a slow x265 preset keeps siteB converting while siteA stops and starts again
        try (FffProcess b = s.startReceiver("profiles: {h265-mkv: {preset: veryslow}}")) {
            try (FffProcess a = s.startSender(rule)) {
                a.await("watching ");
                Files.copy(clip, s.watch.resolve("in/clip.mp4"));
                a.await(l -> l.matches("job \\d+ started NAS clip\\.mp4 attempt 1"), Duration.ofSeconds(60));
                awaitFfmpeg(b);
                a.stop();
                assertTrue(a.lines().stream().noneMatch(l -> l.matches("job \\d+ (done|failed) .*")), a.output());
            }
            Path store = dir.resolve("b/convert/results");
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (files(store).stream().noneMatch(f -> f.endsWith(".result")) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(1, files(store).stream().filter(f -> f.endsWith(".result")).count(),
                    "siteB finished the conversion into its store:\n" + b.output());
            assertFalse(Files.exists(result), "nothing arrived before the restart");

            try (FffProcess a = s.startSender(rule)) {
                String done = a.await(l -> l.matches("job \\d+ done NAS clip\\.mp4 .*"), Duration.ofSeconds(60));
                assertTrue(done.contains("(answered from the converter's store at siteB, returned to " + result
                        + ", 0 source bytes sent)"), "no source byte the second time: " + done);
                assertTrue(a.output().contains("resuming jobs from the journal: {NAS=1}"), a.output());
                assertSameClip(clip, result, "hevc");
                Thread.sleep(1000); // the watcher sees the source again: the job it has already is enough
                String id = done.split(" ")[1];
                assertEquals(List.of(done), a.lines().stream().filter(l -> l.matches("job \\d+ done .*")).toList(),
                        "the result arrives once:\n" + a.output());
                assertTrue(a.lines().stream().filter(l -> l.matches("job \\d+ queued .*"))
                        .allMatch(l -> l.startsWith("job " + id + " ")), "no second job:\n" + a.output());
                a.stop();
                a.assertNoLeaks();
            }
            assertEquals(List.of("clip.mkv"), files(dir.resolve("results")), "no partial left here");
            assertEquals(List.of(), files(s.landing), "nothing stored in the converter's landing");
            b.stop();
            b.assertNoLeaks();
        }
    }

    /** Runs {@code fff convert --via 127.0.0.1:PORT ARGS} with the home {@code dir/a}; its output. */
    private static String convert(Path dir, int port, int exit, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("convert", "--via", "127.0.0.1:" + port));
        all.addAll(List.of(args));
        try (FffProcess p = FffProcess.start("convert", dir.resolve("a"), all.toArray(String[]::new))) {
            assertEquals(exit, p.waitFor(Duration.ofSeconds(180)), p.output());
            return p.output();
        }
    }

    /** The ffmpeg processes under {@code node} once there is one. */
    private static List<Long> awaitFfmpeg(FffProcess node) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            List<Long> found = Clips.ffmpegsUnder(node.pid());
            if (!found.isEmpty()) {
                return found;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no ffmpeg under the converting node:\n" + node.output());
    }

    /** Files whose name starts with a dot (sources, partials) under {@code root}. */
    static List<String> hidden(Path root) throws Exception {
        return files(root).stream().filter(p -> p.substring(p.lastIndexOf('/') + 1).startsWith(".")).toList();
    }

    static List<String> visible(Path root) throws Exception {
        return files(root).stream().filter(p -> !p.substring(p.lastIndexOf('/') + 1).startsWith(".")).toList();
    }

    private static List<String> files(Path root) throws Exception {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> w = Files.walk(root)) {
            return w.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }
}

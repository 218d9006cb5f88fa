package fff.node.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import fff.common.testing.Vsftpd;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real {@code fff run} nodes and a real vsftpd on loopback: watched files (and a clip transcoded on the node)
 * go to an FTP destination; an FTP folder is a source whose files are pulled once, complete, relayed to a peer
 * node, and deleted on the server only after the peer verified them.
 */
class FtpIT {

    @Test
    void watchedFilesGoToAnFtpServerAndAClipIsTranscodedBeforeTheUpload(@TempDir Path dir) throws Exception {
        Nodes.init(dir.resolve("a"));
        Path staging = Files.createDirectories(dir.resolve("staging"));
        Path watch = Files.createDirectories(dir.resolve("w"));
        Path video = Files.createDirectories(dir.resolve("v"));
        try (Vsftpd ftp = Vsftpd.start(false)) {
            Path conf = Files.writeString(dir.resolve("a.yaml"), """
                    node: {home: a}
                    web: {listen: "127.0.0.1:0"}
                    destinations:
                      archive: {ftp: "%s"}
                    watch:
                      - {path: w, to: "archive:drop/", stable-for: 200ms, after: delete}
                      - {path: v, to: "archive:proxies/", stable-for: 200ms, profile: proxy}
                    jobs: {backoff: 300ms}
                    """.formatted(ftp.url(ftp.writableDir())));
            for (int i = 0; i < 3; i++) {
                Nodes.randomFile(staging.resolve("drop").resolve(i == 2 ? "day1/c.bin" : "f" + i + ".bin"),
                        300_000L * (i + 1), 40 + i);
            }
            Path expected = dir.resolve("expected");
            copyTree(staging.resolve("drop"), expected);
            Path clip = Clips.imx30(staging.resolve("clip.mxf"), 2, 4, "easy", "10:00:00:00");
            try (FffProcess a = FffProcess.startWithoutHome("ftp-a", List.of(), "run", "--config", conf.toString())) {
                a.await("watching ");
                Files.move(staging.resolve("drop"), watch.resolve("drop"));
                Files.move(clip, video.resolve("clip.mxf"));
                Path landed = ftp.writable().resolve("drop");
                assertEquals(3, WatchJobsIT.waitForTree(expected, landed.resolve("drop"), a, Duration.ofSeconds(30)));
                a.await(l -> WatchJobsIT.countDone(a) == 4, Duration.ofSeconds(60));
                await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(watch.resolve("drop/f0.bin")));
                try (Stream<Path> left = Files.walk(watch)) {
                    assertEquals(List.of(), left.filter(Files::isRegularFile).toList(),
                            "after: delete removed every source once the server had it");
                }
                JsonNode proxy = Clips.probe(ftp.writable().resolve("proxies/clip.mp4"));
                assertEquals("h264", Clips.stream(proxy, "video").path("codec_name").asText(), proxy.toString());
                assertEquals(360, Clips.stream(proxy, "video").path("height").asInt(), proxy.toString());
                assertEquals(50, Clips.stream(proxy, "video").path("nb_read_packets").asInt(), proxy.toString());
                try (Stream<Path> all = Files.walk(ftp.writable())) {
                    assertEquals(List.of(), all.filter(p -> p.getFileName().toString().contains("fff-part")).toList(),
                            "no temporary upload names left on the server");
                }
                try (Stream<Path> work = Files.walk(dir.resolve("a/work"))) {
                    assertEquals(List.of(), work.filter(Files::isRegularFile).toList(), "transcode work cleaned up");
                }
                a.stop();
                a.assertNoLeaks();
            }
        }
    }

    @Test
    void anFtpSourceIsPulledOnceAndDeletedOnlyAfterThePeerVerifiedIt(@TempDir Path dir) throws Exception {
        TwoSites sites = new TwoSites(dir);
        try (Vsftpd ftp = Vsftpd.start(false)) {
            byte[] clip = new byte[3_000_000];
            new java.util.Random(5).nextBytes(clip);
            Path remoteClip = ftp.writable().resolve("clip.mxf");
            Path remoteWav = ftp.writable().resolve("take.wav");
            try (FffProcess a = sites.startSender("""
                    sources:
                      - {name: cam, ftp: "%s", poll: 1s, to: "siteB:clips/", after: delete}
                    jobs: {backoff: 300ms}
                    """.formatted(ftp.url(ftp.writableDir())))) {
                a.await("polling ");
                Files.write(remoteWav, java.util.Arrays.copyOf(clip, 1000));
                // written slowly across several polls, never pausing for a whole poll interval
                try (OutputStream out = Files.newOutputStream(remoteClip)) {
                    for (int i = 0; i < 10; i++) {
                        out.write(clip, i * 300_000, 300_000);
                        out.flush();
                        Thread.sleep(400);
                    }
                }
                a.await(l -> l.contains("pulled /in/clip.mxf"), Duration.ofSeconds(20));
                a.await(l -> l.contains("pulled /in/take.wav"), Duration.ofSeconds(20));
                Thread.sleep(2500); // more polls while siteB is down: nothing is pulled again or deleted
                assertTrue(Files.exists(remoteClip) && Files.exists(remoteWav),
                        "kept on the server while the relay waits for siteB:\n" + a.output());

                try (FffProcess b = sites.startReceiver("")) {
                    Path landed = sites.landing.resolve("clips/clip.mxf");
                    Nodes.awaitSize(landed, clip.length, a, Duration.ofSeconds(30));
                    assertArrayEquals(clip, Files.readAllBytes(landed));
                    await().atMost(Duration.ofSeconds(15)).until(() -> !Files.exists(remoteClip)
                            && !Files.exists(remoteWav));
                    assertArrayEquals(java.util.Arrays.copyOf(clip, 1000),
                            Files.readAllBytes(sites.landing.resolve("clips/take.wav")));
                    assertEquals(1, a.lines().stream().filter(l -> l.contains("pulled /in/clip.mxf")).count(),
                            "pulled once, when complete:\n" + a.output());
                    assertEquals(3_000_000L + "", a.lines().stream().filter(l -> l.contains("pulled /in/clip.mxf"))
                            .findFirst().orElseThrow().replaceAll(".*\\((\\d+) bytes.*", "$1"));
                    a.await(l -> l.contains("deleted /in/clip.mxf on the server"), Duration.ofSeconds(5));
                    String scrape = sites.api("GET", "/metrics").body();
                    assertTrue(scrape.contains("fff_source_pulled_files_total{source=\"cam\"} 2.0"), scrape);
                    assertTrue(scrape.contains("fff_source_pulled_bytes_total{source=\"cam\"} 3001000.0"), scrape);
                    try (Stream<Path> staged = Files.walk(dir.resolve("a/staging"))) {
                        assertEquals(List.of(), staged.filter(Files::isRegularFile).toList(), "staging emptied");
                    }
                    b.stop();
                }
                a.stop();
                a.assertNoLeaks();
            }
        }
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                Files.createDirectories(t.getParent());
                Files.copy(p, t);
            }
        }
    }
}

package fff.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.hash.ContentHasher;
import fff.common.hash.FileDigests;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code fff run} node whose watch rule goes to a {@code local} destination (the "Backups(1)" case of
 * issue #6): files land byte-identical with their mtime, and a node killed with SIGKILL mid-file leaves only the
 * partial, which the restarted node continues and verifies.
 */
class LocalMoverIT {

    private static final long BIG = 600L << 20;
    private static final long KILL_AT = 64L << 20;

    @Test
    void watchedFilesLandOnTheLocalDestinationAndAKilledCopyResumes(@TempDir Path dir) throws Exception {
        Nodes.init(dir.resolve("a"));
        Path watch = Files.createDirectories(dir.resolve("w"));
        Path staging = Files.createDirectories(dir.resolve("staging"));
        Path usb = Files.createDirectories(dir.resolve("usb"));
        Path backup = usb.resolve("backup");
        Path conf = Files.writeString(dir.resolve("a.yaml"), """
                node: {home: a}
                groups: {total: {limit: 4, children: {Backups: {limit: 1}}}}
                destinations:
                  usb: {local: usb}
                watch:
                  - {path: w, group: Backups, to: "usb:backup/", stable-for: 200ms}
                jobs: {backoff: 300ms}
                """);

        // (1) a few files, one in a sub-folder
        for (int i = 0; i < 4; i++) {
            Path f = staging.resolve("small").resolve(i == 3 ? "sub/f3.bin" : "f" + i + ".bin");
            Nodes.randomFile(f, 100_000L * (i + 1) + i, 500 + i);
            Files.setLastModifiedTime(f, FileTime.fromMillis(1_500_000_000_000L + i * 1_001L));
        }
        Path big = staging.resolve("big.bin");
        Nodes.randomFile(big, BIG, 77);
        try (FffProcess a = start(conf, 1)) {
            a.await("watching ");
            Files.move(staging.resolve("small"), watch.resolve("small"));
            assertEquals(4, WatchJobsIT.waitForTree(watch.resolve("small"), backup.resolve("small"), a,
                    Duration.ofSeconds(30)));
            a.await(l -> WatchJobsIT.countDone(a) == 4, Duration.ofSeconds(10));
            try (Stream<Path> s = Files.walk(watch.resolve("small"))) {
                for (Path f : s.filter(Files::isRegularFile).toList()) {
                    Path landed = backup.resolve("small").resolve(watch.resolve("small").relativize(f).toString());
                    assertEquals(Files.getLastModifiedTime(f).toMillis(), Files.getLastModifiedTime(landed).toMillis(),
                            "mtime of " + landed);
                }
            }

            // (2) the big one: SIGKILL while it is being copied
            Files.move(big, watch.resolve("big.bin"));
            Nodes.awaitSize(backup.resolve(".big.bin.fff-partial"), KILL_AT, a, Duration.ofSeconds(30));
            a.kill9();
        }
        Path partial = backup.resolve(".big.bin.fff-partial");
        assertFalse(Files.exists(backup.resolve("big.bin")), "nothing at the final path before verification");
        long kept = Files.size(partial);
        assertTrue(kept >= KILL_AT && kept < BIG, "partial kept: " + kept);

        try (FffProcess a = start(conf, 2)) {
            String done = a.await(l -> l.matches("job \\d+ done Backups big\\.bin .*"), Duration.ofSeconds(60));
            Matcher m = Pattern.compile("resumed at (\\d+)").matcher(done);
            assertTrue(m.find(), "the job says it was resumed: " + done + "\n" + a.output());
            long resumedAt = Long.parseLong(m.group(1));
            assertTrue(resumedAt > 0 && resumedAt <= kept && resumedAt % ContentHasher.BLOCK_SIZE == 0,
                    "resumed at " + resumedAt + " of a " + kept + "-byte partial");
            assertEquals(digest(watch.resolve("big.bin")), digest(backup.resolve("big.bin")));
            assertEquals(Files.getLastModifiedTime(watch.resolve("big.bin")).toMillis(),
                    Files.getLastModifiedTime(backup.resolve("big.bin")).toMillis());
            assertFalse(Files.exists(partial));
            assertEquals(0, a.lines().stream().filter(l -> l.matches("job \\d+ queued .*small.*")).count(),
                    "delivered files are not queued again:\n" + a.output());
            a.stop();
            a.assertNoLeaks();
        }
        assertEquals(5, Nodes.assertSameTree(watch, backup));
    }

    private static FffProcess start(Path conf, int round) throws IOException {
        return FffProcess.startWithoutHome("local-" + round, List.of(), "run", "--config", conf.toString());
    }

    private static String digest(Path file) throws IOException {
        ContentHasher h = new ContentHasher();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            FileDigests.feed(ch, h, ch.size());
        }
        return ContentHasher.hex(h.digest());
    }
}

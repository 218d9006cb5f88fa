package fff.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code fff run} nodes on loopback: the sending node watches folders, turns stable files into jobs under
 * a group tree and moves them; the receiving node admits them through its own tree. Concurrency limits,
 * slowly written files, kill -9 of the sender and an offline receiver, all with real processes.
 */
class WatchJobsIT {

    /** The sender's tree: total(6) → outbound(4) → NAS(3), Backups(1); total(6) → VidServer(3). */
    static final Map<String, String> PARENT = Map.of("outbound", "total", "NAS", "outbound", "Backups", "outbound",
            "VidServer", "total");
    static final Map<String, Integer> LIMIT = Map.of("total", 6, "outbound", 4, "NAS", 3, "Backups", 1,
            "VidServer", 3);
    static final String SENDER_GROUPS = """
            groups:
              total:
                limit: 6
                children:
                  outbound: {limit: 4, children: {NAS: {limit: 3}, Backups: {limit: 1}}}
                  VidServer: {limit: 3}
            """;

    @Test
    void sixtyFilesInThreeFoldersNeverExceedAnyLimitAndReachEach(@TempDir Path dir) throws Exception {
        Sites s = new Sites(dir, 6);
        Path staging = dir.resolve("staging");
        String[] folders = {"nas", "backups", "video"};
        for (String f : folders) {
            for (int i = 0; i < 20; i++) {
                Nodes.randomFile(staging.resolve(f).resolve("f" + i + ".bin"), 3L << 20, f.hashCode() * 100L + i);
            }
        }
        try (FffProcess b = s.startReceiver(); FffProcess a = s.startSender(1, """
                watch:
                  - {path: w/nas, group: NAS, to: "siteB:nas", stable-for: 500ms}
                  - {path: w/backups, group: Backups, to: "siteB:backups", stable-for: 500ms}
                  - {path: w/video, group: VidServer, to: "siteB:video", stable-for: 500ms}
                """)) {
            Map<String, Integer> partialMax = new ConcurrentHashMap<>();
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread sampler = new Thread(() -> samplePartials(s.landing, folders, partialMax, sampling));
            sampler.start();
            for (String f : folders) { // all 60 appear within moments: renames only
                for (int i = 0; i < 20; i++) {
                    Files.move(staging.resolve(f).resolve("f" + i + ".bin"), s.watch.resolve(f).resolve("f" + i + ".bin"));
                }
            }
            for (String f : folders) {
                for (int i = 0; i < 20; i++) {
                    Nodes.awaitSize(s.landing.resolve(f).resolve("f" + i + ".bin"), 3L << 20, a, Duration.ofSeconds(120));
                }
            }
            a.await(l -> countDone(a) == 60, Duration.ofSeconds(60));
            sampling.set(false);
            sampler.join();
            for (String f : folders) {
                assertEquals(20, Nodes.assertSameTree(s.watch.resolve(f), s.landing.resolve(f)));
            }
            Map<String, Integer> max = maxConcurrency(a.lines());
            for (var e : LIMIT.entrySet()) {
                assertEquals(e.getValue(), max.get(e.getKey()), "group " + e.getKey() + " must reach exactly its "
                        + "limit while there is work: " + max + "\n" + a.output());
            }
            // seen independently at the receiver: partial files open at once per folder
            assertTrue(partialMax.getOrDefault("nas", 0) <= 3, partialMax.toString());
            assertTrue(partialMax.getOrDefault("backups", 0) <= 1, partialMax.toString());
            assertTrue(partialMax.getOrDefault("video", 0) <= 3, partialMax.toString());
            assertTrue(partialMax.getOrDefault("all", 0) <= 6, partialMax.toString());
            assertEquals(60, a.lines().stream().filter(l -> l.matches("job \\d+ queued .*")).count(),
                    "each file queued once");
            a.stop();
            b.stop();
            a.assertNoLeaks();
            b.assertNoLeaks();
        }
    }

    @Test
    void aFullReceiverSaysBusyAndTheSenderWaitsHoldingNothing(@TempDir Path dir) throws Exception {
        Sites s = new Sites(dir, 1); // the receiver admits one file at a time through its inbound(1)
        for (int i = 0; i < 8; i++) {
            Nodes.randomFile(s.dir.resolve("staging").resolve("b" + i + ".bin"), 4L << 20, 300 + i);
        }
        try (FffProcess b = s.startReceiver(); FffProcess a = s.startSender(1, """
                watch:
                  - {path: w/in, group: NAS, to: "siteB:in", stable-for: 300ms}
                """)) {
            a.await("watching ");
            Map<String, Integer> partialMax = new ConcurrentHashMap<>();
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread sampler = new Thread(() -> samplePartials(s.landing, new String[] {"in"}, partialMax, sampling));
            sampler.start();
            for (int i = 0; i < 8; i++) {
                Files.move(s.dir.resolve("staging").resolve("b" + i + ".bin"), s.watch.resolve("in").resolve("b" + i + ".bin"));
            }
            assertEquals(8, waitForTree(s.watch.resolve("in"), s.landing.resolve("in"), a, Duration.ofSeconds(120)));
            sampling.set(false);
            sampler.join();
            assertTrue(partialMax.getOrDefault("in", 0) <= 1, partialMax.toString());
            long busy = a.lines().stream().filter(l -> l.matches("job \\d+ retry NAS .*BUSY.*")).count();
            assertTrue(busy >= 1, "NAS(3) offers more than inbound(1) admits:\n" + a.output());
            assertTrue(busy <= 60, "busy retries wait for the receiver's retry-after, they do not spin: " + busy);
            assertEquals(8, countDone(a));
            a.stop();
            b.stop();
        }
    }

    @Test
    void mirroredRenamesAndDeletesHappenAtThePeerWithoutResending(@TempDir Path dir) throws Exception {
        Sites s = new Sites(dir, 6);
        Path in = s.watch.resolve("in");
        Nodes.randomFile(in.resolve("sub").resolve("take1.mxf"), 5L << 20, 91);
        Nodes.randomFile(in.resolve("other.bin"), 1000, 92);
        try (FffProcess b = s.startReceiver(); FffProcess a = s.startSender(1, """
                watch:
                  - {path: w/in, group: NAS, to: "siteB:in", stable-for: 300ms, mirror: [renames, deletes]}
                """)) {
            Path landed = s.landing.resolve("in");
            assertEquals(2, waitForTree(in, landed, a, Duration.ofSeconds(60)));
            Files.move(in.resolve("sub").resolve("take1.mxf"), in.resolve("sub").resolve("final.mxf"));
            b.await("renamed in/sub/take1.mxf -> in/sub/final.mxf");
            assertTrue(Files.notExists(landed.resolve("sub").resolve("take1.mxf")));
            assertEquals(-1L, Files.mismatch(in.resolve("sub").resolve("final.mxf"), landed.resolve("sub").resolve("final.mxf")));
            Files.delete(in.resolve("other.bin"));
            b.await("removed in/other.bin");
            assertTrue(Files.notExists(landed.resolve("other.bin")));
            assertEquals(2, b.lines().stream().filter(l -> l.startsWith("received ")).count(),
                    "nothing was sent again:\n" + b.output());
            a.stop();
            b.stop();
        }
    }

    @Test
    void aFileWrittenSlowlyIsSentOnceComplete(@TempDir Path dir) throws Exception {
        Sites s = new Sites(dir, 6);
        try (FffProcess b = s.startReceiver(); FffProcess a = s.startSender(1, """
                watch:
                  - {path: w/in, group: NAS, to: "siteB:in", stable-for: 1s}
                """)) {
            Path slow = s.watch.resolve("in").resolve("slow.mxf");
            Random rnd = new Random(5);
            byte[] chunk = new byte[256 << 10];
            try (OutputStream out = Files.newOutputStream(slow)) {
                for (int i = 0; i < 25; i++) { // 6.4 MB over about 3.75 s, a write every 150 ms
                    rnd.nextBytes(chunk);
                    out.write(chunk);
                    out.flush();
                    Thread.sleep(150);
                }
            }
            a.await(l -> l.matches("job \\d+ done NAS slow\\.mxf .*"), Duration.ofSeconds(60));
            assertEquals(Files.mismatch(slow, s.landing.resolve("in").resolve("slow.mxf")), -1L);
            Thread.sleep(2_000); // two more stability windows: nothing else may be queued
            assertEquals(1, a.lines().stream().filter(l -> l.matches("job \\d+ queued .*slow\\.mxf.*")).count(),
                    a.output());
            assertEquals(1, b.lines().stream().filter(l -> l.startsWith("received in/slow.mxf")).count(), b.output());
            a.stop();
            b.stop();
        }
    }

    @Test
    void killingTheSenderAtRandomMomentsLosesNoJobAndSendsNoFileTwice(@TempDir Path dir) throws Exception {
        Sites s = new Sites(dir, 6);
        Path src = s.watch.resolve("bulk");
        Random rnd = new Random(42);
        for (int i = 0; i < 100; i++) {
            long size = i % 10 == 0 ? 24L << 20 : 1 + rnd.nextInt(3 << 20);
            Nodes.randomFile(src.resolve("d" + (i % 4)).resolve("f" + i + ".bin"), size, 1000 + i);
        }
        String rule = """
                watch:
                  - {path: w/bulk, group: NAS, to: "siteB:bulk", stable-for: 300ms}
                """;
        try (FffProcess b = s.startReceiver()) {
            for (int round = 1; round <= 3; round++) {
                try (FffProcess a = s.startSender(round, rule)) {
                    a.await("watching ");
                    Thread.sleep(300 + rnd.nextInt(1_500)); // a random moment: mid-file, between files, or after

                    a.kill9();
                }
            }
            try (FffProcess a = s.startSender(4, rule)) {
                assertEquals(100, waitForTree(src, s.landing.resolve("bulk"), a, Duration.ofSeconds(120)));
                a.stop();
            }
            Map<String, Integer> received = new HashMap<>();
            Pattern p = Pattern.compile("received (bulk/\\S+) \\((.*)");
            for (String l : b.lines()) {
                Matcher m = p.matcher(l);
                if (m.lookingAt() && !l.contains("already present")) {
                    received.merge(m.group(1), 1, Integer::sum);
                }
            }
            assertEquals(100, received.size(), b.output());
            received.forEach((path, n) -> assertEquals(1, n, path + " was written more than once:\n" + b.output()));
            // one more start: the journal knows every file was delivered, so nothing is queued again
            try (FffProcess a = s.startSender(5, rule)) {
                a.await("watching ");
                Thread.sleep(3_000);
                assertEquals(0, a.lines().stream().filter(l -> l.matches("job \\d+ (queued|started) .*")).count(),
                        a.output());
                a.stop();
            }
            b.stop();
        }
    }

    @Test
    void jobsWaitForAnOfflinePeerWithoutSpinningAndGoWhenItReturns(@TempDir Path dir) throws Exception {
        Sites s = new Sites(dir, 6);
        for (int i = 0; i < 10; i++) {
            Nodes.randomFile(s.watch.resolve("in").resolve("o" + i + ".bin"), 1L << 20, 70 + i);
        }
        try (FffProcess a = s.startSender(1, """
                watch:
                  - {path: w/in, group: NAS, to: "siteB:in", stable-for: 300ms}
                """)) {
            a.await("is offline");
            Thread.sleep(1_000);
            long cpu0 = cpuMillis(a.pid());
            Thread.sleep(5_000);
            long cpu = cpuMillis(a.pid()) - cpu0;
            assertTrue(cpu < 500, "waiting for an offline peer used " + cpu + " ms of CPU in 5 s");
            assertEquals(0, countDone(a));
            try (FffProcess b = s.startReceiver()) {
                assertEquals(10, waitForTree(s.watch.resolve("in"), s.landing.resolve("in"), a, Duration.ofSeconds(90)));
                a.await("is online");
                b.stop();
            }
            a.stop();
            a.assertNoLeaks();
        }
    }

    @Test
    void aSecondNodeOnTheSameHomeIsRefused(@TempDir Path dir) throws Exception {
        Sites s = new Sites(dir, 6);
        String rule = """
                watch:
                  - {path: w/in, group: NAS, to: "siteB:in", stable-for: 300ms}
                """;
        try (FffProcess a = s.startSender(1, rule)) {
            a.await("watching ");
            try (FffProcess again = s.startSender(2, rule)) {
                assertEquals(1, again.waitFor(Duration.ofSeconds(30)), again.output());
                assertTrue(again.output().contains("another fff node is running with home"), again.output());
            }
            assertTrue(a.isAlive());
            a.stop();
        }
    }

    // ---- helpers ----

    /** Two node homes and configs under {@code dir}: siteA sends from {@code dir/w}, siteB lands in {@code dir/landing}. */
    static final class Sites {
        final Path dir;
        final Path watch;
        final Path landing;
        final String aId;
        final String bId;
        final int port;
        final int inbound;

        Sites(Path dir, int inbound) throws Exception {
            this.dir = dir;
            this.watch = dir.resolve("w");
            this.landing = dir.resolve("landing");
            this.aId = Nodes.init(dir.resolve("a"));
            this.bId = Nodes.init(dir.resolve("b"));
            this.port = Nodes.freePort();
            this.inbound = inbound;
            Files.createDirectories(watch.resolve("nas"));
            Files.createDirectories(watch.resolve("backups"));
            Files.createDirectories(watch.resolve("video"));
            Files.createDirectories(watch.resolve("in"));
            Files.createDirectories(watch.resolve("bulk"));
        }

        FffProcess startReceiver() throws Exception {
            Path conf = Files.writeString(dir.resolve("b.yaml"), """
                    node: {home: b, listen: "127.0.0.1:%d"}
                    groups: {total: {limit: 16, children: {inbound: {limit: %d}}}}
                    receive: {root: landing, allow: ["%s"], reserve: 0, group: inbound}
                    """.formatted(port, inbound, aId));
            FffProcess b = FffProcess.startWithoutHome("siteB", List.of(), "run", "--config", conf.toString());
            b.awaitListening();
            return b;
        }

        FffProcess startSender(int round, String watchRules) throws Exception {
            Path conf = Files.writeString(dir.resolve("a.yaml"), """
                    node: {home: a}
                    %s
                    destinations:
                      siteB: {peer: "127.0.0.1:%d", id: "%s"}
                    %s
                    """.formatted(SENDER_GROUPS, port, bId, watchRules));
            return FffProcess.startWithoutHome("siteA-" + round, List.of(), "run", "--config", conf.toString());
        }
    }

    static long countDone(FffProcess p) {
        return p.lines().stream().filter(l -> l.matches("job \\d+ done .*")).count();
    }

    /** Waits until {@code actual} holds every file of {@code expected}, identical; returns the file count. */
    static int waitForTree(Path expected, Path actual, FffProcess watched, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Path> files;
        try (Stream<Path> w = Files.walk(expected)) {
            files = w.filter(Files::isRegularFile).toList();
        }
        for (Path f : files) {
            Path target = actual.resolve(expected.relativize(f).toString());
            Nodes.awaitSize(target, Files.size(f), watched, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        }
        return Nodes.assertSameTree(expected, actual);
    }

    /** Highest number of jobs running at once per group (counting descendants), from the job lines in order. */
    static Map<String, Integer> maxConcurrency(List<String> lines) {
        Pattern p = Pattern.compile("job (\\d+) (started|done|retry|failed|cancelled) (\\S+) .*");
        Map<String, Integer> now = new HashMap<>();
        Map<String, Integer> max = new HashMap<>();
        Map<String, String> runningGroup = new HashMap<>();
        for (String l : lines) {
            Matcher m = p.matcher(l);
            if (!m.matches()) {
                continue;
            }
            String id = m.group(1);
            int delta;
            String group;
            if (m.group(2).equals("started")) {
                group = m.group(3);
                runningGroup.put(id, group);
                delta = 1;
            } else {
                group = runningGroup.remove(id);
                if (group == null) {
                    continue; // a queued job cancelled or given up without running
                }
                delta = -1;
            }
            for (String g = group; g != null; g = PARENT.get(g)) {
                int v = now.merge(g, delta, Integer::sum);
                max.merge(g, v, Math::max);
            }
        }
        return max;
    }

    /** Counts partial files per landing folder until told to stop; records the highest counts seen. */
    static void samplePartials(Path landing, String[] folders, Map<String, Integer> max, AtomicBoolean go) {
        while (go.get()) {
            int all = 0;
            for (String f : folders) {
                int n = 0;
                try (Stream<Path> s = Files.list(landing.resolve(f))) {
                    n = (int) s.filter(x -> x.getFileName().toString().endsWith(".fff-partial")).count();
                } catch (IOException e) {
                    // folder not there yet, or a file renamed while listed
                }
                max.merge(f, n, Math::max);
                all += n;
            }
            max.merge("all", all, Math::max);
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** User plus system CPU time of a process so far, from /proc (clock ticks of 10 ms). */
    static long cpuMillis(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    }
}

package fff.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.identity.KnownPeers;
import fff.common.identity.NodeIdentity;
import fff.common.wire.HostPort;
import fff.sender.PeerClient;
import fff.sender.PeerTarget;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/** Shared steps of the end-to-end suites: identities, sample trees, tree comparison. */
final class Nodes {

    private Nodes() {}

    /** Runs {@code fff init} in {@code home} and returns the printed node ID. */
    static String init(Path home) throws Exception {
        try (FffProcess p = FffProcess.start("init", home, "init")) {
            String line = p.await("node ID: ");
            assertEquals(0, p.waitFor(Duration.ofSeconds(30)), p.output());
            return line.substring(line.indexOf("node ID: ") + 9).trim();
        }
    }

    /**
     * A receiver with home {@code dir/b} landing in {@code dir/out} that allows only {@code senderId}, on an
     * ephemeral loopback port, no free-space reserve.
     */
    static FffProcess receiver(Path dir, String senderId) throws IOException {
        return FffProcess.start("receiver", dir.resolve("b"), "receive", "--listen", "127.0.0.1:0", "--dir",
                dir.resolve("out").toString(), "--allow", senderId, "--reserve", "0");
    }

    /** A receiver with a new home in {@code dir/b} landing in {@code out} that admits any sender, no reserve. */
    static FffProcess openReceiver(Path dir, Path out) throws Exception {
        init(dir.resolve("b"));
        return FffProcess.start("receiver", dir.resolve("b"), "receive", "--listen", "127.0.0.1:0", "--dir",
                out.toString(), "--allow-any", "--reserve", "0");
    }

    /**
     * An in-process client with a new identity in {@code dir/a} for the receiver at {@code port}, trusting it on
     * first use; 3 attempts per file, 1 reconnect.
     */
    static PeerClient client(Path dir, int port) throws IOException {
        NodeIdentity me = NodeIdentity.create(dir.resolve("a"));
        PeerTarget target = new PeerTarget(new HostPort("127.0.0.1", port), false, null,
                KnownPeers.in(dir.resolve("a")), 3, 1);
        return new PeerClient(target, me, 1);
    }

    static void randomFile(Path file, long size, long seed) throws IOException {
        Files.createDirectories(file.getParent());
        Random rnd = new Random(seed);
        byte[] buf = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; ) {
                rnd.nextBytes(buf);
                int n = (int) Math.min(buf.length, left);
                out.write(buf, 0, n);
                left -= n;
            }
        }
    }

    /** Every file and directory under {@code expected} is present and byte-identical under {@code actual}. */
    static int assertSameTree(Path expected, Path actual) throws IOException {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(expected)) {
            walk.forEach(all::add);
        }
        int files = 0;
        for (Path e : all) {
            Path a = actual.resolve(expected.relativize(e).toString());
            if (Files.isDirectory(e)) {
                assertTrue(Files.isDirectory(a), "directory missing: " + a);
            } else {
                assertTrue(Files.isRegularFile(a), "file missing: " + a);
                assertEquals(-1L, Files.mismatch(e, a), "content differs: " + a);
                files++;
            }
        }
        try (Stream<Path> walk = Files.walk(actual)) {
            List<Path> partials = walk.filter(p -> p.getFileName().toString().endsWith(".fff-partial")).toList();
            assertTrue(partials.isEmpty(), "partials left behind: " + partials);
        }
        return files;
    }

    /** The number in "..., N sent over the link" is not printed exactly; read the per-file line instead. */
    static long bytesOverLink(String verifiedLine) {
        String marker = " bytes over the link";
        int end = verifiedLine.indexOf(marker);
        int start = verifiedLine.lastIndexOf(' ', end - 1) + 1;
        return Long.parseLong(verifiedLine.substring(start, end));
    }

    /** Waits until {@code file} exists with at least {@code atLeast} bytes; fails with {@code watched}'s output. */
    static void awaitSize(Path file, long atLeast, FffProcess watched, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (Files.size(file) >= atLeast) {
                    return;
                }
            } catch (java.nio.file.NoSuchFileException notYet) {
                // not created yet, or renamed away in between
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(file + " never reached " + atLeast + " bytes; output:\n" + watched.output());
            }
            Thread.sleep(2);
        }
    }

    /** A port free on loopback right now (for a receiver that must come back on the same port). */
    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}

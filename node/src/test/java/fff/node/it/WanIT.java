package fff.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import fff.common.testing.TcpConn;
import fff.common.testing.WanLink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real nodes on the two sides of an emulated long, lossy link ({@link WanLink}: network namespaces made by the
 * test, delay and loss in both directions, 1 Gbit/s): the receiver runs in one namespace, {@code fff send} in the
 * other, and what their sockets really do is read with {@code ss -ti} while they run.
 */
class WanIT {

    private static final int PORT = 7700;
    private static final long BIG = 200_000_000L;

    @TempDir
    static Path shared;
    static WanLink link;
    static String bbrOrSystem;

    @BeforeAll
    static void up() throws Exception {
        assumeTrue(WanLink.available(), WanLink.skipReason());
        link = WanLink.up(50, 0.5, 1000);
        bbrOrSystem = Files.readString(Path.of("/proc/sys/net/ipv4/tcp_available_congestion_control"))
                .contains("bbr") ? "bbr" : "cubic"; // a namespace defaults to cubic (ops/wan)
    }

    @AfterAll
    static void down() {
        if (link != null) {
            link.close();
        }
    }

    /** The receiver in side B, admitting {@code senderId}, landing in {@code out}. */
    private static FffProcess receiver(Path dir, String senderId, Path out) throws Exception {
        FffProcess r = FffProcess.startIn(List.of("ip", "netns", "exec", link.nsB()), "receiver", dir.resolve("b"),
                "receive", "--listen", link.addressB() + ":" + PORT, "--dir", out.toString(), "--allow", senderId,
                "--reserve", "0");
        r.awaitListening();
        return r;
    }

    /** {@code fff send} in side A to the receiver in side B. */
    private static FffProcess send(Path dir, String receiverId, String... rest) throws Exception {
        List<String> args = new ArrayList<>(List.of("send", "--to", link.addressB() + ":" + PORT, "--peer-id",
                receiverId));
        args.addAll(List.of(rest));
        return FffProcess.startIn(List.of("ip", "netns", "exec", link.nsA()), "sender", dir.resolve("a"),
                args.toArray(String[]::new));
    }

    /**
     * Samples the sender's connections to the receiver until {@code sender} exits: per local port, the algorithm
     * and the most bytes acknowledged seen.
     */
    private static Map<Integer, TcpConn> watchConnections(FffProcess sender) throws Exception {
        Map<Integer, TcpConn> seen = new TreeMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
        while (sender.isAlive() && System.nanoTime() < deadline) {
            for (TcpConn c : link.sockets(link.nsA(), PORT)) {
                if (c.peer().getPort() == PORT && c.congestion() != null) {
                    seen.merge(c.local().getPort(), c, (a, b) -> b.bytesAcked() >= a.bytesAcked() ? b : a);
                }
            }
            Thread.sleep(150);
        }
        return seen;
    }

    @Test
    void aLargeFileAndTwoThousandSmallOnesCrossWithFourConnectionsStripedOverBbr(@TempDir Path dir)
            throws Exception {
        link.set(50, 0.5);
        Path src = dir.resolve("src");
        Nodes.randomFile(src.resolve("big.bin"), BIG, 11);
        Random rnd = new Random(5);
        for (int i = 0; i < 2000; i++) {
            byte[] b = new byte[1 + rnd.nextInt(16 << 10)];
            rnd.nextBytes(b);
            Path f = src.resolve("small/d" + (i % 20) + "/f" + i + ".bin");
            Files.createDirectories(f.getParent());
            Files.write(f, b);
        }
        String senderId = Nodes.init(dir.resolve("a"));
        String receiverId = Nodes.init(dir.resolve("b"));
        Path out = dir.resolve("out");
        try (FffProcess receiver = receiver(dir, senderId, out);
                FffProcess sender = send(dir, receiverId, "--connections", "4", src.toString())) {
            Map<Integer, TcpConn> conns = watchConnections(sender);
            assertEquals(0, sender.waitFor(Duration.ofSeconds(240)), sender.output());
            System.out.println("sender's connections as ss saw them: " + conns.values());
            assertEquals(4, conns.size(), "connections seen: " + conns.values());
            for (TcpConn c : conns.values()) {
                assertEquals(bbrOrSystem, c.congestion(), c.info());
                // striped: each connection carried a good share of the 200 MB file, not only small files
                assertTrue(c.bytesAcked() > 30_000_000L, "connection carried only " + c.bytesAcked() + " bytes: "
                        + conns.values());
            }
            assertTrue(sender.output().contains("use congestion control " + bbrOrSystem), sender.output());
            assertEquals(2001, Nodes.assertSameTree(src, out.resolve("src")));
            sender.assertNoLeaks();
            receiver.stop();
            receiver.assertNoLeaks();
        }
    }

    @Test
    void aLinkWhoseDelayAndLossChangeMidTransferStillCompletes(@TempDir Path dir) throws Exception {
        link.set(50, 0.5);
        Path src = dir.resolve("src");
        Nodes.randomFile(src.resolve("moving.bin"), 160_000_000L, 12);
        String senderId = Nodes.init(dir.resolve("a"));
        String receiverId = Nodes.init(dir.resolve("b"));
        Path out = dir.resolve("out");
        try (FffProcess receiver = receiver(dir, senderId, out);
                FffProcess sender = send(dir, receiverId, "--connections", "2", src.resolve("moving.bin").toString())) {
            Nodes.awaitSize(out.resolve(".moving.bin.fff-partial"), 1, sender, Duration.ofSeconds(60));
            Thread.sleep(500);
            link.set(150, 1.0);
            Thread.sleep(2000);
            link.set(20, 3.0);
            Thread.sleep(1000);
            link.set(50, 0.5);
            assertEquals(0, sender.waitFor(Duration.ofSeconds(240)), sender.output());
            assertEquals(-1L, Files.mismatch(src.resolve("moving.bin"), out.resolve("moving.bin")));
            receiver.stop();
        }
    }

    @Test
    void theConnectionsUseTheAlgorithmAskedFor(@TempDir Path dir) throws Exception {
        link.set(20, 0);
        Path src = dir.resolve("src");
        Nodes.randomFile(src.resolve("a.bin"), 8L << 20, 13);
        Nodes.randomFile(src.resolve("b.bin"), 8L << 20, 14);
        String senderId = Nodes.init(dir.resolve("a"));
        String receiverId = Nodes.init(dir.resolve("b"));
        Path out = dir.resolve("out");
        try (FffProcess receiver = receiver(dir, senderId, out);
                FffProcess sender = send(dir, receiverId, "--connections", "2", "--congestion", "reno",
                        src.toString())) {
            Map<Integer, TcpConn> conns = watchConnections(sender);
            assertEquals(0, sender.waitFor(Duration.ofSeconds(120)), sender.output());
            assertEquals(2, conns.size(), "connections seen: " + conns.values());
            // neither the namespace's default (cubic) nor ours (bbr): really set on the socket
            conns.values().forEach(c -> assertEquals("reno", c.congestion(), c.info()));
            assertTrue(sender.output().contains("use congestion control reno (asked: reno)"), sender.output());
            assertEquals(2, Nodes.assertSameTree(src, out.resolve("src")));
            receiver.stop();
        }
    }
}

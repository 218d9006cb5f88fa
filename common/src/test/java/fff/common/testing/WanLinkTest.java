package fff.common.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real namespaces through the ops/wan scripts (root only; CI runs as root). */
class WanLinkTest {

    @BeforeEach
    void needsRoot() {
        assumeTrue(WanLink.available(), WanLink.skipReason());
    }

    @Test
    void delayFollowsUpAndSetAndCloseRemovesTheNamespaces() throws Exception {
        String a;
        String b;
        try (WanLink link = WanLink.up(50, 0, 1000)) {
            a = link.nsA();
            b = link.nsB();
            assertTrue(namespaces().containsAll(List.of(a, b)), namespaces().toString());
            double rtt = link.measureRttMs();
            assertTrue(rtt >= 45 && rtt <= 80, "RTT after up(50): " + rtt + " ms");
            link.set(120, 0);
            rtt = link.measureRttMs();
            assertTrue(rtt >= 115 && rtt <= 160, "RTT after set(120): " + rtt + " ms");
            assertThrows(IllegalArgumentException.class, () -> link.command("ffa", List.of("true")));
        }
        List<String> left = namespaces();
        assertFalse(left.contains(a) || left.contains(b), "left after close: " + left);
    }

    @Test
    void socketsShowAConnectionAndItsAlgorithm() throws Exception {
        try (WanLink link = WanLink.up(20, 0, 1000)) {
            assertTrue(Files.isExecutable(Path.of("/usr/bin/nc")), "needs nc: apt-get install netcat-openbsd");
            int port = 7711;
            Process server = link.command(link.nsB(), List.of("nc", "-d", "-l", link.addressB(), "" + port))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            Process client = null;
            try {
                // nc keeps sending /dev/zero until it is killed
                client = link.command(link.nsA(), List.of("sh", "-c", "sleep 0.3; exec nc " + link.addressB()
                        + " " + port + " </dev/zero")).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                List<TcpConn> seen = List.of();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (System.nanoTime() < deadline) {
                    seen = link.sockets(link.nsA(), port).stream().filter(c -> c.bytesAcked() > 0).toList();
                    if (!seen.isEmpty()) {
                        break;
                    }
                    Thread.sleep(100);
                }
                assertEquals(1, seen.size(), "connections to " + port + " in " + link.nsA() + ": " + seen);
                TcpConn c = seen.get(0);
                assertEquals(new InetSocketAddress(link.addressB(), port), c.peer());
                assertEquals(link.addressA(), c.local().getAddress().getHostAddress());
                assertEquals("cubic", c.congestion(), "the namespaces default to cubic: " + c.info());
                assertTrue(c.rttMs() >= 15, c.info());
                List<TcpConn> other = link.sockets(link.nsB(), port);
                assertEquals(1, other.size(), other.toString());
                assertEquals(c.local(), other.get(0).peer());
            } finally {
                if (client != null) {
                    client.destroyForcibly();
                }
                server.destroyForcibly();
            }
        }
    }

    @Test
    void upRemovesTheLinkOfARunThatDied() throws Exception {
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        String leftover = "fffwan-" + dead.pid() + "-1";
        Path runDir = Path.of("/tmp/fff-wanlink", leftover);
        try {
            run("ip", "netns", "add", leftover + "-a");
            run("ip", "netns", "add", leftover + "-b");
            Files.createDirectories(runDir);
            try (WanLink link = WanLink.up(0, 0, 0)) {
                List<String> now = namespaces();
                assertFalse(now.contains(leftover + "-a") || now.contains(leftover + "-b"), now.toString());
                assertFalse(Files.exists(runDir));
                assertTrue(now.contains(link.nsA()), now.toString());
            }
        } finally {
            for (String ns : List.of(leftover + "-a", leftover + "-b")) {
                if (namespaces().contains(ns)) {
                    run("ip", "netns", "del", ns);
                }
            }
        }
    }

    private static List<String> namespaces() throws IOException, InterruptedException {
        return run("ip", "netns", "list").lines().map(l -> l.split(" ")[0]).toList();
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), String.join(" ", cmd));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
        return out;
    }
}

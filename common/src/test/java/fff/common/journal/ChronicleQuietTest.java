package fff.common.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chronicle stays quiet outside JUnit (where its analytics would be live): {@code system.properties} from
 * {@code common}'s resources is picked up, nothing is written under the user's home, and no connection leaves
 * through the proxies the child is pointed at (a local listener that counts whoever arrives).
 */
class ChronicleQuietTest {

    @TempDir
    Path tmp;

    @Test
    @Timeout(60)
    void noAnalyticsFilesAndNoConnections() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path cwd = Files.createDirectories(tmp.resolve("cwd")); // a ./system.properties there would win
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket proxy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (true) {
                    try (Socket s = proxy.accept()) {
                        connections.incrementAndGet();
                    } catch (SocketException closed) {
                        return;
                    } catch (IOException ignored) {
                        // keep counting
                    }
                }
            }, "proxy");
            acceptor.setDaemon(true);
            acceptor.start();
            String port = Integer.toString(proxy.getLocalPort());
            ProcessBuilder pb = ChildJvm.builder(ChronicleQuietChild.class, List.of(
                    "-Duser.home=" + home,
                    "-Dhttp.proxyHost=127.0.0.1", "-Dhttp.proxyPort=" + port,
                    "-Dhttps.proxyHost=127.0.0.1", "-Dhttps.proxyPort=" + port,
                    "-DsocksProxyHost=127.0.0.1", "-DsocksProxyPort=" + port),
                    tmp.resolve("journal").toString(), "500").directory(cwd.toFile());
            pb.environment().put("HOME", home.toString());
            Process child = pb.start();
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, child.exitValue(), out);
            assertTrue(out.contains("disable=true announcer=true enabled=false"), out);
            assertEquals(0, connections.get(), "connections to the proxy; child output:\n" + out);
        }
        try (Stream<Path> s = Files.walk(home)) {
            List<Path> chronicle = s.filter(p -> p.getFileName().toString().startsWith(".chronicle")).toList();
            assertEquals(List.of(), chronicle);
        }
    }
}

package fff.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two real nodes, each its own JVM, on loopback; written once and run over plain TCP on one connection and
 * over mutual TLS on two connections.
 * The sample holds the edge cases: 0 B, 1 B, 1 MiB + 1, 300 MiB, 2,000 small files, unicode names, an
 * empty directory.
 */
class TransferIT {

    @TempDir
    static Path shared;
    static Path sample;

    @BeforeAll
    static void sample() throws Exception {
        sample = shared.resolve("sample");
        Nodes.randomFile(sample.resolve("empty.bin"), 0, 1);
        Nodes.randomFile(sample.resolve("one.bin"), 1, 2);
        Nodes.randomFile(sample.resolve("mib-plus-one.bin"), (1 << 20) + 1, 3);
        Nodes.randomFile(sample.resolve("big.bin"), 300L << 20, 4);
        Nodes.randomFile(sample.resolve("vidéo").resolve("日本語 ファイル (1).bin"), 123_457, 5);
        for (int i = 0; i < 2000; i++) {
            Nodes.randomFile(sample.resolve("tree").resolve("d" + (i % 20)).resolve("f" + i + ".dat"),
                    (i * 7919L) % 9000, 100 + i);
        }
        Files.createDirectories(sample.resolve("empty dir"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"plain", "tls"})
    void filesAndTreesArriveByteIdentical(String mode, @TempDir Path dir) throws Exception {
        boolean plain = mode.equals("plain");
        String senderId = Nodes.init(dir.resolve("a"));
        String receiverId = Nodes.init(dir.resolve("b"));
        Path out = dir.resolve("out");
        List<String> recvArgs = new ArrayList<>(List.of("receive", "--listen", "127.0.0.1:0", "--dir", out.toString(),
                "--allow", senderId, "--reserve", "0"));
        List<String> sendArgs = new ArrayList<>(List.of("send", "--to", "127.0.0.1:PORT", "--peer-id", receiverId,
                "--dir", "inbox"));
        if (plain) {
            recvArgs.add("--plain");
            sendArgs.add("--plain");
        } else {
            sendArgs.addAll(List.of("--connections", "2"));
        }
        try (FffProcess receiver = FffProcess.start("receiver", dir.resolve("b"), recvArgs.toArray(String[]::new))) {
            int port = receiver.awaitListening();
            sendArgs.set(2, "127.0.0.1:" + port);
            sendArgs.add(sample.toString());
            try (FffProcess sender = FffProcess.start("sender", dir.resolve("a"), sendArgs.toArray(String[]::new))) {
                assertEquals(0, sender.waitFor(Duration.ofSeconds(150)), sender.output());
                assertTrue(sender.output().contains("2005 of 2005 file(s)"), sender.output());
                sender.assertNoLeaks();
            }
            assertEquals(2005, Nodes.assertSameTree(sample, out.resolve("inbox").resolve("sample")));
            receiver.await(plain ? "connected (plain TCP)" : "connected (TLS TLSv1.3)");
            if (!plain) {
                long connections = receiver.output().lines().filter(l -> l.contains("connected (TLS")).count();
                assertEquals(2, connections, receiver.output());
            }
            receiver.stop();
            receiver.assertNoLeaks();
        }
    }
}

package fff.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A byte flipped on the way (the sender's test-only fault hook, after hashing) fails verification: nothing
 * reaches the final path, the partial is dropped, and the automatic retry delivers the right bytes.
 */
class CorruptionIT {

    @Test
    void flippedByteFailsTheStreamAndTheRetryHealsIt(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("src").resolve("clip.bin");
        Nodes.randomFile(source, 20L << 20, 11);
        String senderId = Nodes.init(dir.resolve("a"));
        String receiverId = Nodes.init(dir.resolve("b"));
        Path out = dir.resolve("out");
        try (FffProcess receiver = Nodes.receiver(dir, senderId)) {
            int port = receiver.awaitListening();
            try (FffProcess sender = FffProcess.start("sender", dir.resolve("a"),
                    List.of("-Dfff.test.flipByteAt=" + (5_000_000)), "send", "--to", "127.0.0.1:" + port,
                    "--peer-id", receiverId, source.toString())) {
                assertEquals(0, sender.waitFor(Duration.ofSeconds(60)), sender.output());
                String line = sender.await("verified clip.bin");
                assertTrue(line.contains("2 attempt(s)"), line);
                assertTrue(sender.output().contains("HASH_MISMATCH") || sender.output().contains("digest"),
                        sender.output());
                sender.assertNoLeaks();
            }
            String refused = receiver.await("failed verification");
            assertTrue(refused.contains("clip.bin"), refused);
            receiver.stop();
            receiver.assertNoLeaks();
        }
        assertEquals(-1L, Files.mismatch(source, out.resolve("clip.bin")));
        try (var walk = Files.list(out)) {
            assertFalse(walk.anyMatch(p -> p.getFileName().toString().endsWith(".fff-partial")));
        }
    }
}

package fff.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file the receiver already holds with the same size and content is confirmed without its bytes crossing
 * the link, and left untouched; a same-size file with other content is replaced.
 */
class AlreadyPresentIT {

    @Test
    void identicalFileIsConfirmedWithoutSendingAndADifferentOneIsReplaced(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("src").resolve("clip.bin");
        Nodes.randomFile(source, 5L << 20, 21);
        String senderId = Nodes.init(dir.resolve("a"));
        String receiverId = Nodes.init(dir.resolve("b"));
        Path out = dir.resolve("out");
        try (FffProcess receiver = Nodes.receiver(dir, senderId)) {
            int port = receiver.awaitListening();
            String[] send = {"send", "--to", "127.0.0.1:" + port, "--peer-id", receiverId, source.toString()};
            try (FffProcess first = FffProcess.start("sender-1", dir.resolve("a"), send)) {
                assertEquals(0, first.waitFor(Duration.ofSeconds(60)), first.output());
            }
            Path landed = out.resolve("clip.bin");
            FileTime before = FileTime.fromMillis(1_000_000_000_000L);
            Files.setLastModifiedTime(landed, before);

            try (FffProcess again = FffProcess.start("sender-2", dir.resolve("a"), send)) {
                assertEquals(0, again.waitFor(Duration.ofSeconds(60)), again.output());
                String line = again.await("verified clip.bin");
                assertTrue(line.contains("already present"), line);
                assertEquals(0, Nodes.bytesOverLink(line), line);
                again.assertNoLeaks();
            }
            assertEquals(before, Files.getLastModifiedTime(landed), "an identical file is not rewritten");

            byte[] other = Files.readAllBytes(landed);
            other[4242] ^= 1;
            Files.write(landed, other);
            try (FffProcess third = FffProcess.start("sender-3", dir.resolve("a"), send)) {
                assertEquals(0, third.waitFor(Duration.ofSeconds(60)), third.output());
                String line = third.await("verified clip.bin");
                assertEquals(5L << 20, Nodes.bytesOverLink(line), line);
                third.assertNoLeaks();
            }
            assertEquals(-1L, Files.mismatch(source, landed));
            receiver.stop();
            receiver.assertNoLeaks();
        }
    }
}

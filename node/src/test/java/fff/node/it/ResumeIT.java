package fff.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Killed processes lose nothing: kill -9 the sender or the receiver mid-file, start again, and the file
 * completes from what the receiver kept, never visible at its final path before it is verified.
 */
class ResumeIT {

    private static final long SIZE = 400L << 20;
    private static final long KILL_AT = 48L << 20;

    @TempDir
    static Path shared;
    static Path source;

    @BeforeAll
    static void source() throws IOException {
        source = shared.resolve("src").resolve("large.bin");
        Nodes.randomFile(source, SIZE, 7);
    }

    @Test
    void senderKilledMidFileResumesAndSendsFarLess(@TempDir Path dir) throws Exception {
        String senderId = Nodes.init(dir.resolve("a"));
        String receiverId = Nodes.init(dir.resolve("b"));
        Path out = dir.resolve("out");
        Path partial = out.resolve(".large.bin.fff-partial");
        try (FffProcess receiver = FffProcess.start("receiver", dir.resolve("b"), "receive", "--listen",
                "127.0.0.1:0", "--dir", out.toString(), "--allow", senderId, "--reserve", "0")) {
            int port = receiver.awaitListening();
            String[] send = {"send", "--to", "127.0.0.1:" + port, "--peer-id", receiverId, "--connections", "1",
                source.toString()};
            try (FffProcess first = FffProcess.start("sender-1", dir.resolve("a"), send)) {
                Nodes.awaitSize(partial, KILL_AT, first, Duration.ofSeconds(60));
                first.kill9();
            }
            assertFalse(Files.exists(out.resolve("large.bin")), "nothing at the final path before verification");
            receiver.await("partials kept for resume");
            long kept = Files.size(partial);
            assertTrue(kept >= KILL_AT, "partial kept: " + kept);
            try (FffProcess second = FffProcess.start("sender-2", dir.resolve("a"), send)) {
                assertEquals(0, second.waitFor(Duration.ofSeconds(120)), second.output());
                String line = second.await("verified large.bin");
                long overLink = Nodes.bytesOverLink(line);
                assertTrue(line.contains("resumed at "), line);
                assertTrue(overLink <= SIZE - KILL_AT + (1 << 20),
                        "second run sent " + overLink + " of " + SIZE + " bytes: " + line);
                second.assertNoLeaks();
            }
            assertEquals(-1L, Files.mismatch(source, out.resolve("large.bin")));
            assertFalse(Files.exists(partial));
            receiver.stop();
            receiver.assertNoLeaks();
        }
    }

    @Test
    void aFileSentInPartsOverFourConnectionsResumesEachPartAfterTheSenderIsKilled(@TempDir Path dir)
            throws Exception {
        String senderId = Nodes.init(dir.resolve("a"));
        String receiverId = Nodes.init(dir.resolve("b"));
        Path out = dir.resolve("out");
        Path partial = out.resolve(".large.bin.fff-partial");
        Path ranges = out.resolve("..large.bin.fff-partial.fff-partial"); // per-part progress, every 64 MiB a part
        try (FffProcess receiver = FffProcess.start("receiver", dir.resolve("b"), "receive", "--listen",
                "127.0.0.1:0", "--dir", out.toString(), "--allow", senderId, "--reserve", "0")) {
            int port = receiver.awaitListening();
            String[] send = {"send", "--to", "127.0.0.1:" + port, "--peer-id", receiverId, "--connections", "4",
                source.toString()};
            try (FffProcess first = FffProcess.start("sender-1", dir.resolve("a"), send)) {
                awaitHeld(ranges, 64L << 20, first);
                first.kill9();
            }
            assertFalse(Files.exists(out.resolve("large.bin")), "nothing at the final path before verification");
            receiver.await("partials kept for resume");
            assertTrue(Files.exists(partial) && Files.exists(ranges));
            try (FffProcess second = FffProcess.start("sender-2", dir.resolve("a"), send)) {
                assertEquals(0, second.waitFor(Duration.ofSeconds(120)), second.output());
                String line = second.await("verified large.bin");
                long overLink = Nodes.bytesOverLink(line);
                assertTrue(line.contains("resumed at "), line);
                // a part had passed its first 64 MiB checkpoint, and the others kept what they held at the kill
                assertTrue(overLink <= SIZE - (64L << 20), "second run sent " + overLink + " of " + SIZE
                        + " bytes: " + line);
                second.assertNoLeaks();
            }
            assertEquals(-1L, Files.mismatch(source, out.resolve("large.bin")));
            assertFalse(Files.exists(partial));
            assertFalse(Files.exists(ranges));
            receiver.stop();
            receiver.assertNoLeaks();
        }
    }

    @Test
    void receiverKilledMidFileLeavesNoFinalFileAndTheTransferCompletesAfterRestart(@TempDir Path dir)
            throws Exception {
        String senderId = Nodes.init(dir.resolve("a"));
        String receiverId = Nodes.init(dir.resolve("b"));
        Path out = dir.resolve("out");
        Path partial = out.resolve(".large.bin.fff-partial");
        int port = Nodes.freePort();
        String[] recv = {"receive", "--listen", "127.0.0.1:" + port, "--dir", out.toString(), "--allow", senderId,
                "--reserve", "0"};
        try (FffProcess receiver = FffProcess.start("receiver-1", dir.resolve("b"), recv);
                FffProcess sender = startSenderWhenListening(receiver, dir, port, receiverId)) {
            Nodes.awaitSize(partial, KILL_AT, sender, Duration.ofSeconds(60));
            receiver.kill9();
            assertFalse(Files.exists(out.resolve("large.bin")), "nothing at the final path after kill -9");
            sender.await(l -> l.contains("unreachable") || l.contains("lost"), Duration.ofSeconds(30));
            try (FffProcess again = FffProcess.start("receiver-2", dir.resolve("b"), recv)) {
                again.awaitListening();
                assertEquals(0, sender.waitFor(Duration.ofSeconds(120)), sender.output());
                assertTrue(sender.output().contains("resumed at "), sender.output());
                sender.assertNoLeaks();
                again.stop();
                again.assertNoLeaks();
            }
        }
        assertEquals(-1L, Files.mismatch(source, out.resolve("large.bin")));
        assertFalse(Files.exists(partial));
    }

    /**
     * Waits until the receiver's per-part record ({@code held START END} lines) says at least {@code bytes} are
     * held: it is written at each part's 64 MiB checkpoint.
     */
    private static void awaitHeld(Path ranges, long bytes, FffProcess watched) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long held = 0;
        while (System.nanoTime() < deadline) {
            held = 0;
            try {
                for (String line : Files.readAllLines(ranges)) {
                    String[] f = line.split(" ");
                    if (f.length == 3 && f[0].equals("held")) {
                        held += Long.parseLong(f[2]) - Long.parseLong(f[1]);
                    }
                }
            } catch (java.nio.file.NoSuchFileException notYet) {
                // not written yet, or being replaced
            }
            if (held >= bytes) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(ranges + " held only " + held + " bytes; output:\n" + watched.output());
    }

    private static FffProcess startSenderWhenListening(FffProcess receiver, Path dir, int port, String receiverId)
            throws Exception {
        receiver.awaitListening();
        return FffProcess.start("sender", dir.resolve("a"), List.of(), "send", "--to", "127.0.0.1:" + port,
                "--peer-id", receiverId, "--connections", "1", source.toString());
    }
}

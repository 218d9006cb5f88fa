package fff.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.wire.WireLimits;
import fff.proto.Frame;
import fff.proto.HashAlgorithm;
import fff.proto.Hello;
import fff.proto.Offer;
import fff.proto.Start;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM is the graceful path: the receiver says it is stopping, lets open transfers run for its grace period,
 * exits in bounded time, and never leaves a half-written file at a final path; what it kept is resumed after a
 * restart.
 */
class ShutdownIT {

    private static final long SIZE = 300L << 20;
    private static final long STOP_AT = 16L << 20;
    /** The receiver's grace (10 s) plus closing connections and its thread pools. */
    private static final Duration EXIT_WITHIN = Duration.ofSeconds(15);

    @Test
    void sigtermMidTransferNeverLeavesAHalfFileAndTheTransferCompletesAfterRestart(@TempDir Path dir)
            throws Exception {
        Path source = dir.resolve("src").resolve("big.bin");
        Nodes.randomFile(source, SIZE, 31);
        String senderId = Nodes.init(dir.resolve("a"));
        String receiverId = Nodes.init(dir.resolve("b"));
        Path out = dir.resolve("out");
        Path finalPath = out.resolve("big.bin");
        Path partial = out.resolve(".big.bin.fff-partial");
        int port = Nodes.freePort();
        String[] recv = {"receive", "--listen", "127.0.0.1:" + port, "--dir", out.toString(), "--allow", senderId,
                "--reserve", "0"};
        // one connection: this is about one stream cut by the receiver's grace period (parts have ResumeIT)
        String[] send = {"send", "--to", "127.0.0.1:" + port, "--peer-id", receiverId, "--connections", "1",
                source.toString()};
        boolean completedDuringGrace;
        try (FffProcess receiver = FffProcess.start("receiver-1", dir.resolve("b"), recv)) {
            receiver.awaitListening();
            try (FffProcess sender = FffProcess.start("sender-1", dir.resolve("a"), send)) {
                Nodes.awaitSize(partial, STOP_AT, sender, Duration.ofSeconds(60));
                assertFalse(Files.exists(finalPath), "nothing at the final path while in flight");
                long t0 = System.nanoTime();
                boolean exited = receiver.stopWithin(Duration.ofSeconds(30));
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                assertTrue(exited && took.compareTo(EXIT_WITHIN) <= 0,
                        "receiver exited by itself: " + exited + ", after " + took + "; output:\n" + receiver.output());
                assertTrue(receiver.output().contains("stopping"), receiver.output());
                receiver.assertNoLeaks();
                System.out.println("receiver stopped " + took.toMillis() + " ms after SIGTERM");

                completedDuringGrace = Files.exists(finalPath);
                if (completedDuringGrace) {
                    // a file at the final path is always the whole file
                    assertEquals(-1L, Files.mismatch(source, finalPath), "half-written file at the final path");
                    assertFalse(Files.exists(partial), "partial left next to a completed file");
                } else {
                    assertTrue(Files.exists(partial), "neither the file nor its partial after SIGTERM");
                    assertTrue(Files.size(partial) <= SIZE, "partial of " + Files.size(partial));
                }
                System.out.println("file " + (completedDuringGrace ? "completed during the grace period"
                        : "kept as a partial of " + Files.size(partial) + " bytes"));

                try (FffProcess again = FffProcess.start("receiver-2", dir.resolve("b"), recv)) {
                    again.awaitListening();
                    // the first sender retries with backoff; when it gave up, a new one takes over
                    int status = sender.waitFor(Duration.ofSeconds(120));
                    String delivered = sender.output();
                    if (status != 0) {
                        System.out.println("sender-1 gave up (" + status + "); starting sender-2");
                        try (FffProcess second = FffProcess.start("sender-2", dir.resolve("a"), send)) {
                            assertEquals(0, second.waitFor(Duration.ofSeconds(120)), second.output());
                            second.assertNoLeaks();
                            delivered = second.output();
                        }
                    }
                    sender.assertNoLeaks();
                    String line = delivered.lines().filter(l -> l.startsWith("verified big.bin")).findFirst()
                            .orElseThrow(() -> new AssertionError("no verified line:\n" + sender.output()));
                    assertTrue(line.contains(SIZE + " bytes"), line);
                    if (!completedDuringGrace) {
                        assertTrue(line.contains("resumed at ") || line.contains("already present"), line);
                    }
                    again.stop();
                    again.assertNoLeaks();
                }
            }
        }
        assertEquals(-1L, Files.mismatch(source, finalPath));
        assertFalse(Files.exists(partial));
    }

    /**
     * A stream that makes no progress holds the receiver for its whole grace period, no longer: the connection
     * is closed, the receiver exits, the partial stays and a real sender resumes it after a restart. The stalled
     * sender is a raw plain-TCP client (Hello, Offer, Start, 8 MiB of Data, then silence) so the stream is
     * guaranteed to be open when SIGTERM arrives, however fast the machine.
     */
    @Test
    void aStalledStreamIsCutAfterTheGracePeriodAndResumedAfterRestart(@TempDir Path dir) throws Exception {
        long size = 24L << 20;
        int stalledAt = 8 << 20;
        Path source = dir.resolve("src").resolve("stalled.bin");
        Nodes.randomFile(source, size, 32);
        Nodes.init(dir.resolve("a"));
        Nodes.init(dir.resolve("b"));
        Path out = dir.resolve("out");
        Path finalPath = out.resolve("stalled.bin");
        Path partial = out.resolve(".stalled.bin.fff-partial");
        int port = Nodes.freePort();
        String[] recv = {"receive", "--listen", "127.0.0.1:" + port, "--dir", out.toString(), "--allow-any",
                "--plain", "--reserve", "0"};
        try (FffProcess receiver = FffProcess.start("receiver-1", dir.resolve("b"), recv);
                Socket s = new Socket(InetAddress.getLoopbackAddress(), receiver.awaitListening())) {
            s.setSoTimeout(10_000);
            DataOutputStream wire = new DataOutputStream(s.getOutputStream());
            DataInputStream in = new DataInputStream(s.getInputStream());
            frame(wire, Frame.newBuilder().setHello(Hello.newBuilder().addVersions(WireLimits.VERSION).setPlain(true)
                    .setSoftware("ShutdownIT")).build(), null);
            assertTrue(readUntil(in, Frame.BodyCase.HELLO_ACK).hasHelloAck());
            frame(wire, Frame.newBuilder().setOffer(Offer.newBuilder().setStream(1).setPath("stalled.bin")
                    .setSize(size).setMtimeMillis(Files.getLastModifiedTime(source).toMillis())
                    .setHash(HashAlgorithm.XXH3_128_BLOCKS)).build(), null);
            Frame accept = readUntil(in, Frame.BodyCase.ACCEPT);
            assertEquals(0, accept.getAccept().getResumeOffset());
            assertTrue(accept.getAccept().getStreamWindow() >= stalledAt, accept.toString());
            frame(wire, Frame.newBuilder().setStart(Start.newBuilder().setStream(1).setOffset(0)).build(), null);
            byte[] chunk = new byte[1 << 20];
            try (InputStream file = Files.newInputStream(source)) {
                for (long off = 0; off < stalledAt; off += chunk.length) {
                    file.readNBytes(chunk, 0, chunk.length);
                    frame(wire, fff.common.wire.Frames.dataHeader(1, off, chunk.length), chunk);
                }
            }
            wire.flush();
            Nodes.awaitSize(partial, stalledAt, receiver, Duration.ofSeconds(30));

            long t0 = System.nanoTime();
            boolean exited = receiver.stopWithin(Duration.ofSeconds(30));
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            System.out.println("receiver stopped " + took.toMillis() + " ms after SIGTERM");
            assertTrue(exited && took.compareTo(EXIT_WITHIN) <= 0,
                    "receiver exited by itself: " + exited + ", after " + took + "; output:\n" + receiver.output());
            assertTrue(receiver.output().contains("stopping"), receiver.output());
            assertTrue(receiver.output().contains("partials kept for resume"), receiver.output());
            receiver.assertNoLeaks();
            // the receiver closed our connection (drain whatever credit it had sent first)
            assertTrue(drainsToEof(in), "connection still open after the receiver exited");
        }
        assertFalse(Files.exists(finalPath), "nothing at the final path");
        assertEquals(stalledAt, Files.size(partial), "the partial keeps what reached the receiver");

        try (FffProcess again = FffProcess.start("receiver-2", dir.resolve("b"), recv)) {
            again.awaitListening();
            try (FffProcess sender = FffProcess.start("sender", dir.resolve("a"), "send", "--plain", "--to",
                    "127.0.0.1:" + port, source.toString())) {
                assertEquals(0, sender.waitFor(Duration.ofSeconds(60)), sender.output());
                String line = sender.await("verified stalled.bin");
                assertTrue(line.contains("resumed at " + stalledAt), line);
                assertEquals(size - stalledAt, Nodes.bytesOverLink(line), line);
                sender.assertNoLeaks();
            }
            again.stop();
            again.assertNoLeaks();
        }
        assertEquals(-1L, Files.mismatch(source, finalPath));
        assertFalse(Files.exists(partial));
    }

    /** {@code u32 length | u16 header_len | header | payload}, as FrameEncoder writes it. */
    private static void frame(DataOutputStream out, Frame header, byte[] payload) throws Exception {
        byte[] h = header.toByteArray();
        int p = payload == null ? 0 : payload.length;
        out.writeInt(2 + h.length + p);
        out.writeShort(h.length);
        out.write(h);
        if (payload != null) {
            out.write(payload);
        }
        out.flush();
    }

    private static Frame readUntil(DataInputStream in, Frame.BodyCase wanted) throws Exception {
        while (true) {
            int len = in.readInt();
            byte[] header = new byte[in.readUnsignedShort()];
            in.readFully(header);
            in.skipNBytes(len - 2 - header.length);
            Frame f = Frame.parseFrom(header);
            if (f.getBodyCase() == wanted) {
                return f;
            }
            assertTrue(f.hasCredit() || f.hasPing(), "unexpected " + f);
        }
    }

    private static boolean drainsToEof(InputStream in) {
        try {
            byte[] buf = new byte[8192];
            while (in.read(buf) >= 0) {
                // credits sent before the close
            }
            return true;
        } catch (java.io.IOException e) {
            // a reset is a close too
            return !(e instanceof java.net.SocketTimeoutException);
        }
    }
}

package fff.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.proto.Frame;
import fff.proto.Goodbye;
import fff.proto.Hello;
import fff.proto.Reason;
import fff.sender.PeerClient;
import fff.sender.TransferException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every refusal is clear, coded, names what it saw, and writes nothing it should not. */
class RefusalIT {

    @Test
    void hostilePathsAreRefusedAndNothingLandsOutsideTheRoot(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("root").resolve("out");
        Path source = dir.resolve("payload.bin");
        Nodes.randomFile(source, 1000, 1);
        try (FffProcess receiver = Nodes.openReceiver(dir, out)) {
            int port = receiver.awaitListening();
            try (PeerClient client = Nodes.client(dir, port)) {
                for (String hostile : List.of("../escape.bin", "a/../../escape.bin", "/tmp/escape.bin",
                        "a\\..\\..\\escape.bin", "nul\u0000byte", "C:/escape.bin", "x/" + "n".repeat(300),
                        ".sneaky.fff-partial", "")) {
                    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                            () -> client.send(source, hostile, null).get(30, TimeUnit.SECONDS), hostile);
                    TransferException te = (TransferException) e.getCause();
                    assertEquals(Reason.BAD_PATH, te.reason(), hostile + ": " + te.getMessage());
                    assertTrue(te.getMessage().startsWith("receiver refused"), te.getMessage());
                }
                // the same connection still serves good requests after the refusals
                assertEquals(1000, client.send(source, "fine/ok.bin", null).get(30, TimeUnit.SECONDS).size());
            }
            assertFalse(Files.exists(dir.resolve("root").resolve("escape.bin")));
            assertFalse(Files.exists(dir.resolve("escape.bin")));
            assertFalse(Files.exists(Path.of("/tmp/escape.bin")));
            assertEquals(-1L, Files.mismatch(source, out.resolve("fine").resolve("ok.bin")));
            receiver.stop();
            receiver.assertNoLeaks();
        }
    }

    @Test
    void unknownPeersAreRefusedOnBothSidesNamingTheIdSeen(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("f.bin");
        Nodes.randomFile(source, 10, 2);
        String senderId = Nodes.init(dir.resolve("a"));
        String receiverId = Nodes.init(dir.resolve("b"));
        String strangerId = Nodes.init(dir.resolve("c"));
        // the receiver allows only the stranger: our sender is refused, by ID
        try (FffProcess receiver = FffProcess.start("receiver", dir.resolve("b"), "receive", "--listen",
                "127.0.0.1:0", "--dir", dir.resolve("out").toString(), "--allow", strangerId)) {
            int port = receiver.awaitListening();
            try (FffProcess sender = FffProcess.start("sender", dir.resolve("a"), "send", "--to",
                    "127.0.0.1:" + port, "--peer-id", receiverId, source.toString())) {
                assertNotEquals(0, sender.waitFor(Duration.ofSeconds(30)));
                assertTrue(sender.output().contains("node ID " + senderId + " is not allowed on this receiver"),
                        sender.output());
            }
            String logged = receiver.await("refused sender");
            assertTrue(logged.contains(senderId), logged);
            // the sender expects another receiver: it refuses, naming the ID it saw
            try (FffProcess sender = FffProcess.start("sender", dir.resolve("a"), "send", "--to",
                    "127.0.0.1:" + port, "--peer-id", strangerId, source.toString())) {
                assertNotEquals(0, sender.waitFor(Duration.ofSeconds(30)));
                assertTrue(sender.output().contains("presented node ID " + receiverId + ", expected " + strangerId),
                        sender.output());
            }
            receiver.await("sender refused this receiver");
            receiver.stop();
            receiver.assertNoLeaks();
        }
        assertFalse(Files.exists(dir.resolve("out").resolve("f.bin")));
    }

    @Test
    void aChangedReceiverIdIsRefusedAfterFirstUse(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("f.bin");
        Nodes.randomFile(source, 10, 3);
        Nodes.init(dir.resolve("a"));
        String first = Nodes.init(dir.resolve("b1"));
        String second = Nodes.init(dir.resolve("b2"));
        int port = Nodes.freePort();
        String[] recv = {"receive", "--listen", "127.0.0.1:" + port, "--dir", dir.resolve("out").toString(),
                "--allow-any"};
        String[] send = {"send", "--to", "127.0.0.1:" + port, source.toString()};
        try (FffProcess receiver = FffProcess.start("receiver-1", dir.resolve("b1"), recv)) {
            receiver.awaitListening();
            try (FffProcess sender = FffProcess.start("sender-1", dir.resolve("a"), send)) {
                assertEquals(0, sender.waitFor(Duration.ofSeconds(30)), sender.output());
                assertTrue(sender.output().contains("trusting receiver " + first), sender.output());
            }
            receiver.stop();
        }
        assertTrue(Files.readString(dir.resolve("a").resolve("known_peers")).contains(first));
        try (FffProcess receiver = FffProcess.start("receiver-2", dir.resolve("b2"), recv)) {
            receiver.awaitListening();
            try (FffProcess sender = FffProcess.start("sender-2", dir.resolve("a"), send)) {
                assertNotEquals(0, sender.waitFor(Duration.ofSeconds(30)));
                assertTrue(sender.output().contains("presented node ID " + second + " but known_peers has " + first),
                        sender.output());
            }
            receiver.stop();
        }
    }

    @Test
    void anUnknownProtocolVersionGetsAGoodbyeWithTheReason(@TempDir Path dir) throws Exception {
        Nodes.init(dir.resolve("b"));
        try (FffProcess receiver = FffProcess.start("receiver", dir.resolve("b"), "receive", "--listen",
                "127.0.0.1:0", "--dir", dir.resolve("out").toString(), "--allow-any", "--plain")) {
            int port = receiver.awaitListening();
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(10_000);
                byte[] hello = Frame.newBuilder().setHello(Hello.newBuilder().addVersions(99).addVersions(100)).build()
                        .toByteArray();
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeInt(2 + hello.length);
                out.writeShort(hello.length);
                out.write(hello);
                out.flush();
                DataInputStream in = new DataInputStream(s.getInputStream());
                int len = in.readInt();
                byte[] header = new byte[in.readUnsignedShort()];
                in.readFully(header);
                assertEquals(2 + header.length, len);
                Goodbye bye = Frame.parseFrom(header).getGoodbye();
                assertEquals(Reason.UNSUPPORTED_VERSION, bye.getReason());
                assertTrue(bye.getMessage().contains("version 1") && bye.getMessage().contains("[99, 100]"),
                        bye.getMessage());
                assertEquals(-1, in.read(), "connection closed after Goodbye");
            }
            receiver.await("refused");
            receiver.stop();
            receiver.assertNoLeaks();
        }
    }

    @Test
    void freeSpaceReservePlainMismatchAndGarbageAreClearErrors(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("f.bin");
        Nodes.randomFile(source, 4096, 4);
        Nodes.init(dir.resolve("a"));
        Nodes.init(dir.resolve("b"));
        try (FffProcess receiver = FffProcess.start("receiver", dir.resolve("b"), "receive", "--listen",
                "127.0.0.1:0", "--dir", dir.resolve("out").toString(), "--allow-any", "--reserve", "1000T")) {
            int port = receiver.awaitListening();
            try (FffProcess sender = FffProcess.start("sender", dir.resolve("a"), "send", "--to",
                    "127.0.0.1:" + port, source.toString())) {
                assertNotEquals(0, sender.waitFor(Duration.ofSeconds(30)));
                assertTrue(sender.output().contains("FAILED f.bin: receiver refused 'f.bin'")
                        && sender.output().contains("reserve"), sender.output());
            }
            // a plain sender meeting a TLS receiver is told what to do
            try (FffProcess sender = FffProcess.start("sender", dir.resolve("a"), "send", "--plain", "--to",
                    "127.0.0.1:" + port, source.toString())) {
                assertNotEquals(0, sender.waitFor(Duration.ofSeconds(60)));
                assertTrue(sender.output().contains("use --plain on both sides or on neither"), sender.output());
            }
            // garbage on the socket closes that connection only
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes());
                s.setSoTimeout(10_000);
                assertEquals(-1, s.getInputStream().read());
            }
            receiver.await("TLS with");
            assertTrue(receiver.output().contains("listening"));
            receiver.stop();
            receiver.assertNoLeaks();
        }
        assertFalse(Files.exists(dir.resolve("out").resolve("f.bin")));
    }
}

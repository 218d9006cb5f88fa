package fff.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.identity.KnownPeers;
import fff.common.identity.NodeIdentity;
import fff.common.wire.HostPort;
import fff.proto.Reason;
import fff.sender.PeerClient;
import fff.sender.PeerTarget;
import fff.sender.TransferException;
import fff.sender.TransferResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real receiver process mirrors a rename and a delete that a {@link PeerClient} sends over TLS. */
class MirrorIT {

    @Test
    void renameAndRemoveReachTheReceiver(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        Path source = dir.resolve("clip.bin");
        Nodes.randomFile(source, 300_000, 3);
        Nodes.init(dir.resolve("b"));
        try (FffProcess receiver = FffProcess.start("receiver", dir.resolve("b"), "receive", "--listen",
                "127.0.0.1:0", "--dir", out.toString(), "--allow-any", "--reserve", "0")) {
            int port = receiver.awaitListening();
            NodeIdentity me = NodeIdentity.create(dir.resolve("a"));
            PeerTarget target = new PeerTarget(new HostPort("127.0.0.1", port), false, null,
                    KnownPeers.in(dir.resolve("a")), 3, 1);
            try (PeerClient client = new PeerClient(target, me, 1)) {
                client.send(source, "in/clip.bin", null).get(30, TimeUnit.SECONDS);

                TransferResult renamed = client.submitRename("in/clip.bin", "done/clip2.bin").result()
                        .get(30, TimeUnit.SECONDS);
                assertFalse(renamed.alreadyPresent());
                assertEquals(0, renamed.bytesSent());
                assertFalse(Files.exists(out.resolve("in/clip.bin")));
                assertEquals(-1L, Files.mismatch(source, out.resolve("done/clip2.bin")));
                receiver.await("renamed in/clip.bin -> done/clip2.bin from ");

                ExecutionException e = assertThrows(ExecutionException.class, () -> client
                        .submitRename("in/clip.bin", "x.bin").result().get(30, TimeUnit.SECONDS));
                assertEquals(Reason.NOT_FOUND, ((TransferException) e.getCause()).reason());

                assertFalse(client.submitRemove("done/clip2.bin").result().get(30, TimeUnit.SECONDS)
                        .alreadyPresent());
                assertFalse(Files.exists(out.resolve("done/clip2.bin")));
                receiver.await("removed done/clip2.bin from ");
                assertTrue(client.submitRemove("done/clip2.bin").result().get(30, TimeUnit.SECONDS)
                        .alreadyPresent(), "a second remove has nothing to do");
                assertTrue(Files.isDirectory(out.resolve("done")));
            }
            receiver.stop();
            receiver.assertNoLeaks();
        }
    }
}

package fff.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.proto.Reason;
import fff.sender.PeerClient;
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
        try (FffProcess receiver = Nodes.openReceiver(dir, out)) {
            int port = receiver.awaitListening();
            try (PeerClient client = Nodes.client(dir, port)) {
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

package fff.sender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.identity.NodeIdentity;
import fff.common.jobs.Delivery;
import fff.common.jobs.Failure;
import fff.common.jobs.Job;
import fff.common.jobs.JobSpec;
import fff.common.jobs.JobState;
import fff.common.jobs.Mover;
import fff.common.peers.PeerStatus;
import fff.common.wire.HostPort;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PeerMover#status()} of a destination nobody listens for: why it is offline, before and after trying. */
class PeerMoverTest {

    @Test
    void statusSaysWhyTheDestinationIsOffline(@TempDir Path tmp) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: connections are refused
        }
        PeerTarget target = new PeerTarget(new HostPort("127.0.0.1", port), true, null, null, 1, 0);
        try (PeerMover mover = new PeerMover("siteB", target, NodeIdentity.create(tmp.resolve("id")), 2)) {
            PeerStatus before = mover.status();
            assertEquals(new PeerStatus("siteB", PeerStatus.OUT, "127.0.0.1:" + port, false, null, null, 0, 0, 0, 0.0,
                    0, 0, Map.of()), before, "never tried: offline without a reason");

            Path file = Files.writeString(tmp.resolve("a.txt"), "hello");
            Job job = new Job(1, new JobSpec("w", file, "a.txt", "siteB", "in/a.txt", "NAS", 0, 5, 0, "keep"),
                    JobState.RUNNING, false, 0, null, 0, 0, 0, 0, 0, 0, null);
            CompletableFuture<Failure> failed = new CompletableFuture<>();
            mover.start(job, new Mover.Listener() {
                @Override
                public void progress(long bytesDone) {
                }

                @Override
                public void done(Delivery delivery) {
                    failed.completeExceptionally(new AssertionError("delivered to nobody"));
                }

                @Override
                public void failed(Failure failure) {
                    failed.complete(failure);
                }
            });
            assertEquals("OFFLINE", failed.get(10, TimeUnit.SECONDS).reason());
            PeerStatus after = mover.status();
            assertFalse(after.online());
            assertEquals(0, after.connections());
            assertTrue(after.why().startsWith("cannot reach receiver at 127.0.0.1:" + port), after.why());
            assertNull(after.rttMillis());
            assertEquals(0, after.sentBytes());
        }
    }
}

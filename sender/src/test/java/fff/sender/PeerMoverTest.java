package fff.sender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.identity.NodeIdentity;
import fff.common.jobs.Delivery;
import fff.common.jobs.Failure;
import fff.common.jobs.Job;
import fff.common.jobs.JobSpec;
import fff.common.jobs.JobState;
import fff.common.jobs.Mover;
import fff.common.peers.PeerStatus;
import fff.common.transcode.FfmpegTools;
import fff.common.transcode.Profile;
import fff.common.transcode.Profiles;
import fff.common.wire.HostPort;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PeerMover#status()} of a destination nobody listens for: why it is offline, before and after trying; and
 * jobs whose whole-file profile refuses their source, which fail before any connection is made.
 */
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

    @Test
    void aSourceTheProfileRefusesFailsFinallyWithoutAConnection(@TempDir Path tmp) throws Exception {
        FfmpegTools tools = FfmpegTools.find(null);
        Profile webp = Profiles.builtIns().get("webp").orElseThrow();
        Profiles profiles = Profiles.of(Map.of("tiny-webp", new Profile("tiny-webp", webp.placement(), "",
                List.of(), List.of(), webp.convert(), webp.outputFormat(), webp.extension(), webp.expect(),
                webp.limits().withMaxSize(1000))));
        try (ServerSocket receiver = new ServerSocket(0)) {
            receiver.setSoTimeout(500);
            PeerTarget target = new PeerTarget(new HostPort("127.0.0.1", receiver.getLocalPort()), true, null, null,
                    1, 0);
            try (PeerMover mover = new PeerMover("siteB", target, NodeIdentity.create(tmp.resolve("id")), 2,
                    Transcoding.of(tools, profiles))) {
                Path text = Files.writeString(tmp.resolve("notes.txt"), "not a picture\n".repeat(20));
                Failure bad = failure(mover, job(1, text, "in/notes.webp", "webp"));
                assertEquals("BAD_SOURCE", bad.reason());
                assertFalse(bad.retryable());
                assertTrue(bad.message().startsWith("notes.txt is not media webp can take: ffprobe cannot read "),
                        bad.message());

                Path big = Files.write(tmp.resolve("big.png"), new byte[2048]);
                Failure large = failure(mover, job(2, big, "in/big.webp", "tiny-webp"));
                assertEquals("TOO_LARGE", large.reason());
                assertFalse(large.retryable());
                assertEquals("big.png is 2 KiB, above tiny-webp's max-size 1000 bytes", large.message());

                assertThrows(SocketTimeoutException.class, receiver::accept, "nothing connected to the receiver");
                assertEquals(0, mover.status().sentBytes());
            }
        }
    }

    @Test
    void aConversionToBeReturnedIsCheckedTheSameWayBeforeAnyConnection(@TempDir Path tmp) throws Exception {
        FfmpegTools tools = FfmpegTools.find(null);
        Profile webp = Profiles.builtIns().get("webp").orElseThrow();
        Profiles profiles = Profiles.of(Map.of("tiny-webp", new Profile("tiny-webp", webp.placement(), "",
                List.of(), List.of(), webp.convert(), webp.outputFormat(), webp.extension(), webp.expect(),
                webp.limits().withMaxSize(1000))));
        try (ServerSocket receiver = new ServerSocket(0)) {
            receiver.setSoTimeout(500);
            PeerTarget target = new PeerTarget(new HostPort("127.0.0.1", receiver.getLocalPort()), true, null, null,
                    1, 0);
            try (PeerMover mover = new PeerMover("siteB", target, NodeIdentity.create(tmp.resolve("id")), 2,
                    Transcoding.of(tools, profiles))) {
                Path big = Files.write(tmp.resolve("big.png"), new byte[2048]);
                Path result = tmp.resolve("results/big.webp");
                Failure large = failure(mover, returned(job(1, big, "big.webp", "tiny-webp"), result));
                assertEquals("TOO_LARGE", large.reason());
                assertFalse(large.retryable());
                assertEquals("big.png is 2 KiB, above tiny-webp's max-size 1000 bytes", large.message());

                Failure split = failure(mover, returned(job(2, big, "big.mp4", "proxy"), result));
                assertEquals("UNSUPPORTED_PROFILE", split.reason());
                assertFalse(split.retryable());

                assertThrows(SocketTimeoutException.class, receiver::accept, "nothing connected to the receiver");
                assertFalse(Files.exists(result.getParent()), "nothing written here");
                assertEquals(0, mover.status().sentBytes());
            }
        }
    }

    private static Job returned(Job j, Path returnTo) {
        return new Job(j.id(), j.spec().withReturnTo(returnTo), JobState.RUNNING, false, 0, null, 0, 0, 0, 0, 0, 0,
                null);
    }

    private static Job job(long id, Path source, String remotePath, String profile) throws Exception {
        JobSpec spec = new JobSpec("w", source, source.getFileName().toString(), "siteB", remotePath, "NAS", 0,
                Files.size(source), 0, "keep", JobSpec.Op.SEND, null, profile);
        return new Job(id, spec, JobState.RUNNING, false, 0, null, 0, 0, 0, 0, 0, 0, null);
    }

    private static Failure failure(Mover mover, Job job) throws Exception {
        CompletableFuture<Failure> failed = new CompletableFuture<>();
        mover.start(job, new Mover.Listener() {
            @Override
            public void progress(long bytesDone) {
            }

            @Override
            public void done(Delivery delivery) {
                failed.completeExceptionally(new AssertionError("delivered"));
            }

            @Override
            public void failed(Failure failure) {
                failed.complete(failure);
            }
        });
        return failed.get(30, TimeUnit.SECONDS);
    }
}

package fff.sender.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import fff.common.jobs.Delivery;
import fff.common.jobs.Failure;
import fff.common.jobs.Job;
import fff.common.jobs.JobSpec;
import fff.common.jobs.JobState;
import fff.common.jobs.Mover;
import fff.common.paths.SafePaths;
import fff.common.rate.Rate;
import fff.common.rate.RateLimiter;
import fff.common.rate.RateSchedule;
import fff.common.testing.FakeClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalMoverTest {

    private static final long MTIME = 1_600_000_000_123L;

    @TempDir
    Path dir;
    private LocalMover mover;

    @AfterEach
    void close() {
        if (mover != null) {
            mover.close();
        }
    }

    private Path root() throws IOException {
        return Files.createDirectories(dir.resolve("usb"));
    }

    @Test
    void copiesByteIdenticalWithMtimeIntoNewFoldersAndLeavesNoPartial() throws Exception {
        Path src = source("a.bin", 3 * LocalMover.BUFFER_BYTES + 12345, 1);
        mover = new LocalMover("usb", root());
        Outcome o = run(send(src, "backup/deep/er/a.bin"));
        Path out = dir.resolve("usb/backup/deep/er/a.bin");
        assertEquals(new Delivery(Files.size(src), 0, false), o.delivery(), String.valueOf(o.failure));
        assertEquals(-1L, Files.mismatch(src, out));
        assertEquals(MTIME, Files.getLastModifiedTime(out).toMillis());
        assertEquals(List.of(), partials());
        assertEquals(Files.size(src), o.progress.get(o.progress.size() - 1));
    }

    @Test
    void anEmptyFileArrives() throws Exception {
        Path src = source("empty", 0, 1);
        mover = new LocalMover("usb", root());
        assertEquals(new Delivery(0, 0, false), run(send(src, "empty")).delivery());
        assertEquals(0, Files.size(dir.resolve("usb/empty")));
    }

    @Test
    void anIdenticalFileIsAlreadyPresentAndADifferentOneIsReplaced() throws Exception {
        Path src = source("a.bin", 2_000_000, 2);
        mover = new LocalMover("usb", root());
        Path out = dir.resolve("usb/a.bin");
        Files.copy(src, out);
        FileTime theirs = Files.getLastModifiedTime(out);
        assertEquals(new Delivery(0, Files.size(src), true), run(send(src, "a.bin")).delivery());
        assertEquals(theirs, Files.getLastModifiedTime(out), "an identical file is left as it is");

        byte[] different = Files.readAllBytes(src);
        different[1_500_000] ^= 1; // same size, other content
        Files.write(out, different);
        assertEquals(new Delivery(Files.size(src), 0, false), run(send(src, "a.bin")).delivery());
        assertEquals(-1L, Files.mismatch(src, out));

        Files.write(out, new byte[] {1, 2, 3}); // other size
        assertEquals(new Delivery(Files.size(src), 0, false), run(send(src, "a.bin")).delivery());
        assertEquals(-1L, Files.mismatch(src, out));
        assertEquals(List.of(), partials());
    }

    @Test
    void aPartialWithTheSourcesPrefixIsContinuedFromItsLastWholeBlock() throws Exception {
        long size = 5L << 20;
        Path src = source("big.bin", size, 3);
        mover = new LocalMover("usb", root());
        Path partial = Files.createDirectories(dir.resolve("usb/b")).resolve(".big.bin.fff-partial");
        Files.write(partial, Arrays.copyOf(Files.readAllBytes(src), (7 << 20) / 2)); // 3.5 MiB
        Outcome o = run(send(src, "b/big.bin"));
        assertEquals(new Delivery(size - (3L << 20), 3L << 20, false), o.delivery(), String.valueOf(o.failure));
        assertEquals(-1L, Files.mismatch(src, dir.resolve("usb/b/big.bin")));
        assertFalse(Files.exists(partial));
    }

    @Test
    void aPartialThatDiffersFromTheSourceIsStartedOver() throws Exception {
        long size = 5L << 20;
        Path src = source("big.bin", size, 4);
        mover = new LocalMover("usb", root());
        Path partial = root().resolve(".big.bin.fff-partial");
        byte[] corrupt = Arrays.copyOf(Files.readAllBytes(src), 4 << 20);
        corrupt[100] ^= 0x55;
        Files.write(partial, corrupt);
        assertEquals(new Delivery(size, 0, false), run(send(src, "big.bin")).delivery());
        assertEquals(-1L, Files.mismatch(src, dir.resolve("usb/big.bin")));
        assertFalse(Files.exists(partial));
    }

    @Test
    void aSourceChangedDuringTheCopyFailsRetryablyWithNothingAtTheFinalPath() throws Exception {
        Path src = source("grows.bin", 4L * LocalMover.BUFFER_BYTES, 5);
        mover = new LocalMover("usb", root(), 0, RateLimiter.unlimited()); // checks the source after every buffer
        Outcome o = run(send(src, "grows.bin"), done -> {
            if (done == LocalMover.BUFFER_BYTES) {
                try {
                    Files.write(src, new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        assertNull(o.delivery());
        assertEquals("SOURCE_CHANGED", o.failure.reason(), o.failure.toString());
        assertTrue(o.failure.retryable() && o.failure.counts());
        assertFalse(Files.exists(dir.resolve("usb/grows.bin")));
        assertEquals(List.of(), partials());

        // changed before it started: refused at once, the same way
        Outcome again = run(send(src, "grows.bin"));
        assertEquals("SOURCE_CHANGED", again.failure.reason());
    }

    @Test
    void cancelStopsTheCopyAndRemovesThePartial() throws Exception {
        Path src = source("c.bin", 8L * LocalMover.BUFFER_BYTES, 6);
        mover = new LocalMover("usb", root(), 0, RateLimiter.unlimited());
        CompletableFuture<Mover.Running> handle = new CompletableFuture<>();
        Outcome o = new Outcome();
        o.onProgress = done -> {
            if (done >= LocalMover.BUFFER_BYTES) {
                handle.join().cancel("test cancels");
            }
        };
        handle.complete(mover.start(job(send(src, "c.bin")), o));
        o.await();
        assertEquals("CANCELLED", o.failure.reason());
        assertTrue(o.progress.get(o.progress.size() - 1) < Files.size(src), "stopped before the end: " + o.progress);
        assertFalse(Files.exists(dir.resolve("usb/c.bin")));
        assertEquals(List.of(), partials());
    }

    @Test
    void theRateLimitPacesTheCopyByItsClockAndACancelEndsTheWait() throws Exception {
        FakeClock clock = new FakeClock(1_700_000_000_000L);
        RateLimiter rate = new RateLimiter(RateSchedule.constant(new Rate(8_000_000)), null, clock, clock::nanoTime);
        Path src = source("r.bin", 3L * LocalMover.BUFFER_BYTES + 12345, 8);
        mover = new LocalMover("usb", root(), 0, rate);
        Outcome o = new Outcome();
        mover.start(job(send(src, "r.bin")), o);
        // the first buffer goes at once; the next waits for the limiter's clock, which stands still
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (o.progress.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(300);
        assertFalse(o.end.isDone());
        assertEquals(List.of((long) LocalMover.BUFFER_BYTES), o.progress);
        for (int i = 0; i < 100 && !o.end.isDone(); i++) {
            clock.advance(TimeUnit.SECONDS.toMillis(5)); // pays for a buffer at a byte a microsecond
            Thread.sleep(50);
        }
        o.await();
        assertEquals(new Delivery(Files.size(src), 0, false), o.delivery(), String.valueOf(o.failure));
        assertEquals(-1L, Files.mismatch(src, dir.resolve("usb/r.bin")));

        Outcome cancelled = new Outcome();
        Mover.Running r = mover.start(job(send(src, "r2.bin")), cancelled);
        while (cancelled.progress.isEmpty() && System.nanoTime() < deadline + TimeUnit.SECONDS.toNanos(10)) {
            Thread.sleep(10);
        }
        r.cancel("test cancels");
        cancelled.await();
        assertEquals("CANCELLED", cancelled.failure.reason());
        assertEquals(List.of(), partials());
    }

    @Test
    void pathsLeavingTheRootAreRefusedForGood() throws Exception {
        Path src = source("x", 10, 7);
        mover = new LocalMover("usb", root());
        Files.createSymbolicLink(root().resolve("link"), Files.createDirectories(dir.resolve("elsewhere")));
        for (String bad : List.of("../x", "a/../../x", "/etc/x", "a//x", "./x", "a\\..\\x", ".x.fff-partial",
                "link/x")) {
            Outcome o = run(send(src, bad));
            assertNotNull(o.failure, bad);
            assertEquals("BAD_PATH", o.failure.reason(), bad + ": " + o.failure);
            assertFalse(o.failure.retryable(), bad);
        }
        try (Stream<Path> s = Files.list(dir.resolve("elsewhere"))) {
            assertEquals(0, s.count());
        }
        assertFalse(Files.exists(dir.resolve("x")));
    }

    @Test
    void removeAndRenameMirrorTheSource() throws Exception {
        Path src = source("m.bin", 1000, 8);
        mover = new LocalMover("usb", root());
        assertNull(run(send(src, "m/take1.bin")).failure);
        JobSpec sent = send(src, "m/final/take2.bin");

        assertEquals(new Delivery(0, 0, false), run(sent.asRenameFrom("m/take1.bin")).delivery());
        assertFalse(Files.exists(dir.resolve("usb/m/take1.bin")));
        assertEquals(-1L, Files.mismatch(src, dir.resolve("usb/m/final/take2.bin")));
        Outcome missing = run(sent.asRenameFrom("m/nothing.bin"));
        assertEquals("NOT_FOUND", missing.failure.reason());
        assertFalse(missing.failure.retryable(), "the job db sends the file instead");

        assertEquals(new Delivery(0, 0, false), run(sent.asRemove()).delivery());
        assertFalse(Files.exists(dir.resolve("usb/m/final/take2.bin")));
        assertEquals(new Delivery(0, 0, true), run(sent.asRemove()).delivery(), "already gone");
    }

    @Test
    void aMissingRootIsADestinationOfflineThatDoesNotCountAndIsNeverCreated() throws Exception {
        Path src = source("r.bin", 1000, 9);
        Path unmounted = dir.resolve("media/usb");
        mover = new LocalMover("usb", unmounted);
        List<String> changes = new CopyOnWriteArrayList<>();
        mover.onOnlineChange((up, why) -> changes.add(up + " " + why));
        Outcome o = run(send(src, "backup/r.bin"));
        assertEquals("DEST_MISSING", o.failure.reason());
        assertTrue(o.failure.retryable());
        assertFalse(o.failure.counts());
        assertFalse(Files.exists(dir.resolve("media")), "nothing is created where the device should be");
        assertEquals(1, changes.size(), changes.toString());
        assertTrue(changes.get(0).startsWith("false "), changes.toString());
        assertFalse(mover.status().online());
        assertTrue(mover.status().why().contains("is missing (device not mounted?)"), mover.status().why());

        Files.createDirectories(unmounted); // mounted again
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (changes.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals("true null", changes.get(1));
        assertNull(run(send(src, "backup/r.bin")).failure);
        assertTrue(mover.status().online());
        assertNull(mover.status().why());
        assertEquals(1000, mover.status().sentBytes(), "delivered bytes are counted for the peers list");
        assertEquals(unmounted.toString(), mover.status().address());
    }

    @Test
    void aMissingSourceOrAProfileFailsForGood() throws Exception {
        Path src = source("gone.bin", 10, 10);
        mover = new LocalMover("usb", root());
        JobSpec spec = send(src, "gone.bin");
        Outcome profiled = run(spec.withProfile("proxy"));
        assertEquals("UNSUPPORTED_PROFILE", profiled.failure.reason());
        assertFalse(profiled.failure.retryable());
        Files.delete(src);
        Outcome gone = run(spec);
        assertEquals("SOURCE_GONE", gone.failure.reason());
        assertFalse(gone.failure.retryable());
    }

    @Test
    void anUnwritableFolderIsPermissionDenied() throws Exception {
        Path src = source("p.bin", 10, 11);
        mover = new LocalMover("usb", root());
        Path locked = Files.createDirectories(root().resolve("locked"));
        locked.toFile().setWritable(false, false);
        try {
            assumeFalse(Files.isWritable(locked), "running as root: permissions do not stop us");
            Outcome o = run(send(src, "locked/p.bin"));
            assertEquals("PERMISSION_DENIED", o.failure.reason(), o.failure.toString());
            assertFalse(o.failure.retryable());
        } finally {
            locked.toFile().setWritable(true, false);
        }
    }

    @Test
    void workersAreNamedAfterTheDestination() throws Exception {
        Path src = source("t.bin", 10, 12);
        mover = new LocalMover("usb", root());
        String[] thread = new String[1];
        Outcome o = run(send(src, "t.bin"), done -> thread[0] = Thread.currentThread().getName());
        assertNull(o.failure);
        assertTrue(thread[0].matches("fff-local-usb-\\d+"), thread[0]);
    }

    // ---- helpers ----

    private Path source(String name, long size, long seed) throws IOException {
        Path p = Files.createDirectories(dir.resolve("src")).resolve(name);
        byte[] b = new byte[(int) size];
        new Random(seed).nextBytes(b);
        Files.write(p, b);
        Files.setLastModifiedTime(p, FileTime.fromMillis(MTIME));
        return p;
    }

    private JobSpec send(Path src, String remote) throws IOException {
        return new JobSpec("rule", src, src.getFileName().toString(), "usb", remote, "g", 0, Files.size(src), MTIME,
                "keep");
    }

    private static Job job(JobSpec spec) {
        return new Job(1, spec, JobState.RUNNING, false, 0, null, 0, 0, 0, 0, 0, 0, null);
    }

    private Outcome run(JobSpec spec) throws Exception {
        return run(spec, done -> { });
    }

    private Outcome run(JobSpec spec, LongConsumer onProgress) throws Exception {
        Outcome o = new Outcome();
        o.onProgress = onProgress;
        mover.start(job(spec), o);
        o.await();
        return o;
    }

    private List<Path> partials() throws IOException {
        try (Stream<Path> s = Files.walk(dir.resolve("usb"))) {
            return s.filter(p -> SafePaths.isPartialName(p.getFileName().toString())).toList();
        }
    }

    static final class Outcome implements Mover.Listener {
        final List<Long> progress = new CopyOnWriteArrayList<>();
        final CompletableFuture<Object> end = new CompletableFuture<>();
        volatile LongConsumer onProgress = done -> { };
        volatile Failure failure;

        @Override
        public void progress(long bytesDone) {
            progress.add(bytesDone);
            onProgress.accept(bytesDone);
        }

        @Override
        public void done(Delivery delivery) {
            assertTrue(end.complete(delivery), "reported twice");
        }

        @Override
        public void failed(Failure f) {
            failure = f;
            assertTrue(end.complete(f), "reported twice");
        }

        Delivery delivery() {
            return end.join() instanceof Delivery d ? d : null;
        }

        void await() throws Exception {
            end.get(30, TimeUnit.SECONDS);
        }
    }
}

package fff.sender.ftp;

import static fff.sender.ftp.FtpTesting.again;
import static fff.sender.ftp.FtpTesting.location;
import static fff.sender.ftp.FtpTesting.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.jobs.Delivery;
import fff.common.jobs.Failure;
import fff.common.jobs.Job;
import fff.common.jobs.JobSpec;
import fff.common.rate.Rate;
import fff.common.rate.RateLimiter;
import fff.common.rate.RateSchedule;
import fff.common.testing.FakeClock;
import fff.common.testing.TestData;
import fff.common.testing.Vsftpd;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ftpserver.FtpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The FTP mover against a real vsftpd (anonymous, plain and FTPS) and an embedded Apache FtpServer (a user). */
class FtpMoverTest {

    private static Vsftpd plain;
    /** Killed and restarted by the resume test. */
    private static Vsftpd crash;
    private static Vsftpd tls;

    @TempDir
    Path tmp;

    @BeforeAll
    static void servers() throws Exception {
        plain = Vsftpd.start(false);
        crash = Vsftpd.start(false);
        tls = Vsftpd.start(true);
    }

    @AfterAll
    static void stop() {
        for (Vsftpd v : new Vsftpd[] {plain, crash, tls}) {
            if (v != null) {
                v.close();
            }
        }
    }

    private Path file(String name, int size, long seed) throws Exception {
        return Files.write(tmp.resolve(name), TestData.bytes(size, seed));
    }

    private static FtpMover mover(Vsftpd v, String dir) {
        return new FtpMover("t", location(v.url(dir), null, v.certPem()), k -> null);
    }

    @Test
    void uploadIsByteIdenticalWithFoldersMadeAndNoPartLeft() throws Exception {
        Path src = file("clip.mxf", 3_000_000, 1);
        try (FtpMover m = mover(plain, "/in")) {
            Delivery d = (Delivery) FtpTesting.run(m, send(src, "day1/cam a/clip.mxf"));
            assertEquals(new Delivery(3_000_000, 0, false), d);
            Path landed = plain.writable().resolve("day1/cam a/clip.mxf");
            assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(landed));
            assertFalse(Files.exists(plain.writable().resolve("day1/cam a/.clip.mxf.fff-part")));
            var st = m.status();
            assertTrue(st.online(), st.toString());
            assertEquals(3_000_000, st.sentBytes());
            assertEquals(1, st.connections(), "the session stays in the pool for the next job");
        }
    }

    @Test
    void theRateLimitPacesTheUploadByItsClockAndACancelEndsTheWait() throws Exception {
        FakeClock clock = new FakeClock(1_700_000_000_000L);
        RateLimiter rate = new RateLimiter(RateSchedule.constant(new Rate(8_000_000)), null, clock, clock::nanoTime);
        Path src = file("rated.bin", 3_000_000, 9);
        try (FtpMover m = new FtpMover("t", location(plain.url("/in"), null, null), k -> null, rate)) {
            FtpTesting.Outcome o = new FtpTesting.Outcome();
            m.start(send(src, "rated.bin"), o);
            // the first MiB goes at once; the next waits for the limiter's clock, which stands still
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (o.lastProgress < 1 << 20 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(300);
            assertFalse(o.end.isDone());
            assertEquals(1 << 20, o.lastProgress);
            for (int i = 0; i < 100 && !o.end.isDone(); i++) {
                clock.advance(TimeUnit.SECONDS.toMillis(2)); // pays for a chunk at a byte a microsecond
                Thread.sleep(50);
            }
            assertEquals(new Delivery(3_000_000, 0, false), o.delivery());
            assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(plain.writable().resolve("rated.bin")));

            FtpTesting.Outcome stopped = new FtpTesting.Outcome();
            var running = m.start(send(src, "rated2.bin"), stopped);
            while (stopped.lastProgress < 1 << 20 && System.nanoTime() < deadline + TimeUnit.SECONDS.toNanos(10)) {
                Thread.sleep(10);
            }
            running.cancel("operator");
            assertEquals("CANCELLED", stopped.failure().reason());
            assertFalse(Files.exists(plain.writable().resolve(".rated2.bin.fff-part")));
        }
    }

    @Test
    void uploadGoesUnderThePartNameAndTheFinalNameAppearsWhenComplete() throws Exception {
        Path src = file("big.bin", 1_500_000, 2);
        Path part = plain.writable().resolve("paced/.big.bin.fff-part");
        Path fin = plain.writable().resolve("paced/big.bin");
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        try (FtpMover m = mover(plain, "/in")) {
            // the upload thread reports its first chunk and waits there: the transfer is open, mid-way
            var o = new FtpTesting.Outcome(n -> {
                if (n > 0 && n < 1_500_000 && inside.getCount() > 0) {
                    inside.countDown();
                    await(go);
                }
            });
            m.start(send(src, "paced/big.bin"), o);
            assertTrue(inside.await(10, TimeUnit.SECONDS), "a progress report mid-upload");
            try (FtpSession s = new FtpConnector(location(plain.url("/in"), null, null), k -> null).open()) {
                assertTrue(s.list("/in/paced", false).isEmpty(), "the part is a dot-file: listings skip it");
                assertTrue(s.size("/in/paced/.big.bin.fff-part") >= 0);
                assertEquals(-1, s.size("/in/paced/big.bin"));
            }
            assertTrue(Files.exists(part));
            assertFalse(Files.exists(fin));
            go.countDown();
            o.delivery();
            assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(fin));
            assertFalse(Files.exists(part));
        }
    }

    private static void await(CountDownLatch l) {
        try {
            l.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void droppedConnectionKeepsThePartAndTheNextAttemptResumesIt() throws Exception {
        Path src = file("resume.bin", 2_000_000, 3);
        Path part = crash.writable().resolve(".resume.bin.fff-part");
        try (FtpMover m = mover(crash, "/in")) {
            Job job = send(src, "resume.bin");
            AtomicBoolean killed = new AtomicBoolean();
            // after the first chunk has reached the server's disk, every vsftpd process dies
            var first = new FtpTesting.Outcome(n -> {
                if (n > 0 && killed.compareAndSet(false, true)) {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (size(part) <= 0 && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    crash.kill();
                }
            });
            m.start(job, first);
            Failure f = first.failure();
            assertTrue(f.retryable() && f.counts(), f.toString());
            assertEquals("IO_ERROR", f.reason(), f.toString());
            long kept = Files.size(part);
            assertTrue(kept > 0 && kept < 2_000_000, "partial upload kept: " + kept);

            crash.restart();
            Delivery d = (Delivery) FtpTesting.run(m, again(job));
            assertEquals(kept, d.resumedFrom(), d.toString());
            assertTrue(d.bytesSent() >= 2_000_000, "both attempts counted: " + d);
            assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(crash.writable().resolve("resume.bin")));
            assertFalse(Files.exists(part));
            assertEquals(1, m.status().resumes());
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    @Test
    void cancelStopsPromptlyAndRemovesThePart() throws Exception {
        Path src = file("cancel.bin", 4_000_000, 4);
        try (FtpMover m = mover(plain, "/in")) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch cancelled = new CountDownLatch(1);
            var o = new FtpTesting.Outcome(n -> {
                if (n > 0 && started.getCount() > 0) {
                    started.countDown();
                    await(cancelled);
                }
            });
            var running = m.start(send(src, "cancel.bin"), o);
            assertTrue(started.await(10, TimeUnit.SECONDS));
            long t0 = System.nanoTime();
            running.cancel("operator");
            cancelled.countDown();
            Failure f = o.failure();
            assertEquals(Failure.of("CANCELLED", "operator", false), f);
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(3), "prompt");
            assertFalse(Files.exists(plain.writable().resolve(".cancel.bin.fff-part")));
            assertFalse(Files.exists(plain.writable().resolve("cancel.bin")));
            assertTrue(o.lastProgress < 4_000_000, "stopped mid-way: " + o.lastProgress);
        }
    }

    @Test
    void ftpsUploadTrustsTheCaFile() throws Exception {
        Path src = file("secure.bin", 700_000, 5);
        try (FtpMover m = mover(tls, "/in")) {
            Delivery d = (Delivery) FtpTesting.run(m, send(src, "s/secure.bin"));
            assertEquals(700_000, d.bytesSent());
            assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(tls.writable().resolve("s/secure.bin")));
        }
    }

    @Test
    void ftpsWithAnUntrustedCertificateIsATlsFailure() throws Exception {
        Path src = file("x.bin", 10, 6);
        try (FtpMover m = new FtpMover("t", location(tls.url("/in"), null, null), k -> null)) {
            Failure f = (Failure) FtpTesting.run(m, send(src, "x.bin"));
            assertEquals("TLS", f.reason(), f.toString());
            assertFalse(f.retryable());
            assertTrue(f.message().contains("certification path") || f.message().contains("PKIX"), f.message());
            assertFalse(m.status().online());
        }
    }

    @Test
    void loginFailureNamesUserAndHostButNotThePassword() throws Exception {
        Path src = file("x.bin", 10, 7);
        String url = "ftp://cam@127.0.0.1:" + plain.port() + "/in";
        Map<String, String> env = Map.of("CAM_PW", "s3cret-pw");
        try (FtpMover m = new FtpMover("t", location(url, "CAM_PW", null), env::get)) {
            Failure f = (Failure) FtpTesting.run(m, send(src, "x.bin"));
            assertEquals("LOGIN_FAILED", f.reason(), f.toString());
            assertFalse(f.retryable());
            assertTrue(f.message().startsWith("ftp://cam@127.0.0.1:" + plain.port() + "/in: login refused for user 'cam' (530"),
                    f.message());
            assertFalse(f.message().contains("s3cret"), f.message());
            assertFalse(m.status().toString().contains("s3cret"));
        }
    }

    @Test
    void uploadIntoTheReadOnlyRootIsPermissionDenied() throws Exception {
        Path src = file("x.bin", 10, 8);
        try (FtpMover m = mover(plain, "/")) {
            Failure f = (Failure) FtpTesting.run(m, send(src, "x.bin"));
            assertEquals("PERMISSION_DENIED", f.reason(), f.toString());
            assertFalse(f.retryable());
            assertTrue(f.message().contains("/.x.bin.fff-part"), f.message());
        }
    }

    @Test
    void connectionRefusedIsOfflineAndDoesNotCount() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path src = file("x.bin", 10, 9);
        try (FtpMover m = new FtpMover("t", location("ftp://127.0.0.1:" + port + "/in", null, null), k -> null)) {
            Failure f = (Failure) FtpTesting.run(m, send(src, "x.bin"));
            assertEquals(new Failure("OFFLINE", f.message(), true, false, 0), f);
            assertTrue(f.message().startsWith("ftp://127.0.0.1:" + port + "/in: cannot connect"), f.message());
            assertFalse(m.status().online());
            assertEquals(f.message(), m.status().why());
        }
    }

    @Test
    void mirrorJobsRenameAndRemove() throws Exception {
        Path src = file("m.bin", 1000, 10);
        try (FtpMover m = mover(plain, "/in")) {
            Job sent = send(src, "mirror/m.bin");
            FtpTesting.run(m, sent);
            JobSpec renamed = new JobSpec("w", src, "m.bin", "t", "mirror/sub/m2.bin", "default", 0, 1000,
                    0, "keep").asRenameFrom("mirror/m.bin");
            assertEquals(new Delivery(0, 0, false), FtpTesting.run(m, FtpTesting.job(renamed)));
            assertTrue(Files.exists(plain.writable().resolve("mirror/sub/m2.bin")));
            assertFalse(Files.exists(plain.writable().resolve("mirror/m.bin")));
            JobSpec removal = renamed.asRemove();
            assertEquals(new Delivery(0, 0, false), FtpTesting.run(m, FtpTesting.job(removal)));
            assertFalse(Files.exists(plain.writable().resolve("mirror/sub/m2.bin")));
            assertEquals(new Delivery(0, 0, false), FtpTesting.run(m, FtpTesting.job(removal)),
                    "removing what is gone is fine");
        }
    }

    @Test
    void aProfileIsNotForFtp() throws Exception {
        Path src = file("x.bin", 10, 11);
        try (FtpMover m = mover(plain, "/in")) {
            Job j = FtpTesting.job(send(src, "x.bin").spec().withProfile("IMX30"));
            Failure f = (Failure) FtpTesting.run(m, j);
            assertEquals("UNSUPPORTED_PROFILE", f.reason());
            assertFalse(f.retryable());
        }
    }

    @Test
    void userWithPasswordServerHashAndAlreadyPresent(@TempDir Path home) throws Exception {
        FtpServer server = FtpTesting.embedded(home, "pass word", 0);
        try (FtpMover m = new FtpMover("t", location("ftp://cam@127.0.0.1:" + FtpTesting.port(server) + "/out",
                "PW", null), Map.of("PW", "pass word")::get)) {
            Path src = file("h.bin", 1_200_000, 12);
            Job job = send(src, "h.bin");
            assertEquals(new Delivery(1_200_000, 0, false), FtpTesting.run(m, job));
            assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(home.resolve("out/h.bin")));
            // FtpServer offers MD5 (FEAT): the second time the server's hash matches, nothing is sent
            assertEquals(new Delivery(0, 0, true), FtpTesting.run(m, FtpTesting.job(job.spec())));
            // same size, other content: sent again and replaced
            byte[] other = TestData.bytes(1_200_000, 99);
            Files.write(home.resolve("out/h.bin"), other);
            assertEquals(new Delivery(1_200_000, 0, false), FtpTesting.run(m, FtpTesting.job(job.spec())));
            assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(home.resolve("out/h.bin")));
        } finally {
            server.stop();
        }
    }

    @Test
    void quotaExceededIsDiskFullAndRetryable(@TempDir Path home) throws Exception {
        FtpServer server = FtpTesting.embedded(home, "pw", 1_000_000);
        try (FtpMover m = new FtpMover("t", location("ftp://cam@127.0.0.1:" + FtpTesting.port(server) + "/",
                "PW", null), Map.of("PW", "pw")::get)) {
            FtpTesting.run(m, send(file("a.bin", 1_100_000, 13), "a.bin"));
            Failure f = (Failure) FtpTesting.run(m, send(file("b.bin", 1000, 14), "b.bin"));
            assertEquals("DISK_FULL", f.reason(), f.toString());
            assertTrue(f.retryable());
            assertTrue(f.message().contains("552"), f.message());
        } finally {
            server.stop();
        }
    }
}

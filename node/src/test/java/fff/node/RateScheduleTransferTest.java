package fff.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.identity.NodeIdentity;
import fff.common.rate.RateLimiter;
import fff.common.rate.RateSchedule;
import fff.common.wire.HostPort;
import fff.receiver.PeerServer;
import fff.receiver.ReceiverConfig;
import fff.receiver.ReceiverEvents;
import fff.sender.PeerClient;
import fff.sender.PeerTarget;
import fff.sender.TransferResult;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real sending and receiving ends ({@link PeerClient}, {@link PeerServer}) over loopback, the destination's
 * limiter reading its schedule on a wall clock that starts 3 s before 18:00 on a Monday and runs at real speed:
 * {@code 18:00-19:00 Mon 240M, otherwise 80M} switches in the middle of a transfer, and the bytes the client counts
 * as it writes them follow, before and after the boundary.
 */
class RateScheduleTransferTest {

    private static final ZoneId ZONE = ZoneOffset.ofHours(1);
    private static final Instant SIX = ZonedDateTime.of(2024, 1, 1, 18, 0, 0, 0, ZONE).toInstant();

    /** The wall clock at {@code start} when this test's clock started, moving with System.nanoTime. */
    private static final class ShiftedClock extends Clock {
        private final Instant start;
        private final long startNanos = System.nanoTime();

        ShiftedClock(Instant start) {
            this.start = start;
        }

        @Override
        public Instant instant() {
            return start.plusNanos(System.nanoTime() - startNanos);
        }

        @Override
        public ZoneId getZone() {
            return ZONE;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    private record Sample(Instant at, long bytes) {
    }

    @Test
    void aScheduleBoundaryCrossedDuringATransferChangesItsRate(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("big.bin");
        write(src, 160L << 20);
        NodeIdentity receiver = NodeIdentity.create(dir.resolve("b"));
        NodeIdentity sender = NodeIdentity.create(dir.resolve("a"));
        PeerServer server = PeerServer.start(ReceiverConfig.of(new HostPort("127.0.0.1", 0), true,
                Files.createDirectories(dir.resolve("in")), true, Set.of(), 0), receiver, ReceiverEvents.NONE);
        ShiftedClock wall = new ShiftedClock(SIX.minusSeconds(3));
        RateLimiter rate = new RateLimiter(RateSchedule.parse("rate", List.of("18:00-19:00 Mon 240M",
                "otherwise 80M"), true), null, wall, System::nanoTime);
        PeerTarget target = new PeerTarget(new HostPort("127.0.0.1", server.address().getPort()), true,
                receiver.id(), null, 1, 0);
        List<Sample> samples = new ArrayList<>();
        try (PeerClient client = new PeerClient(target, sender, 2, null, rate)) {
            CompletableFuture<TransferResult> sent = client.send(src, "big.bin", null);
            while (wall.instant().isBefore(SIX.plusMillis(3200)) && !sent.isDone()) {
                samples.add(new Sample(wall.instant(), client.traffic().sentBytes()));
                Thread.sleep(10);
            }
            assertTrue(!sent.isDone(), "the file outlasts the test");
        } finally {
            server.close();
        }
        double before = slope(samples, SIX.minusMillis(1800), SIX.minusMillis(100));
        double after = slope(samples, SIX.plusMillis(300), SIX.plusMillis(3200));
        System.out.printf("80M before 18:00: %.1f Mbit/s; 240M after: %.1f Mbit/s%n", before / 1e6, after / 1e6);
        assertEquals(80e6, before, 8e6);
        assertEquals(240e6, after, 24e6);
    }

    /** Least-squares bits per second of the samples within [from, to]. */
    private static double slope(List<Sample> samples, Instant from, Instant to) {
        List<Sample> in = samples.stream().filter(s -> !s.at.isBefore(from) && !s.at.isAfter(to)).toList();
        assertTrue(in.size() > 20, "samples in the window: " + in.size());
        double n = in.size();
        double mx = in.stream().mapToDouble(s -> seconds(s.at)).sum() / n;
        double my = in.stream().mapToDouble(s -> s.bytes * 8.0).sum() / n;
        double num = 0;
        double den = 0;
        for (Sample s : in) {
            double dx = seconds(s.at) - mx;
            num += dx * (s.bytes * 8.0 - my);
            den += dx * dx;
        }
        return num / den;
    }

    private static double seconds(Instant at) {
        return (at.toEpochMilli() - SIX.toEpochMilli()) / 1000.0 + (at.getNano() % 1_000_000) / 1e9;
    }

    private static void write(Path file, long size) throws Exception {
        Random rnd = new Random(11);
        byte[] buf = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= buf.length) {
                rnd.nextBytes(buf);
                out.write(buf, 0, (int) Math.min(buf.length, left));
            }
        }
    }
}

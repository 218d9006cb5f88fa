package fff.receiver.storage;

import static fff.common.testing.TestData.bytes;
import static fff.common.testing.TestData.digest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.hash.ContentHasher;
import fff.common.paths.SafePaths;
import fff.proto.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StripedFileTest {

    private static final int MIB = ContentHasher.BLOCK_SIZE;
    private static final long MTIME = 1_600_000_000_000L;

    @TempDir
    Path root;

    LandingArea area;
    ExecutorService pool;

    @BeforeEach
    void setUp() throws IOException {
        area = new LandingArea(root.resolve("landing"), 0);
        pool = Executors.newFixedThreadPool(8);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    @Test
    void threePartsFromThreeThreadsMakeTheFile() throws Exception {
        byte[] src = bytes(5 * MIB + MIB / 2, 21);
        int[][] parts = {{0, 2 * MIB}, {2 * MIB, 4 * MIB}, {4 * MIB, src.length}};
        CyclicBarrier allOpen = new CyclicBarrier(parts.length);
        List<Future<StripeIncoming>> written = new ArrayList<>();
        for (int[] p : parts) {
            written.add(pool.submit(() -> {
                StripeIncoming in = stripe(area, "d/big.mxf", src.length, p[0], p[1]);
                allOpen.await(10, TimeUnit.SECONDS); // every part open before any byte is written
                assertEquals(p[0], in.resumeOffset());
                assertFalse(in.present());
                assertArrayEquals(new ContentHasher().digest(), in.prefixDigest());
                in.startFrom(p[0]);
                send(in, src, p[0], p[1], 100_000);
                return in;
            }));
        }
        Path fin = area.root().resolve("d/big.mxf");
        int[] order = {2, 0, 1};
        for (int k = 0; k < order.length; k++) {
            int[] p = parts[order[k]];
            StripeIncoming in = written.get(order[k]).get(30, TimeUnit.SECONDS);
            Verdict v = in.finish(p[1] - p[0], partDigest(src, p[0], p[1]));
            assertTrue(v.ok(), v.message());
            if (k < order.length - 1) {
                assertEquals(Verdict.Outcome.PART_VERIFIED, v.outcome(), v.message());
                assertFalse(Files.exists(fin), "moved into place before the last part");
                assertTrue(Files.exists(SafePaths.partialFor(fin)));
                assertTrue(Files.exists(SafePaths.rangesFor(fin)));
            } else {
                assertEquals(Verdict.Outcome.VERIFIED, v.outcome(), v.message());
            }
        }
        assertArrayEquals(src, Files.readAllBytes(fin));
        assertEquals(MTIME, Files.getLastModifiedTime(fin).toMillis());
        assertEquals(0, partials());
        // released: an unstriped begin now finds the file present
        try (Incoming again = area.begin("d/big.mxf", src.length, MTIME)) {
            assertTrue(again.present());
        }
    }

    @Test
    void partsFinishingAtOnceCompleteTheFileExactlyOnce() throws Exception {
        byte[] src = bytes(8 * MIB - 1000, 22);
        CyclicBarrier together = new CyclicBarrier(8);
        List<Future<Verdict>> verdicts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int from = i * MIB;
            int to = Math.min(src.length, from + MIB);
            verdicts.add(pool.submit(() -> {
                StripeIncoming in = stripe(area, "f.bin", src.length, from, to);
                in.startFrom(from);
                send(in, src, from, to, 1 << 16);
                together.await(10, TimeUnit.SECONDS);
                return in.finish(to - from, partDigest(src, from, to));
            }));
        }
        int complete = 0;
        for (Future<Verdict> f : verdicts) {
            Verdict v = f.get(30, TimeUnit.SECONDS);
            assertTrue(v.outcome() == Verdict.Outcome.VERIFIED || v.outcome() == Verdict.Outcome.PART_VERIFIED,
                    v.message());
            complete += v.outcome() == Verdict.Outcome.VERIFIED ? 1 : 0;
        }
        assertEquals(1, complete);
        assertArrayEquals(src, Files.readAllBytes(area.root().resolve("f.bin")));
        assertEquals(0, partials());
    }

    @Test
    void partsResumeWhereTheyStoppedAfterARestart() throws Exception {
        byte[] src = bytes(6 * MIB, 23);
        StripeIncoming s0 = stripe(area, "r.bin", src.length, 0, 2 * MIB);
        s0.startFrom(0);
        send(s0, src, 0, 3 * MIB / 2, 300_000);
        s0.abandon();
        StripeIncoming s1 = stripe(area, "r.bin", src.length, 2 * MIB, 4 * MIB);
        s1.startFrom(2 * MIB);
        send(s1, src, 2 * MIB, 2 * MIB + 5 * MIB / 4, 300_000);
        s1.abandon();
        // the third part is written but never abandoned: a kill -9, its progress was never recorded
        StripeIncoming s2 = stripe(area, "r.bin", src.length, 4 * MIB, 6 * MIB);
        s2.startFrom(4 * MIB);
        send(s2, src, 4 * MIB, 5 * MIB + 10, 300_000);

        Path fin = area.root().resolve("r.bin");
        RangesFile.State kept = RangesFile.parse(Files.readString(SafePaths.rangesFor(fin)));
        assertEquals("{[0, 1048576), [2097152, 3145728)}", kept.held().toString());
        assertEquals("{}", kept.verified().toString());

        LandingArea restarted = new LandingArea(area.root(), 0);
        StripeIncoming r0 = stripe(restarted, "r.bin", src.length, 0, 2 * MIB);
        StripeIncoming r1 = stripe(restarted, "r.bin", src.length, 2 * MIB, 4 * MIB);
        StripeIncoming r2 = stripe(restarted, "r.bin", src.length, 4 * MIB, 6 * MIB);
        assertEquals(MIB, r0.resumeOffset());
        assertArrayEquals(partDigest(src, 0, MIB), r0.prefixDigest());
        assertEquals(3L * MIB, r1.resumeOffset());
        assertArrayEquals(partDigest(src, 2 * MIB, 3 * MIB), r1.prefixDigest());
        assertEquals(4L * MIB, r2.resumeOffset());
        assertArrayEquals(new ContentHasher().digest(), r2.prefixDigest());
        assertThrows(IllegalArgumentException.class, () -> r1.startFrom(2 * MIB + MIB / 2));

        StripeIncoming[] rs = {r0, r1, r2};
        List<Verdict> verdicts = new ArrayList<>();
        for (StripeIncoming r : rs) {
            r.startFrom(r.resumeOffset());
            send(r, src, (int) r.resumeOffset(), (int) r.end(), 1 << 18);
            verdicts.add(r.finish(r.end() - r.offset(), partDigest(src, (int) r.offset(), (int) r.end())));
        }
        assertEquals(Verdict.Outcome.PART_VERIFIED, verdicts.get(0).outcome(), verdicts.get(0).message());
        assertEquals(Verdict.Outcome.PART_VERIFIED, verdicts.get(1).outcome(), verdicts.get(1).message());
        assertEquals(Verdict.Outcome.VERIFIED, verdicts.get(2).outcome(), verdicts.get(2).message());
        assertArrayEquals(src, Files.readAllBytes(fin));
        assertEquals(0, partials());
    }

    @Test
    void progressIsRecordedEvery64MiBWhileWriting() throws Exception {
        byte[] src = bytes(66 * MIB, 24);
        StripeIncoming s = stripe(area, "long.bin", src.length, 0, src.length);
        s.startFrom(0);
        send(s, src, 0, 65 * MIB + 5, 1 << 20);
        // no abandon: as if the receiver were killed now

        StripeIncoming r = stripe(new LandingArea(area.root(), 0), "long.bin", src.length, 0, src.length);
        assertEquals(64L * MIB, r.resumeOffset());
        assertArrayEquals(partDigest(src, 0, 64 * MIB), r.prefixDigest());
        r.abandon();
    }

    @Test
    void restartingOnePartLeavesTheOthersHeld() throws Exception {
        byte[] src = bytes(4 * MIB, 25);
        StripeIncoming a = stripe(area, "x.bin", src.length, 0, 2 * MIB);
        StripeIncoming b = stripe(area, "x.bin", src.length, 2 * MIB, 4 * MIB);
        a.startFrom(0);
        b.startFrom(2 * MIB);
        send(a, src, 0, 3 * MIB / 2, 1 << 18);
        send(b, src, 2 * MIB, 7 * MIB / 2, 1 << 18);
        a.abandon();
        b.abandon();

        StripeIncoming b2 = stripe(area, "x.bin", src.length, 2 * MIB, 4 * MIB);
        assertEquals(3L * MIB, b2.resumeOffset());
        b2.startFrom(2 * MIB); // the sender's prefix differed
        assertEquals(2L * MIB, b2.written());
        b2.abandon();

        StripeIncoming a3 = stripe(area, "x.bin", src.length, 0, 2 * MIB);
        StripeIncoming b3 = stripe(area, "x.bin", src.length, 2 * MIB, 4 * MIB);
        assertEquals(MIB, a3.resumeOffset());
        assertEquals(2L * MIB, b3.resumeOffset());
        a3.abandon();
        b3.abandon();
    }

    @Test
    void sidecarNeverClaimsMoreThanThePartialHolds() throws Exception {
        byte[] src = bytes(3 * MIB, 35);
        Path fin = area.root().resolve("k.bin");
        assertEquals(Verdict.Outcome.PART_VERIFIED, sendPart("k.bin", src, 0, 2 * MIB).outcome());
        // the partial cut short behind the sidecar's back (a crash while an unstriped begin folded it)
        try (FileChannel ch = FileChannel.open(SafePaths.partialFor(fin), StandardOpenOption.WRITE)) {
            ch.truncate(MIB + 5);
        }
        StripeIncoming s = stripe(area, "k.bin", src.length, 0, 2 * MIB);
        assertEquals(MIB, s.resumeOffset());
        assertArrayEquals(partDigest(src, 0, MIB), s.prefixDigest());
        s.abandon();
    }

    @Test
    void hashMismatchOnOnePartKeepsTheOthers() throws Exception {
        byte[] src = bytes(3 * MIB, 26);
        Path fin = area.root().resolve("h.bin");
        assertEquals(Verdict.Outcome.PART_VERIFIED, sendPart("h.bin", src, 0, MIB).outcome());
        assertEquals(Verdict.Outcome.PART_VERIFIED, sendPart("h.bin", src, 2 * MIB, 3 * MIB).outcome());

        StripeIncoming mid = stripe(area, "h.bin", src.length, MIB, 2 * MIB);
        mid.startFrom(MIB);
        send(mid, src, MIB, 2 * MIB, 1 << 16);
        byte[] wrong = partDigest(src, MIB, 2 * MIB);
        wrong[3] ^= 1;
        Verdict v = mid.finish(MIB, wrong);
        assertEquals(Verdict.Outcome.HASH_MISMATCH, v.outcome());
        assertEquals(Reason.HASH_MISMATCH, v.reason());
        assertTrue(v.message().contains(ContentHasher.hex(wrong)), v.message());
        assertFalse(Files.exists(fin));
        assertTrue(Files.exists(SafePaths.partialFor(fin)));
        RangesFile.State kept = RangesFile.parse(Files.readString(SafePaths.rangesFor(fin)));
        assertEquals("{[0, 1048576), [2097152, 3145728)}", kept.verified().toString());
        assertEquals("{[0, 1048576), [2097152, 3145728)}", kept.held().toString());

        StripeIncoming first = stripe(area, "h.bin", src.length, 0, MIB);
        assertEquals(MIB, first.resumeOffset()); // verified: nothing left to send
        assertArrayEquals(partDigest(src, 0, MIB), first.prefixDigest());
        first.abandon();

        StripeIncoming retry = stripe(area, "h.bin", src.length, MIB, 2 * MIB);
        assertEquals(MIB, retry.resumeOffset());
        retry.startFrom(MIB);
        send(retry, src, MIB, 2 * MIB, 1 << 16);
        assertEquals(Verdict.Outcome.VERIFIED, retry.finish(MIB, partDigest(src, MIB, 2 * MIB)).outcome());
        assertArrayEquals(src, Files.readAllBytes(fin));
        assertEquals(0, partials());
    }

    @Test
    void sizeMismatchAndWritesOutsideThePartAreRefused() throws Exception {
        byte[] src = bytes(2 * MIB + 10, 27);
        StripeIncoming s = stripe(area, "s.bin", src.length, MIB, src.length);
        s.startFrom(MIB);
        IOException before = assertThrows(IOException.class, () -> s.write(ByteBuffer.wrap(src, 0, 10), 0));
        assertTrue(before.getMessage().contains("out of order"), before.getMessage());
        ByteBuffer buf = ByteBuffer.wrap(src, MIB, 1000);
        s.write(buf, MIB);
        assertEquals(MIB, buf.position());
        assertThrows(IOException.class, () -> s.write(ByteBuffer.wrap(src, 0, 10), MIB));
        assertThrows(IOException.class, () -> s.write(ByteBuffer.allocate(MIB + 11 - 1000), MIB + 1000));
        Verdict v = s.finish(1000, partDigest(src, MIB, MIB + 1000));
        assertEquals(Verdict.Outcome.SIZE_MISMATCH, v.outcome(), v.message());
        assertFalse(Files.exists(area.root().resolve("s.bin")));
    }

    @Test
    void stripesResumeAnUnstripedPartial() throws Exception {
        byte[] src = bytes(5 * MIB + MIB / 2, 28);
        try (Incoming in = area.begin("n.bin", src.length, MTIME)) {
            in.startFrom(0);
            for (int off = 0; off < 5 * MIB / 2; off += 1 << 18) {
                in.write(ByteBuffer.wrap(src, off, 1 << 18), off);
            }
        }
        int[][] parts = {{0, MIB}, {MIB, 3 * MIB}, {3 * MIB, src.length}};
        long[] resume = {MIB, 2L * MIB, 3L * MIB};
        List<Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            int[] p = parts[i];
            StripeIncoming s = stripe(area, "n.bin", src.length, p[0], p[1]);
            assertEquals(resume[i], s.resumeOffset());
            assertArrayEquals(partDigest(src, p[0], (int) resume[i]), s.prefixDigest());
            s.startFrom(resume[i]);
            send(s, src, (int) resume[i], p[1], 1 << 18);
            verdicts.add(s.finish(p[1] - p[0], partDigest(src, p[0], p[1])));
        }
        assertEquals(Verdict.Outcome.PART_VERIFIED, verdicts.get(1).outcome());
        assertEquals(Verdict.Outcome.VERIFIED, verdicts.get(2).outcome(), verdicts.get(2).message());
        assertArrayEquals(src, Files.readAllBytes(area.root().resolve("n.bin")));
        assertEquals(0, partials());
    }

    @Test
    void unstripedBeginResumesOnlyThePartAtZero() throws Exception {
        byte[] src = bytes(4 * MIB, 29);
        Path fin = area.root().resolve("u.bin");
        StripeIncoming a = stripe(area, "u.bin", src.length, 0, 2 * MIB);
        a.startFrom(0);
        send(a, src, 0, 3 * MIB / 2, 1 << 18);
        a.abandon();
        assertEquals(Verdict.Outcome.PART_VERIFIED, sendPart("u.bin", src, 2 * MIB, 4 * MIB).outcome());
        assertTrue(Files.exists(SafePaths.rangesFor(fin)));

        Incoming in = area.begin("u.bin", src.length, MTIME);
        assertEquals(MIB, in.resumeOffset());
        assertArrayEquals(digest(src, MIB), in.prefixDigest());
        assertFalse(Files.exists(SafePaths.rangesFor(fin)));
        assertEquals(MIB, Files.size(SafePaths.partialFor(fin)));
        in.startFrom(MIB);
        for (int off = MIB; off < src.length; off += 1 << 18) {
            in.write(ByteBuffer.wrap(src, off, 1 << 18), off);
        }
        assertEquals(Verdict.Outcome.VERIFIED, in.finish(src.length, digest(src, src.length)).outcome());
        assertArrayEquals(src, Files.readAllBytes(fin));
        assertEquals(0, partials());
    }

    @Test
    void presentFileWhosePartsAllMatchIsLeftUntouched() throws Exception {
        byte[] src = bytes(3 * MIB + 5, 30);
        Path fin = Files.write(area.root().resolve("p.bin"), src);
        FileTime before = FileTime.fromMillis(1_500_000_000_000L);
        Files.setLastModifiedTime(fin, before);
        int[][] parts = {{0, MIB}, {MIB, 2 * MIB}, {2 * MIB, src.length}};
        for (int[] p : parts) {
            StripeIncoming s = stripe(area, "p.bin", src.length, p[0], p[1]);
            assertTrue(s.present());
            assertEquals(p[1], s.resumeOffset());
            assertArrayEquals(partDigest(src, p[0], p[1]), s.prefixDigest());
            s.startFrom(p[1]);
            Verdict v = s.finish(p[1] - p[0], partDigest(src, p[0], p[1]));
            assertEquals(Verdict.Outcome.ALREADY_PRESENT, v.outcome(), v.message());
            assertEquals(Reason.ALREADY_PRESENT, v.reason());
        }
        assertEquals(before, Files.getLastModifiedTime(fin));
        assertArrayEquals(src, Files.readAllBytes(fin));
        assertEquals(0, partials());
    }

    @Test
    void presentFileWithOneDifferingPartIsReplaced() throws Exception {
        byte[] old = bytes(3 * MIB + 5, 31);
        byte[] src = old.clone();
        byte[] changed = bytes(MIB, 32);
        System.arraycopy(changed, 0, src, MIB, MIB);
        Path fin = Files.write(area.root().resolve("p.bin"), old);
        StripeIncoming a = stripe(area, "p.bin", src.length, 0, MIB);
        StripeIncoming b = stripe(area, "p.bin", src.length, MIB, 2 * MIB);
        StripeIncoming c = stripe(area, "p.bin", src.length, 2 * MIB, src.length);
        assertTrue(a.present() && b.present() && c.present());

        a.startFrom(MIB);
        assertEquals(Verdict.Outcome.ALREADY_PRESENT, a.finish(MIB, partDigest(src, 0, MIB)).outcome());
        assertFalse(ContentHasher.same(partDigest(src, MIB, 2 * MIB), b.prefixDigest()));
        b.startFrom(MIB); // differs: the present file is copied to the partial, this part rewritten there
        send(b, src, MIB, 2 * MIB, 1 << 16);
        assertEquals(Verdict.Outcome.PART_VERIFIED, b.finish(MIB, partDigest(src, MIB, 2 * MIB)).outcome());
        assertArrayEquals(old, Files.readAllBytes(fin));
        c.startFrom(src.length);
        Verdict v = c.finish(src.length - 2 * MIB, partDigest(src, 2 * MIB, src.length));
        assertEquals(Verdict.Outcome.VERIFIED, v.outcome(), v.message());
        assertArrayEquals(src, Files.readAllBytes(fin));
        assertEquals(MTIME, Files.getLastModifiedTime(fin).toMillis());
        assertEquals(0, partials());
    }

    @Test
    void discardWithAnotherPartOpenDeletesWhenBothEnd() throws Exception {
        byte[] src = bytes(3 * MIB, 33);
        Path fin = area.root().resolve("c.bin");
        StripeIncoming a = stripe(area, "c.bin", src.length, 0, MIB);
        StripeIncoming b = stripe(area, "c.bin", src.length, MIB, 2 * MIB);
        a.startFrom(0);
        b.startFrom(MIB);
        send(a, src, 0, MIB, 1 << 16);
        send(b, src, MIB, 2 * MIB, 1 << 16);
        a.discard();
        assertTrue(Files.exists(SafePaths.partialFor(fin)));
        assertTrue(Files.exists(SafePaths.rangesFor(fin)));
        StorageRefusal late = assertThrows(StorageRefusal.class,
                () -> area.beginStripe("c.bin", src.length, MTIME, 2 * MIB, MIB));
        assertEquals(Reason.BUSY, late.reason());
        b.abandon();
        assertEquals(0, partials());

        StripeIncoming fresh = stripe(area, "c.bin", src.length, MIB, 2 * MIB);
        assertEquals(MIB, fresh.resumeOffset());
        fresh.discard();
        assertEquals(0, partials());
    }

    @Test
    void busyCases() throws Exception {
        StripeIncoming s = stripe(area, "b.bin", 2 * MIB, 0, MIB);
        assertEquals(Reason.BUSY, assertThrows(StorageRefusal.class,
                () -> area.begin("b.bin", 2 * MIB, MTIME)).reason());
        StorageRefusal samePart = assertThrows(StorageRefusal.class,
                () -> area.beginStripe("b.bin", 2 * MIB, MTIME, 0, MIB));
        assertEquals(Reason.BUSY, samePart.reason());
        assertTrue(samePart.getMessage().contains("part at 0"), samePart.getMessage());
        StorageRefusal otherSize = assertThrows(StorageRefusal.class,
                () -> area.beginStripe("b.bin", 3 * MIB, MTIME, MIB, MIB));
        assertEquals(Reason.BUSY, otherSize.reason());
        assertTrue(otherSize.getMessage().contains("size " + 2 * MIB), otherSize.getMessage());
        assertEquals(Reason.BUSY, assertThrows(StorageRefusal.class,
                () -> area.claimOutput("b.bin", 10)).reason());
        assertEquals(Reason.BUSY, assertThrows(StorageRefusal.class,
                () -> new MirrorEdits(area).remove("b.bin")).reason());
        stripe(area, "b.bin", 2 * MIB, MIB, 2 * MIB).abandon(); // another part of the same file is fine
        s.abandon();

        try (Incoming in = area.begin("b.bin", 2 * MIB, MTIME)) {
            assertEquals(Reason.BUSY, assertThrows(StorageRefusal.class,
                    () -> area.beginStripe("b.bin", 2 * MIB, MTIME, MIB, MIB)).reason());
        }
        LandingArea.Claim claim = area.claimOutput("o.bin", 10);
        assertEquals(Reason.BUSY, assertThrows(StorageRefusal.class,
                () -> area.beginStripe("o.bin", 2 * MIB, MTIME, 0, MIB)).reason());
        claim.discard();
        stripe(area, "o.bin", 2 * MIB, 0, MIB).discard();
    }

    @Test
    void badStripesAndPathsAreRefused() {
        assertRefused(Reason.PROTOCOL_ERROR, "not a multiple of the block size", "v.bin", 4 * MIB, 1000, MIB);
        assertRefused(Reason.PROTOCOL_ERROR, "length 0 is not positive", "v.bin", 4 * MIB, 0, 0);
        assertRefused(Reason.PROTOCOL_ERROR, "goes beyond the size", "v.bin", 4 * MIB, 3 * MIB, 2 * MIB);
        assertRefused(Reason.PROTOCOL_ERROR, "neither a multiple of the block size", "v.bin", 4 * MIB, 0, MIB + 1);
        assertRefused(Reason.PROTOCOL_ERROR, "negative size", "v.bin", -1, 0, 1);
        assertRefused(Reason.BAD_PATH, "'..' segment", "../v.bin", 4 * MIB, 0, MIB);
        assertRefused(Reason.BAD_PATH, "names a partial file", ".v.bin.fff-partial", 4 * MIB, 0, MIB);
        assertRefused(Reason.BAD_PATH, "names a partial file", "..v.bin.fff-partial.fff-partial", 4 * MIB, 0, MIB);
        assertRefused(Reason.BAD_PATH, "absolute path", "/etc/passwd", 4 * MIB, 0, MIB);
    }

    @Test
    void refusalLeavesNothingBehind() throws Exception {
        LandingArea tight = new LandingArea(root.resolve("tight"), Long.MAX_VALUE / 4);
        StorageRefusal e = assertThrows(StorageRefusal.class, () -> tight.beginStripe("t.bin", 4 * MIB, MTIME, 0, MIB));
        assertEquals(Reason.DISK_FULL, e.reason());
        try (Stream<Path> s = Files.list(tight.root())) {
            assertEquals(0, s.count());
        }
        // the claim was released
        assertEquals(Reason.DISK_FULL, assertThrows(StorageRefusal.class,
                () -> tight.beginStripe("t.bin", 4 * MIB, MTIME, 0, MIB)).reason());
    }

    @Test
    void staleSweepSparesOpenStripesAndTakesOldOnes() throws Exception {
        byte[] src = bytes(2 * MIB, 34);
        Path fin = area.root().resolve("w.bin");
        Path partial = SafePaths.partialFor(fin);
        Path ranges = SafePaths.rangesFor(fin);
        FileTime longAgo = FileTime.fromMillis(System.currentTimeMillis() - Duration.ofDays(3).toMillis());
        StripeIncoming s = stripe(area, "w.bin", src.length, 0, MIB);
        s.startFrom(0);
        send(s, src, 0, MIB, 1 << 16);
        Files.setLastModifiedTime(partial, longAgo);
        Files.setLastModifiedTime(ranges, longAgo);
        assertEquals(0, area.cleanStalePartials(Duration.ofDays(1)));
        assertTrue(Files.exists(partial));
        assertTrue(Files.exists(ranges));
        s.abandon();

        // a stale sidecar stays while its partial is fresh: the pair goes together
        Files.setLastModifiedTime(partial, FileTime.fromMillis(System.currentTimeMillis()));
        Files.setLastModifiedTime(ranges, longAgo);
        assertEquals(0, area.cleanStalePartials(Duration.ofDays(1)));
        assertTrue(Files.exists(ranges));

        Files.setLastModifiedTime(partial, longAgo);
        assertEquals(2, area.cleanStalePartials(Duration.ofDays(1)));
        assertFalse(Files.exists(partial));
        assertFalse(Files.exists(ranges));
    }

    private void assertRefused(Reason reason, String words, String path, long size, long offset, long length) {
        StorageRefusal e = assertThrows(StorageRefusal.class,
                () -> area.beginStripe(path, size, MTIME, offset, length));
        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(words), e.getMessage());
    }

    private Verdict sendPart(String path, byte[] src, int from, int to) throws Exception {
        StripeIncoming s = stripe(area, path, src.length, from, to);
        s.startFrom(from);
        send(s, src, from, to, 1 << 16);
        return s.finish(to - from, partDigest(src, from, to));
    }

    private static StripeIncoming stripe(LandingArea area, String path, long size, long from, long to)
            throws StorageRefusal, IOException {
        return (StripeIncoming) area.beginStripe(path, size, MTIME, from, to - from);
    }

    private static byte[] partDigest(byte[] src, int from, int to) {
        ContentHasher h = new ContentHasher();
        h.update(src, from, to - from);
        return h.digest();
    }

    private long partials() throws IOException {
        try (Stream<Path> s = Files.walk(area.root())) {
            return s.filter(p -> SafePaths.isPartialName(p.getFileName().toString())).count();
        }
    }

    private static void send(StripeIncoming in, byte[] src, int from, int to, int chunk) throws IOException {
        for (int off = from; off < to; off += chunk) {
            in.write(ByteBuffer.wrap(src, off, Math.min(chunk, to - off)), off);
        }
    }
}

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LandingAreaTest {

    private static final int MIB = ContentHasher.BLOCK_SIZE;
    private static final long MTIME = 1_600_000_000_000L;

    @TempDir
    Path root;

    LandingArea area;

    @BeforeEach
    void setUp() throws IOException {
        area = new LandingArea(root.resolve("landing"), 0);
    }

    @Test
    void fullWriteVerifies() throws Exception {
        byte[] src = bytes(3 * MIB + 12345, 1);
        Incoming in = area.begin("dir/sub/file.bin", src.length, MTIME);
        assertEquals(0, in.resumeOffset());
        assertFalse(in.present());
        assertArrayEquals(new ContentHasher().digest(), in.prefixDigest());
        in.startFrom(0);
        send(in, src, 0, 100_000);

        Verdict v = in.finish(src.length, digest(src, src.length));
        assertEquals(Verdict.Outcome.VERIFIED, v.outcome(), v.message());
        assertTrue(v.ok());
        Path fin = area.root().resolve("dir/sub/file.bin");
        assertEquals(fin, in.finalPath());
        assertArrayEquals(src, Files.readAllBytes(fin));
        assertEquals(MTIME, Files.getLastModifiedTime(fin).toMillis());
        assertEquals(0, partials());
        // Claim released: the same path can be begun again (and is now present).
        try (Incoming again = area.begin("dir/sub/file.bin", src.length, MTIME)) {
            assertTrue(again.present());
        }
    }

    @Test
    void writeKeepsBufferPositionAndRejectsBadOffsets() throws Exception {
        byte[] src = bytes(1000, 2);
        try (Incoming in = area.begin("f", src.length, MTIME)) {
            in.startFrom(0);
            ByteBuffer buf = ByteBuffer.wrap(src, 0, 600);
            in.write(buf, 0);
            assertEquals(0, buf.position());
            assertEquals(600, in.written());
            IOException e = assertThrows(IOException.class, () -> in.write(ByteBuffer.wrap(src, 0, 10), 0));
            assertTrue(e.getMessage().contains("out of order"), e.getMessage());
            assertThrows(IOException.class, () -> in.write(ByteBuffer.allocate(401), 600));
        }
    }

    @Test
    void hashMismatchLeavesNothing() throws Exception {
        byte[] src = bytes(2 * MIB + 7, 3);
        Incoming in = area.begin("bad.bin", src.length, MTIME);
        in.startFrom(0);
        send(in, src, 0, 65536);
        byte[] wrong = digest(src, src.length);
        wrong[0] ^= 1;
        Verdict v = in.finish(src.length, wrong);
        assertEquals(Verdict.Outcome.HASH_MISMATCH, v.outcome());
        assertEquals(Reason.HASH_MISMATCH, v.reason());
        assertTrue(v.message().contains(ContentHasher.hex(wrong)), v.message());
        assertTrue(v.message().contains(ContentHasher.hex(digest(src, src.length))), v.message());
        assertFalse(Files.exists(area.root().resolve("bad.bin")));
        assertEquals(0, partials());
    }

    @Test
    void sizeMismatchLeavesNothing() throws Exception {
        byte[] src = bytes(5000, 4);
        Incoming in = area.begin("short.bin", src.length, MTIME);
        in.startFrom(0);
        send(in, src, 0, 4000, 1000);
        Verdict v = in.finish(4000, digest(src, 4000));
        assertEquals(Verdict.Outcome.SIZE_MISMATCH, v.outcome());
        assertFalse(Files.exists(area.root().resolve("short.bin")));
        assertEquals(0, partials());
    }

    @Test
    void resumesFromBlockAlignedPrefix() throws Exception {
        byte[] src = bytes(4 * MIB, 5);
        try (Incoming first = area.begin("big.mxf", src.length, MTIME)) {
            first.startFrom(0);
            send(first, src, 0, 5 * MIB / 2, 300_000);
        }
        assertEquals(1, partials());

        Incoming in = area.begin("big.mxf", src.length, MTIME);
        assertEquals(2L * MIB, in.resumeOffset());
        assertArrayEquals(digest(src, 2 * MIB), in.prefixDigest());
        in.startFrom(2L * MIB);
        assertEquals(2L * MIB, in.written());
        send(in, src, 2 * MIB, src.length, 250_000);
        Verdict v = in.finish(src.length, digest(src, src.length));
        assertEquals(Verdict.Outcome.VERIFIED, v.outcome(), v.message());
        assertArrayEquals(src, Files.readAllBytes(area.root().resolve("big.mxf")));
        assertEquals(0, partials());
    }

    @Test
    void restartFromZeroAfterResume() throws Exception {
        byte[] old = bytes(3 * MIB, 6);
        try (Incoming first = area.begin("r.bin", old.length, MTIME)) {
            first.startFrom(0);
            send(first, old, 0, 2 * MIB + 10, 1 << 16);
        }
        byte[] src = bytes(3 * MIB, 7);
        Incoming in = area.begin("r.bin", src.length, MTIME);
        assertEquals(2L * MIB, in.resumeOffset());
        assertFalse(ContentHasher.same(digest(src, 2 * MIB), in.prefixDigest()));
        assertThrows(IllegalArgumentException.class, () -> in.startFrom(MIB));
        in.startFrom(0);
        assertEquals(0, in.written());
        send(in, src, 0, src.length, 1 << 20);
        assertEquals(Verdict.Outcome.VERIFIED, in.finish(src.length, digest(src, src.length)).outcome());
        assertArrayEquals(src, Files.readAllBytes(area.root().resolve("r.bin")));
    }

    @Test
    void presentFileIsLeftUntouched() throws Exception {
        byte[] src = bytes(MIB + 99, 8);
        Path fin = area.root().resolve("p.bin");
        Files.write(fin, src);
        FileTime before = FileTime.fromMillis(1_500_000_000_000L);
        Files.setLastModifiedTime(fin, before);

        Incoming in = area.begin("p.bin", src.length, MTIME);
        assertTrue(in.present());
        assertEquals(src.length, in.resumeOffset());
        assertArrayEquals(digest(src, src.length), in.prefixDigest());
        in.startFrom(src.length);
        Verdict v = in.finish(src.length, digest(src, src.length));
        assertEquals(Verdict.Outcome.ALREADY_PRESENT, v.outcome(), v.message());
        assertEquals(Reason.ALREADY_PRESENT, v.reason());
        assertEquals(before, Files.getLastModifiedTime(fin));
        assertArrayEquals(src, Files.readAllBytes(fin));
        assertEquals(0, partials());
    }

    @Test
    void presentWithDifferentContentIsReplaced() throws Exception {
        byte[] old = bytes(2 * MIB + 5, 9);
        byte[] src = bytes(2 * MIB + 5, 10);
        Path fin = area.root().resolve("p.bin");
        Files.write(fin, old);

        Incoming in = area.begin("p.bin", src.length, MTIME);
        assertTrue(in.present());
        assertFalse(ContentHasher.same(digest(src, src.length), in.prefixDigest()));
        in.startFrom(0);
        send(in, src, 0, src.length / 2, 1 << 18);
        // Until the rename, the old file stays whole at the final path.
        assertArrayEquals(old, Files.readAllBytes(fin));
        assertEquals(1, partials());
        send(in, src, src.length / 2, src.length, 1 << 18);
        assertEquals(Verdict.Outcome.VERIFIED, in.finish(src.length, digest(src, src.length)).outcome());
        assertArrayEquals(src, Files.readAllBytes(fin));
        assertEquals(MTIME, Files.getLastModifiedTime(fin).toMillis());
        assertEquals(0, partials());
    }

    @Test
    void secondBeginOnSamePathIsBusy() throws Exception {
        Incoming first = area.begin("same.bin", 10, MTIME);
        StorageRefusal e = assertThrows(StorageRefusal.class, () -> area.begin("same.bin", 10, MTIME));
        assertEquals(Reason.BUSY, e.reason());
        Incoming other = area.begin("other.bin", 10, MTIME);
        assertFalse(other.present());
        other.discard();
        first.close();
        area.begin("same.bin", 10, MTIME).discard();
        assertEquals(0, partials());
    }

    @Test
    void reserveBeyondFreeSpaceIsDiskFull() throws Exception {
        LandingArea tight = new LandingArea(root.resolve("tight"), Long.MAX_VALUE / 4);
        StorageRefusal e = assertThrows(StorageRefusal.class, () -> tight.begin("x.bin", 1_200_000_000L, MTIME));
        assertEquals(Reason.DISK_FULL, e.reason());
        assertTrue(e.getMessage().startsWith("needs 1.2 GB, "), e.getMessage());
        assertTrue(e.getMessage().contains(" free, reserve "), e.getMessage());
        // Refusal released the claim and left no partial behind.
        assertEquals(Reason.DISK_FULL,
                assertThrows(StorageRefusal.class, () -> tight.begin("x.bin", 1, MTIME)).reason());
        try (Stream<Path> s = Files.list(tight.root())) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void humanBytes() {
        assertEquals("1.2 GB", LandingArea.humanBytes(1_200_000_000L));
        assertEquals("800 MB", LandingArea.humanBytes(800_000_000L));
        assertEquals("1 GB", LandingArea.humanBytes(1_000_000_000L));
        assertEquals("17 B", LandingArea.humanBytes(17));
    }

    @Test
    void cleanStalePartialsDeletesOnlyOldOnes() throws Exception {
        Path landing = area.root();
        Files.createDirectories(landing.resolve("d"));
        Path old = Files.writeString(landing.resolve("d/.old.bin.fff-partial"), "x");
        Path fresh = Files.writeString(landing.resolve(".fresh.bin.fff-partial"), "x");
        Path oldButNotPartial = Files.writeString(landing.resolve("old.bin"), "x");
        FileTime longAgo = FileTime.fromMillis(System.currentTimeMillis() - Duration.ofDays(3).toMillis());
        Files.setLastModifiedTime(old, longAgo);
        Files.setLastModifiedTime(oldButNotPartial, longAgo);

        assertEquals(1, area.cleanStalePartials(Duration.ofDays(1)));
        assertFalse(Files.exists(old));
        assertTrue(Files.exists(fresh));
        assertTrue(Files.exists(oldButNotPartial));
    }

    @Test
    void cleanStalePartialsSparesClaimedOnes() throws Exception {
        try (Incoming in = area.begin("busy.bin", 10, MTIME)) {
            Path partial = SafePaths.partialFor(in.finalPath());
            Files.setLastModifiedTime(partial, FileTime.fromMillis(0));
            assertEquals(0, area.cleanStalePartials(Duration.ofDays(1)));
            assertTrue(Files.exists(partial));
        }
    }

    @Test
    void emptyFile() throws Exception {
        byte[] empty = new byte[0];
        Incoming in = area.begin("empty", 0, MTIME);
        assertFalse(in.present());
        in.startFrom(0);
        assertEquals(Verdict.Outcome.VERIFIED, in.finish(0, digest(empty, 0)).outcome());
        assertEquals(0, Files.size(area.root().resolve("empty")));

        Incoming again = area.begin("empty", 0, MTIME);
        assertTrue(again.present());
        again.startFrom(0);
        assertEquals(Verdict.Outcome.ALREADY_PRESENT, again.finish(0, digest(empty, 0)).outcome());
    }

    @Test
    void refusesDirectoryAtFinalPathAndSymlinkEscape(@TempDir Path outside) throws Exception {
        area.makeDirectory("a/dir");
        assertTrue(Files.isDirectory(area.root().resolve("a/dir")));
        assertEquals(Reason.BAD_PATH, assertThrows(StorageRefusal.class, () -> area.begin("a/dir", 1, MTIME)).reason());

        Files.createSymbolicLink(area.root().resolve("out"), outside);
        assertEquals(Reason.BAD_PATH,
                assertThrows(StorageRefusal.class, () -> area.begin("out/x.bin", 1, MTIME)).reason());
        assertEquals(Reason.BAD_PATH,
                assertThrows(StorageRefusal.class, () -> area.makeDirectory("out/sub")).reason());
        try (Stream<Path> s = Files.list(outside)) {
            assertEquals(0, s.count());
        }

        Files.writeString(area.root().resolve("plain"), "x");
        assertEquals(Reason.BAD_PATH,
                assertThrows(StorageRefusal.class, () -> area.begin("plain/x.bin", 1, MTIME)).reason());
    }

    @Test
    void plantedPartialSymlinkIsNotFollowed(@TempDir Path outside) throws Exception {
        Path victim = Files.writeString(outside.resolve("victim"), "keep me");
        Files.createSymbolicLink(area.root().resolve(".f.bin.fff-partial"), victim);
        byte[] src = bytes(100, 11);
        Incoming in = area.begin("f.bin", src.length, MTIME);
        assertEquals(0, in.resumeOffset());
        in.startFrom(0);
        send(in, src, 0, src.length, 100);
        assertEquals(Verdict.Outcome.VERIFIED, in.finish(src.length, digest(src, src.length)).outcome());
        assertEquals("keep me", Files.readString(victim));
    }

    private long partials() throws IOException {
        try (Stream<Path> s = Files.walk(area.root())) {
            return s.filter(p -> SafePaths.isPartialName(p.getFileName().toString())).count();
        }
    }

    private static void send(Incoming in, byte[] src, int from, int to, int chunk) throws IOException {
        for (int off = from; off < to; off += chunk) {
            in.write(ByteBuffer.wrap(src, off, Math.min(chunk, to - off)), off);
        }
    }

    private static void send(Incoming in, byte[] src, int from, int chunk) throws IOException {
        send(in, src, from, src.length, chunk);
    }
}

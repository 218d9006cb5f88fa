package fff.common.hash;

import static fff.common.hash.ContentHasher.BLOCK_SIZE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import net.openhft.hashing.LongTupleHashFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ContentHasher}: the digest depends only on the bytes, not on how they were fed, and matches the
 * construction both ends rely on (XXH3-128 per 1 MiB block, then XXH3-128 of the little-endian digest list).
 */
class ContentHasherTest {

    private static final LongTupleHashFunction XXH128 = LongTupleHashFunction.xx128();
    /** XXH3-128 of no bytes (the reference test vector 99aa06d3014798d8 6001c324468d497f), low half first. */
    private static final String EMPTY_DIGEST = "7f498d4624c30160d8984701d306aa99";

    @Test
    void emptyDigestIsStableAndIsXxh3OfTheEmptyList() {
        ContentHasher h = new ContentHasher();
        byte[] first = h.digest();
        assertEquals(EMPTY_DIGEST, ContentHasher.hex(first));
        assertArrayEquals(first, h.digest(), "digest() twice");
        assertArrayEquals(first, new ContentHasher().digest(), "another instance");
        h.update(new byte[0], 0, 0);
        h.update(ByteBuffer.allocate(0));
        assertArrayEquals(first, h.digest(), "zero-length updates change nothing");
        assertEquals(0, h.length());
        assertEquals(ContentHasher.DIGEST_BYTES, first.length);
    }

    @ParameterizedTest(name = "{0} B")
    @ValueSource(ints = {1, 3, BLOCK_SIZE - 1, BLOCK_SIZE, BLOCK_SIZE + 1, 2 * BLOCK_SIZE, 3 * BLOCK_SIZE + 12_345})
    void matchesTheDocumentedConstruction(int size) {
        byte[] content = random(size, size);
        ContentHasher h = new ContentHasher();
        h.update(content, 0, content.length);
        assertArrayEquals(reference(content, content.length), h.digest());
        assertEquals(size, h.length());
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 42, 2024})
    void randomPiecesGiveTheSameDigestAsOneCall(long seed) {
        byte[] content = random(3 * BLOCK_SIZE + BLOCK_SIZE / 2 + 17, seed);
        ContentHasher whole = new ContentHasher();
        whole.update(content, 0, content.length);

        Random rnd = new Random(seed);
        ContentHasher pieces = new ContentHasher();
        int crossings = 0;
        for (int off = 0; off < content.length; ) {
            int n = Math.min(content.length - off, rnd.nextInt(5) == 0 ? 0 : rnd.nextInt(600_000));
            if (off / BLOCK_SIZE != (off + n) / BLOCK_SIZE && (off + n) % BLOCK_SIZE != 0) {
                crossings++;
            }
            if (rnd.nextBoolean()) {
                pieces.update(content, off, n);
            } else {
                ByteBuffer src = ByteBuffer.wrap(content, off, n);
                pieces.update(src);
                assertEquals(off, src.position(), "update leaves the source position alone");
                assertEquals(off + n, src.limit());
            }
            off += n;
            assertEquals(off, pieces.length());
        }
        assertTrue(crossings > 0, "some piece must straddle a block boundary");
        assertArrayEquals(whole.digest(), pieces.digest());
        assertArrayEquals(reference(content, content.length), pieces.digest());
    }

    @Test
    void piecesEndingAndStartingExactlyOnBlockBoundaries() {
        byte[] content = random(3 * BLOCK_SIZE + 5, 9);
        int[] cuts = {0, 1, BLOCK_SIZE - 1, BLOCK_SIZE, BLOCK_SIZE + 1, 2 * BLOCK_SIZE, 3 * BLOCK_SIZE, content.length};
        ContentHasher h = new ContentHasher();
        for (int i = 1; i < cuts.length; i++) {
            h.update(content, cuts[i - 1], cuts[i] - cuts[i - 1]);
        }
        assertArrayEquals(reference(content, content.length), h.digest());
    }

    @Test
    void digestMidStreamDoesNotDisturbTheFinalDigest() {
        byte[] content = random(2 * BLOCK_SIZE + 777, 5);
        int[] stops = {0, 10, BLOCK_SIZE - 1, BLOCK_SIZE, BLOCK_SIZE + 5, 2 * BLOCK_SIZE, content.length};
        ContentHasher h = new ContentHasher();
        for (int i = 1; i < stops.length; i++) {
            h.update(content, stops[i - 1], stops[i] - stops[i - 1]);
            byte[] prefix = h.digest();
            assertArrayEquals(reference(content, stops[i]), prefix, "prefix digest at " + stops[i]);
            assertArrayEquals(prefix, h.digest(), "digest() is repeatable at " + stops[i]);
        }
        ContentHasher straight = new ContentHasher();
        straight.update(content, 0, content.length);
        assertArrayEquals(straight.digest(), h.digest());
    }

    @Test
    void differentContentGivesDifferentDigests() {
        byte[] content = random(BLOCK_SIZE + 100, 6);
        byte[] base = digestOf(content);
        for (int at : new int[] {0, 99, BLOCK_SIZE - 1, BLOCK_SIZE, content.length - 1}) {
            byte[] changed = content.clone();
            changed[at] ^= 1;
            assertFalse(Arrays.equals(base, digestOf(changed)), "one bit flipped at " + at);
        }
        assertFalse(Arrays.equals(base, digestOf(Arrays.copyOf(content, content.length + 1))), "a zero appended");
        assertFalse(Arrays.equals(base, digestOf(Arrays.copyOf(content, content.length - 1))), "last byte cut");
        assertFalse(Arrays.equals(digestOf(new byte[BLOCK_SIZE]), digestOf(new byte[BLOCK_SIZE + 1])),
                "one whole block vs one block and a byte");
        assertFalse(Arrays.equals(digestOf(new byte[0]), digestOf(new byte[1])), "empty vs one zero byte");
    }

    @Test
    void resetReturnsToTheEmptyState() {
        ContentHasher h = new ContentHasher();
        h.update(random(BLOCK_SIZE + BLOCK_SIZE / 2, 8), 0, BLOCK_SIZE + BLOCK_SIZE / 2);
        h.reset();
        assertEquals(0, h.length());
        assertEquals(EMPTY_DIGEST, ContentHasher.hex(h.digest()));

        byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
        h.update(abc, 0, abc.length);
        assertArrayEquals(digestOf(abc), h.digest());
    }

    @Test
    void blockFloor() {
        assertEquals(0, ContentHasher.blockFloor(0));
        assertEquals(0, ContentHasher.blockFloor(1));
        assertEquals(0, ContentHasher.blockFloor(BLOCK_SIZE - 1));
        assertEquals(BLOCK_SIZE, ContentHasher.blockFloor(BLOCK_SIZE));
        assertEquals(BLOCK_SIZE, ContentHasher.blockFloor(BLOCK_SIZE + 1));
        assertEquals(5L * BLOCK_SIZE, ContentHasher.blockFloor(6L * BLOCK_SIZE - 1));
        assertEquals(1L << 40, ContentHasher.blockFloor((1L << 40) + 12_345));
        long huge = Long.MAX_VALUE;
        assertEquals(huge - huge % BLOCK_SIZE, ContentHasher.blockFloor(huge));
    }

    @Test
    void directByteBufferInputWorks() {
        byte[] content = random(2 * BLOCK_SIZE + 99, 10);
        ByteBuffer direct = ByteBuffer.allocateDirect(content.length + 10);
        direct.position(10);
        direct.put(content);
        direct.position(10);
        ContentHasher h = new ContentHasher();
        h.update(direct);
        assertEquals(10, direct.position(), "position unchanged");
        assertEquals(content.length, h.length());
        assertArrayEquals(digestOf(content), h.digest());

        ByteBuffer tiny = ByteBuffer.allocateDirect(1).put((byte) 7).flip();
        ContentHasher one = new ContentHasher();
        one.update(tiny);
        assertArrayEquals(digestOf(new byte[] {7}), one.digest());
    }

    @Test
    void digestListGrowsPastItsInitialCapacity() {
        // the list of block digests starts with room for 64; feed 70 blocks and a tail
        byte[] block = random(BLOCK_SIZE, 12);
        int blocks = 70;
        ContentHasher h = new ContentHasher();
        ByteBuffer list = ByteBuffer.allocate((blocks + 1) * 16).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < blocks; i++) {
            block[0] = (byte) i;
            h.update(block, 0, block.length);
            long[] t = XXH128.hashBytes(block);
            list.putLong(t[0]).putLong(t[1]);
        }
        h.update(block, 0, 3);
        long[] tail = XXH128.hashBytes(block, 0, 3);
        list.putLong(tail[0]).putLong(tail[1]);
        long[] top = XXH128.hashBytes(list.array(), 0, list.position());
        assertArrayEquals(le(top), h.digest());
        assertEquals((long) blocks * BLOCK_SIZE + 3, h.length());
    }

    @Test
    void fileDigestsFeedEqualsFeedingTheBytes(@TempDir Path tmp) throws IOException {
        byte[] content = random(2 * BLOCK_SIZE + BLOCK_SIZE / 3, 13);
        Path file = Files.write(tmp.resolve("f.bin"), content);
        try (FileChannel ch = FileChannel.open(file)) {
            ContentHasher fromFile = new ContentHasher();
            FileDigests.feed(ch, fromFile, content.length);
            assertEquals(content.length, fromFile.length());
            assertArrayEquals(digestOf(content), fromFile.digest());

            // resume: a hasher that already holds a block-aligned prefix continues from its length
            ContentHasher resumed = new ContentHasher();
            resumed.update(content, 0, BLOCK_SIZE);
            FileDigests.feed(ch, resumed, content.length);
            assertArrayEquals(digestOf(content), resumed.digest());

            ContentHasher prefix = new ContentHasher();
            int end = BLOCK_SIZE + 4_321;
            FileDigests.feed(ch, prefix, end);
            assertArrayEquals(digestOf(Arrays.copyOf(content, end)), prefix.digest());

            ContentHasher tooFar = new ContentHasher();
            IOException e = assertThrows(IOException.class, () -> FileDigests.feed(ch, tooFar, content.length + 1L));
            assertTrue(e.getMessage().contains("file ended at " + content.length), e.getMessage());
        }
    }

    @Test
    void emptyFileDigestIsTheEmptyDigest(@TempDir Path tmp) throws IOException {
        Path file = Files.write(tmp.resolve("empty"), new byte[0]);
        try (FileChannel ch = FileChannel.open(file)) {
            ContentHasher h = new ContentHasher();
            FileDigests.feed(ch, h, 0);
            assertEquals(EMPTY_DIGEST, ContentHasher.hex(h.digest()));
        }
    }

    @Test
    void hexAndSame() {
        assertEquals("00ff10ab", ContentHasher.hex(new byte[] {0, (byte) 0xff, 0x10, (byte) 0xab}));
        assertTrue(ContentHasher.same(new byte[] {1, 2}, new byte[] {1, 2}));
        assertFalse(ContentHasher.same(new byte[] {1, 2}, new byte[] {1, 3}));
        assertFalse(ContentHasher.same(null, null));
        assertFalse(ContentHasher.same(new byte[0], null));
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static byte[] digestOf(byte[] content) {
        ContentHasher h = new ContentHasher();
        h.update(content, 0, content.length);
        return h.digest();
    }

    /** The construction written out independently of ContentHasher, over {@code content[0, len)}. */
    private static byte[] reference(byte[] content, int len) {
        ByteBuffer list = ByteBuffer.allocate((len / BLOCK_SIZE + 1) * 16).order(ByteOrder.LITTLE_ENDIAN);
        for (int off = 0; off < len; off += BLOCK_SIZE) {
            long[] t = XXH128.hashBytes(content, off, Math.min(BLOCK_SIZE, len - off));
            list.putLong(t[0]).putLong(t[1]);
        }
        return le(XXH128.hashBytes(list.array(), 0, list.position()));
    }

    private static byte[] le(long[] lowHigh) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(lowHigh[0]).putLong(lowHigh[1]).array();
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }
}

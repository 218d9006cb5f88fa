package fff.common.hash;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import io.netty.util.internal.PlatformDependent;
import net.openhft.hashing.LongTupleHashFunction;

/**
 * Streaming content digest of a file: XXH3-128 of each {@value #BLOCK_SIZE}-byte block, then XXH3-128 of the
 * list of block digests (16 bytes each, little-endian low then high). A file of 0 bytes is the digest of an
 * empty list.
 *
 * <p>The block structure is what makes resume and range striping exact: the state after any whole number of
 * blocks is just the list so far, so both ends can agree on a prefix ({@link #digest()} does not end the
 * stream) and continue from it.
 *
 * <p>Not thread-safe: one stream's bytes are fed in order by one thread at a time.
 */
public final class ContentHasher {

    public static final int BLOCK_SIZE = 1 << 20;
    public static final int DIGEST_BYTES = 16;

    private static final LongTupleHashFunction XXH128 = LongTupleHashFunction.xx128();
    /** Direct memory can be hashed in place when Netty can read a direct buffer's address. */
    private static final boolean IN_PLACE = PlatformDependent.hasUnsafe();

    // partial blocks are gathered in a heap array: zero-allocation-hashing reads byte[] through Unsafe (fast),
    // whereas its ByteBuffer path is slow for heap buffers and needs sun.nio.ch (closed on JDK 17) for direct ones
    // grown on demand: a hasher per small file must not cost a zeroed megabyte
    private byte[] block = new byte[0];
    private int fill;
    private final long[] tuple = new long[2];
    private ByteBuffer list = ByteBuffer.allocate(DIGEST_BYTES * 64).order(ByteOrder.LITTLE_ENDIAN);
    private long bytes;

    /** Feeds the remaining bytes of {@code src}; its position is left unchanged. */
    public void update(ByteBuffer src) {
        ByteBuffer in = src.duplicate();
        if (fill == 0 && in.isDirect() && IN_PLACE) {
            // whole blocks of a direct buffer are hashed where they lie: no copy on the bulk path
            long address = PlatformDependent.directBufferAddress(in) + in.position();
            while (in.remaining() >= BLOCK_SIZE) {
                XXH128.hashMemory(address, BLOCK_SIZE, tuple);
                appendDigest();
                address += BLOCK_SIZE;
                in.position(in.position() + BLOCK_SIZE);
                bytes += BLOCK_SIZE;
            }
        }
        while (in.hasRemaining()) {
            int n = Math.min(in.remaining(), BLOCK_SIZE - fill);
            if (block.length < fill + n) {
                block = Arrays.copyOf(block, Math.min(BLOCK_SIZE, Math.max(fill + n, 2 * block.length)));
            }
            in.get(block, fill, n);
            fill += n;
            bytes += n;
            if (fill == BLOCK_SIZE) {
                closeBlock();
            }
        }
    }

    public void update(byte[] src, int off, int len) {
        update(ByteBuffer.wrap(src, off, len));
    }

    /** Forgets everything fed so far. */
    public void reset() {
        fill = 0;
        list.clear();
        bytes = 0;
    }

    /** Bytes fed so far. */
    public long length() {
        return bytes;
    }

    /** Digest of everything fed so far; the hasher can go on being fed afterwards. */
    public byte[] digest() {
        ByteBuffer digests = list.duplicate().flip();
        ByteBuffer tail = ByteBuffer.allocate(digests.remaining() + DIGEST_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        tail.put(digests);
        if (fill > 0) {
            XXH128.hashBytes(block, 0, fill, tuple);
            tail.putLong(tuple[0]).putLong(tuple[1]);
        }
        long[] top = XXH128.hashBytes(tail.array(), 0, tail.position());
        return ByteBuffer.allocate(DIGEST_BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(top[0]).putLong(top[1]).array();
    }

    /** Largest offset at or below {@code offset} where a stream may resume with an exact prefix state. */
    public static long blockFloor(long offset) {
        return offset - (offset % BLOCK_SIZE);
    }

    public static String hex(byte[] digest) {
        StringBuilder sb = new StringBuilder(digest.length * 2);
        for (byte b : digest) {
            sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return sb.toString();
    }

    public static boolean same(byte[] a, byte[] b) {
        return a != null && b != null && Arrays.equals(a, b);
    }

    private void closeBlock() {
        XXH128.hashBytes(block, 0, BLOCK_SIZE, tuple);
        fill = 0;
        appendDigest();
    }

    private void appendDigest() {
        if (list.remaining() < DIGEST_BYTES) {
            ByteBuffer bigger = ByteBuffer.allocate(list.capacity() * 2).order(ByteOrder.LITTLE_ENDIAN);
            list.flip();
            bigger.put(list);
            list = bigger;
        }
        list.putLong(tuple[0]).putLong(tuple[1]);
    }
}

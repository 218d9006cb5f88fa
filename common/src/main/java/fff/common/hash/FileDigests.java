package fff.common.hash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Blocking helpers that feed a {@link ContentHasher} from a file. Call them off the event loop. */
public final class FileDigests {

    private FileDigests() {}

    /** Feeds bytes {@code [hasher.length(), end)} of {@code ch} into {@code hasher}. */
    public static void feed(FileChannel ch, ContentHasher hasher, long end) throws IOException {
        feed(ch, hasher, end, ByteBuffer.allocateDirect(ContentHasher.BLOCK_SIZE));
    }

    /** As above, reading through {@code buf} (a direct buffer hashes in place). */
    public static void feed(FileChannel ch, ContentHasher hasher, long end, ByteBuffer buf) throws IOException {
        feedFrom(ch, 0, hasher, end, buf);
    }

    /**
     * Feeds bytes {@code [base + hasher.length(), end)} of {@code ch} into {@code hasher}: the digest of a range
     * that starts at {@code base} (a stripe's offset, block-aligned).
     */
    public static void feedFrom(FileChannel ch, long base, ContentHasher hasher, long end) throws IOException {
        feedFrom(ch, base, hasher, end, ByteBuffer.allocateDirect(ContentHasher.BLOCK_SIZE));
    }

    private static void feedFrom(FileChannel ch, long base, ContentHasher hasher, long end, ByteBuffer buf)
            throws IOException {
        long pos = base + hasher.length();
        while (pos < end) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), end - pos));
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("file ended at " + pos + " while hashing up to " + end);
            }
            buf.flip();
            hasher.update(buf);
            pos += n;
        }
    }
}

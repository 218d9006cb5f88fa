package fff.common.hash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Blocking helpers that feed a {@link ContentHasher} from a file. Call them off the event loop. */
public final class FileDigests {

    private FileDigests() {}

    /** Feeds bytes {@code [hasher.length(), end)} of {@code ch} into {@code hasher}. */
    public static void feed(FileChannel ch, ContentHasher hasher, long end) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(ContentHasher.BLOCK_SIZE);
        long pos = hasher.length();
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

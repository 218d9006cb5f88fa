package fff.sender;

import fff.common.hash.ContentHasher;
import fff.common.paths.DurableFiles;
import fff.common.paths.SafePaths;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where a conversion's result arrives at the node that asked for it: a hidden partial beside {@link #target}
 * ({@link SafePaths#partialFor}), written in order and hashed as it comes; {@link #finish} checks the
 * converter's count and digest and only then renames the partial into place. Nothing is resumed: a result
 * that did not arrive whole is asked for again (the converter answers from its store).
 *
 * <p>Blocking file I/O: call from the stream's disk chain, in order, never from an event loop.
 */
final class ReturnSink {

    private final Path target;
    private final Path partial;
    private final long size;
    private final byte[] digest;
    private final ContentHasher hasher = new ContentHasher();
    private FileChannel channel;
    private long written;

    /** Opens a fresh partial for a result of {@code size} bytes whose digest is {@code digest}. */
    ReturnSink(Path target, long size, byte[] digest) throws IOException {
        this.target = target;
        this.partial = SafePaths.partialFor(target);
        this.size = size;
        this.digest = digest.clone();
        Files.createDirectories(target.toAbsolutePath().getParent());
        Files.deleteIfExists(partial); // a link planted at the partial's name is removed, not followed
        this.channel = FileChannel.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
    }

    Path target() {
        return target;
    }

    long written() {
        return written;
    }

    /** Writes {@code data} at {@code offset}, which must be where the last write ended. */
    void write(ByteBuffer data, long offset) throws IOException {
        if (offset != written) {
            throw new IOException("result data for " + target + " at " + offset + ", expected " + written);
        }
        int n = data.remaining();
        if (n > size - offset) {
            throw new IOException("result data for " + target + " goes beyond its size " + size);
        }
        DurableFiles.writeAt(channel, data, offset);
        hasher.update(data);
        written += n;
    }

    /**
     * Checks the result against the converter's {@code byteCount} and the digest announced with it; on success it
     * is at {@link #target} (replacing a file there) and null is returned, else what differs (the partial is gone).
     */
    String finish(long byteCount, byte[] endDigest, long mtimeMillis) throws IOException {
        if (byteCount != size || written != size) {
            discard();
            return "the converter announced " + size + " bytes, ended at " + byteCount + ", " + written + " arrived";
        }
        byte[] actual = hasher.digest();
        if (!ContentHasher.same(actual, digest) || !ContentHasher.same(actual, endDigest)) {
            discard();
            return "the result's digest " + ContentHasher.hex(actual) + " differs from the converter's "
                    + ContentHasher.hex(digest);
        }
        FileChannel ch = channel;
        channel = null;
        DurableFiles.publish(ch, partial, target, mtimeMillis);
        return null;
    }

    /** Removes the partial; the target is never touched. */
    void discard() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
        Files.deleteIfExists(partial);
    }
}

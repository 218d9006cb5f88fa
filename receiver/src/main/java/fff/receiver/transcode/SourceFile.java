package fff.receiver.transcode;

import fff.common.hash.ContentHasher;
import fff.common.paths.DurableFiles;
import fff.receiver.storage.Verdict;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole source file arriving for a conversion: written from offset 0 in order into a fresh file at
 * {@code path} and hashed as it comes, then checked against the sender's count and digest. Never resumed.
 * Blocking, one stream's disk chain at a time; not thread-safe.
 */
public final class SourceFile {

    private static final Logger LOG = LoggerFactory.getLogger(SourceFile.class);

    private final Path path;
    private final long size;
    /** Names the file in messages, e.g. the output it is the source of. */
    private final Object label;
    private final ContentHasher hasher = new ContentHasher();
    private FileChannel channel;
    private long written;

    public SourceFile(Path path, long size, Object label) {
        this.path = path;
        this.size = size;
        this.label = label;
    }

    public Path path() {
        return path;
    }

    /** Creates the file afresh, replacing one left at its name. */
    public void start() throws IOException {
        // NOFOLLOW_LINKS and a fresh file: a link planted at the source's name must not redirect the write
        Files.deleteIfExists(path);
        channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
    }

    public void write(ByteBuffer data, long offset) throws IOException {
        if (channel == null) {
            throw new IOException("the source of " + label + " is not open");
        }
        if (offset != written) {
            throw new IOException("out of order write to the source of " + label + ": offset " + offset
                    + ", expected " + written);
        }
        int n = data.remaining();
        if (n > size - offset) {
            throw new IOException("write of " + n + " bytes at " + offset + " goes beyond the offered size " + size);
        }
        DurableFiles.writeAt(channel, data, offset);
        hasher.update(data);
        written += n;
    }

    /** Closes the file; null when its bytes are the sender's, else the SIZE_ or HASH_MISMATCH verdict. */
    public Verdict check(long byteCount, byte[] expectedDigest) throws IOException {
        close();
        if (byteCount != size || written != size) {
            return new Verdict(Verdict.Outcome.SIZE_MISMATCH, "expected a source of " + size + " bytes for "
                    + label + ", sender ended at " + byteCount + ", received " + written);
        }
        byte[] actual = hasher.digest();
        if (!ContentHasher.same(actual, expectedDigest)) {
            return new Verdict(Verdict.Outcome.HASH_MISMATCH, "content digest of the source for " + label + " is "
                    + ContentHasher.hex(actual) + ", differs from the sender's");
        }
        return null;
    }

    public long written() {
        return written;
    }

    public void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    /** Closes and deletes the file; a failure is logged, never thrown. */
    public void delete() {
        try {
            close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("cannot delete the conversion source {}: {}", path, e.toString());
        }
    }
}

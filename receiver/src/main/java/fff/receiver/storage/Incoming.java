package fff.receiver.storage;

import fff.common.hash.ContentHasher;
import fff.common.paths.DurableFiles;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One file being received into a {@link LandingArea}: its partial, its running content digest and its claim on
 * the final path. Lifecycle: {@link #startFrom} once, {@link #write} in offset order, then exactly one of
 * {@link #finish}, {@link #abandon}, {@link #discard} or {@link #close}; the claim is released by each.
 *
 * <p>Blocking file I/O: call from a disk executor, never a Netty event loop. Not thread-safe: one stream is fed
 * in order by one thread at a time.
 */
public final class Incoming implements StreamSink, Closeable {

    private final LandingArea area;
    private final Path finalPath;
    private final Path partial;
    private final long size;
    private final long mtimeMillis;
    private final boolean present;
    private final long resumeOffset;
    private final byte[] prefixDigest;

    private FileChannel channel;
    private ContentHasher hasher;
    private long written;
    /** Written bytes at the last writeback request; see {@link LandingArea#writeBackSoon}. */
    private long writeBackMark;
    private final AtomicBoolean writeBackPending = new AtomicBoolean();
    private static final long WRITE_BACK_EVERY = 64L << 20;
    private boolean started;
    /** True while nothing is being written because the present final file is taken as the content. */
    private boolean keepingPresent;
    private boolean done;

    Incoming(LandingArea area, Path finalPath, Path partial, long size, long mtimeMillis, boolean present,
            FileChannel channel, ContentHasher hasher) {
        this.area = area;
        this.finalPath = finalPath;
        this.partial = partial;
        this.size = size;
        this.mtimeMillis = mtimeMillis;
        this.present = present;
        this.channel = channel;
        this.hasher = hasher;
        this.resumeOffset = hasher.length();
        this.prefixDigest = hasher.digest();
        this.written = resumeOffset;
        this.keepingPresent = present;
    }

    static FileChannel openPartial(Path partial) throws IOException {
        // NOFOLLOW_LINKS: a link planted at the partial's name must not redirect the write.
        return FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public long resumeOffset() {
        return resumeOffset;
    }

    /** Digest of bytes {@code [0, resumeOffset)} as held here; the sender compares it with its own prefix. */
    @Override
    public byte[] prefixDigest() {
        return prefixDigest.clone();
    }

    /** True when the final file already exists with this size; {@link #resumeOffset()} is then the size. */
    @Override
    public boolean present() {
        return present;
    }

    public Path finalPath() {
        return finalPath;
    }

    public long size() {
        return size;
    }

    /** Next expected offset. */
    public long written() {
        return written;
    }

    /**
     * Where the sender's data starts: {@link #resumeOffset()} (the prefix matched; for a present file nothing
     * will be written) or 0 (it did not: a fresh partial, which for a present file replaces it on success).
     */
    @Override
    public void startFrom(long offset) throws IOException {
        checkOpen();
        if (started) {
            throw new IllegalStateException("startFrom already called for " + finalPath);
        }
        if (offset == resumeOffset) {
            started = true;
            return;
        }
        if (offset != 0) {
            throw new IllegalArgumentException(
                    "start offset " + offset + " is neither the resume offset " + resumeOffset + " nor 0");
        }
        if (channel == null) {
            channel = openPartial(partial);
        }
        channel.truncate(0);
        hasher = new ContentHasher();
        written = 0;
        writeBackMark = 0;
        keepingPresent = false;
        started = true;
    }

    /** Writes all remaining bytes of {@code data} at {@code offset}; the buffer's position is not changed. */
    @Override
    public void write(ByteBuffer data, long offset) throws IOException {
        checkOpen();
        started = true;
        if (offset != written) {
            throw new IOException("out of order write to " + finalPath + ": offset " + offset + ", expected " + written);
        }
        int len = data.remaining();
        if (len > size - offset) {
            throw new IOException("write of " + len + " bytes at " + offset + " goes beyond the size " + size
                    + " of " + finalPath);
        }
        if (len == 0) {
            return;
        }
        DurableFiles.writeAt(channel, data, offset);
        hasher.update(data);
        written += len;
        if (written - writeBackMark >= WRITE_BACK_EVERY) {
            writeBackMark = written;
            area.writeBackSoon(channel, writeBackPending);
        }
    }

    /** Compares what arrived with the sender's byte count and digest; on success the file is at its final path. */
    @Override
    public Verdict finish(long byteCount, byte[] expectedDigest) throws IOException {
        checkOpen();
        if (keepingPresent) {
            done = true;
            area.release(finalPath);
            if (byteCount != size) {
                return new Verdict(Verdict.Outcome.SIZE_MISMATCH, "sender says " + byteCount
                        + " bytes, present file " + finalPath + " has " + size + "; left untouched");
            }
            byte[] actual = hasher.digest();
            if (ContentHasher.same(actual, expectedDigest)) {
                return new Verdict(Verdict.Outcome.ALREADY_PRESENT, finalPath + " already present, " + size + " bytes");
            }
            return new Verdict(Verdict.Outcome.HASH_MISMATCH, "present file " + finalPath + " has digest "
                    + ContentHasher.hex(actual) + ", sender " + hexOrNull(expectedDigest) + "; left untouched");
        }
        try {
            if (byteCount != size || written != size) {
                discardPartial();
                return new Verdict(Verdict.Outcome.SIZE_MISMATCH, "expected " + size + " bytes for " + finalPath
                        + ", sender ended at " + byteCount + ", received " + written);
            }
            byte[] actual = hasher.digest();
            if (!ContentHasher.same(actual, expectedDigest)) {
                discardPartial();
                return new Verdict(Verdict.Outcome.HASH_MISMATCH, "content digest of " + finalPath + " is "
                        + ContentHasher.hex(actual) + ", sender " + hexOrNull(expectedDigest));
            }
            if (present && ContentHasher.same(actual, prefixDigest)) {
                // sent whole (an eager offer) although the final file already held these bytes: keep it as it is
                discardPartial();
                return new Verdict(Verdict.Outcome.ALREADY_PRESENT, finalPath + " already present, " + size + " bytes");
            }
            FileChannel ch = channel;
            channel = null;
            DurableFiles.publish(ch, partial, finalPath, mtimeMillis);
            return new Verdict(Verdict.Outcome.VERIFIED, finalPath + " verified, " + size + " bytes, digest "
                    + ContentHasher.hex(actual));
        } finally {
            done = true;
            closeChannelQuietly();
            area.release(finalPath);
        }
    }

    /** Keeps the partial for a later resume and releases the claim. */
    @Override
    public void abandon() throws IOException {
        if (done) {
            return;
        }
        done = true;
        try {
            if (channel != null) {
                try {
                    channel.force(false);
                } catch (IOException e) {
                    // Best effort: whatever did not reach the disk is re-sent after the block-aligned resume.
                }
                channel.close();
                channel = null;
            }
        } finally {
            area.release(finalPath);
        }
    }

    /** Deletes the partial (the final file is never touched) and releases the claim. */
    @Override
    public void discard() throws IOException {
        if (done) {
            return;
        }
        done = true;
        try {
            discardPartial();
        } finally {
            area.release(finalPath);
        }
    }

    /** {@link #abandon()} unless already finished or discarded. */
    @Override
    public void close() throws IOException {
        abandon();
    }

    private void discardPartial() throws IOException {
        closeChannelQuietly();
        if (channel == null && !keepingPresent) {
            Files.deleteIfExists(partial);
        }
    }

    private void closeChannelQuietly() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // Nothing more to lose: the partial is being deleted or already moved.
            }
            channel = null;
        }
    }

    private void checkOpen() {
        if (done) {
            throw new IllegalStateException(finalPath + " is already finished, abandoned or discarded");
        }
    }

    private static String hexOrNull(byte[] digest) {
        return digest == null ? "(none)" : ContentHasher.hex(digest);
    }
}

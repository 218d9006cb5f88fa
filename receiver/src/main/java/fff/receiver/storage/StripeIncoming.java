package fff.receiver.storage;

import fff.common.hash.ContentHasher;
import fff.common.paths.DurableFiles;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * One stream carrying part [offset, end) of a file striped across streams, written into the file's shared
 * {@link StripedFile} partial at absolute offsets. Offsets, {@link #resumeOffset()} and writes are absolute in the
 * file; the digests are of the part's bytes alone (the content digest construction started at {@code offset},
 * which is block-aligned). Lifecycle as {@link Incoming}: {@link #startFrom} once, {@link #write} in order, then
 * one of {@link #finish}, {@link #abandon}, {@link #discard} or {@link #close}, each releasing this stream's share
 * of the file.
 *
 * <p>Blocking file I/O: call from a disk executor. Not thread-safe: one stream is fed in order by one thread at a
 * time; other parts of the same file are fed by other threads at once.
 */
public final class StripeIncoming implements StreamSink, Closeable {

    private static final long CHECKPOINT_EVERY = 64L << 20;

    private final StripedFile file;
    private final long offset;
    private final long end;
    private final long mtimeMillis;
    private final boolean present;
    private final long resumeOffset;
    private final byte[] prefixDigest;

    private FileChannel channel;
    private ContentHasher hasher;
    private long written;
    /** Held end last recorded in the sidecar. */
    private long recorded;
    /** True while nothing is written because the present final file's bytes are taken as the part. */
    private boolean keepingPresent;
    private boolean started;
    private boolean done;

    StripeIncoming(StripedFile file, long offset, long end, long mtimeMillis, boolean present, ContentHasher hasher)
            throws IOException {
        this.file = file;
        this.offset = offset;
        this.end = end;
        this.mtimeMillis = mtimeMillis;
        this.present = present;
        this.hasher = hasher;
        this.resumeOffset = offset + hasher.length();
        this.prefixDigest = hasher.digest();
        this.written = resumeOffset;
        this.recorded = resumeOffset;
        this.keepingPresent = present;
        this.channel = present ? null : file.channel();
    }

    /** Absolute: where the held bytes of this part end, in [offset, end]. */
    @Override
    public long resumeOffset() {
        return resumeOffset;
    }

    /** Digest of bytes {@code [offset, resumeOffset)} as held (in the partial, or the present file). */
    @Override
    public byte[] prefixDigest() {
        return prefixDigest.clone();
    }

    /** True when the final file is there with this size; {@link #resumeOffset()} is then the part's end. */
    @Override
    public boolean present() {
        return present;
    }

    public long offset() {
        return offset;
    }

    public long end() {
        return end;
    }

    /** Next expected absolute offset. */
    public long written() {
        return written;
    }

    /**
     * {@link #resumeOffset()} to continue, or the part's offset to start this part over (nothing else of the file
     * is touched; a present file is first copied whole into the partial, which replaces it once complete).
     */
    @Override
    public void startFrom(long from) throws IOException {
        checkOpen();
        if (started) {
            throw new IllegalStateException("startFrom already called for part at " + offset + " of " + file.finalPath);
        }
        if (from == resumeOffset) {
            started = true;
            return;
        }
        if (from != offset) {
            throw new IllegalArgumentException("start offset " + from + " is neither the resume offset "
                    + resumeOffset + " nor the part's offset " + offset);
        }
        channel = file.restart(offset, end);
        hasher = new ContentHasher();
        written = offset;
        recorded = offset;
        keepingPresent = false;
        started = true;
    }

    /** Writes all remaining bytes of {@code data} at absolute {@code at}; the buffer's position is not changed. */
    @Override
    public void write(ByteBuffer data, long at) throws IOException {
        checkOpen();
        started = true;
        if (at != written) {
            throw new IOException("out of order write to part at " + offset + " of " + file.finalPath + ": offset "
                    + at + ", expected " + written);
        }
        int len = data.remaining();
        if (len > end - at) {
            throw new IOException("write of " + len + " bytes at " + at + " goes beyond the part [" + offset + ", "
                    + end + ") of " + file.finalPath);
        }
        if (len == 0) {
            return;
        }
        DurableFiles.writeAt(channel, data, at);
        hasher.update(data);
        written += len;
        if (written - recorded >= CHECKPOINT_EVERY) {
            checkpoint();
        }
    }

    /**
     * Compares the part with the sender's count and digest. {@link Verdict.Outcome#VERIFIED} when this part
     * completed the file (now at its final path), {@link Verdict.Outcome#PART_VERIFIED} when parts are still
     * missing, {@link Verdict.Outcome#ALREADY_PRESENT} when the present file already had this part.
     */
    @Override
    public Verdict finish(long byteCount, byte[] expectedDigest) throws IOException {
        checkOpen();
        done = true;
        try {
            String part = "part [" + offset + ", " + end + ") of " + file.finalPath;
            long length = end - offset;
            if (byteCount != length || written != end) {
                file.partFailed(offset, end);
                return new Verdict(Verdict.Outcome.SIZE_MISMATCH, "expected " + length + " bytes for " + part
                        + ", sender ended at " + byteCount + ", received " + (written - offset));
            }
            byte[] actual = hasher.digest();
            if (!ContentHasher.same(actual, expectedDigest)) {
                file.partFailed(offset, end);
                return new Verdict(Verdict.Outcome.HASH_MISMATCH, "content digest of " + part + " is "
                        + ContentHasher.hex(actual) + ", sender " + hexOrNull(expectedDigest));
            }
            if (!keepingPresent) {
                channel.force(false);
            }
            Verdict.Outcome outcome = file.partMatched(offset, end, mtimeMillis);
            return switch (outcome) {
                case VERIFIED -> new Verdict(outcome, file.finalPath + " verified, " + file.size
                        + " bytes, the last part [" + offset + ", " + end + ") digest " + ContentHasher.hex(actual));
                case ALREADY_PRESENT -> new Verdict(outcome, part + " already present");
                default -> new Verdict(outcome, part + " verified, " + file.verifiedBytes() + " of " + file.size
                        + " bytes verified");
            };
        } finally {
            file.area.leaveStripe(file, offset);
        }
    }

    /** Keeps what was written for a later resume (recorded after forcing it) and releases this part. */
    @Override
    public void abandon() throws IOException {
        if (done) {
            return;
        }
        done = true;
        try {
            if (!keepingPresent && started) {
                checkpoint();
            }
        } finally {
            file.area.leaveStripe(file, offset);
        }
    }

    /**
     * The sender cancelled the file: the partial and sidecar are deleted when the last stream of the file ends
     * (the final file is never touched); meanwhile no new part of it is accepted.
     */
    @Override
    public void discard() throws IOException {
        if (done) {
            return;
        }
        done = true;
        file.markDiscarded();
        file.area.leaveStripe(file, offset);
    }

    /** {@link #abandon()} unless already finished or discarded. */
    @Override
    public void close() throws IOException {
        abandon();
    }

    private void checkpoint() throws IOException {
        long heldEnd = written == end ? end : ContentHasher.blockFloor(written);
        if (heldEnd <= recorded) {
            return;
        }
        channel.force(false);
        file.recordHeld(offset, heldEnd);
        recorded = heldEnd;
    }

    private void checkOpen() {
        if (done) {
            throw new IllegalStateException("part at " + offset + " of " + file.finalPath
                    + " is already finished, abandoned or discarded");
        }
    }

    private static String hexOrNull(byte[] digest) {
        return digest == null ? "(none)" : ContentHasher.hex(digest);
    }
}

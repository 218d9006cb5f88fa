package fff.receiver.convert;

import fff.common.hash.ContentHasher;
import fff.receiver.storage.StreamSink;
import fff.receiver.storage.Verdict;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The upload side of a request whose result is stored already: the Accept says present, resume at the source's
 * size with the source's digest as the prefix's, and the requester answers Start(size) and End(size, digest)
 * without payload. {@link #finish} checks that End names the source the result was made from. The
 * {@linkplain #result lease} on the result belongs to the caller, who closes it.
 */
public final class StoredSink implements StreamSink {

    private final long size;
    private final byte[] sourceDigest;
    private final ResultStore.Lease result;

    public StoredSink(long size, byte[] sourceDigest, ResultStore.Lease result) {
        this.size = size;
        this.sourceDigest = sourceDigest.clone();
        this.result = result;
    }

    public ResultStore.Lease result() {
        return result;
    }

    @Override
    public long resumeOffset() {
        return size;
    }

    @Override
    public byte[] prefixDigest() {
        return sourceDigest.clone();
    }

    @Override
    public boolean present() {
        return true;
    }

    @Override
    public void startFrom(long offset) throws IOException {
        if (offset != size) {
            throw new IOException("the result is stored already: the source starts at its size " + size + ", not "
                    + offset);
        }
    }

    @Override
    public void write(ByteBuffer data, long offset) throws IOException {
        throw new IOException("the result is stored already: no source bytes are taken");
    }

    @Override
    public Verdict finish(long byteCount, byte[] expectedDigest) {
        if (byteCount != size) {
            return new Verdict(Verdict.Outcome.SIZE_MISMATCH, "the stored result is of a source of " + size
                    + " bytes, the requester ended at " + byteCount);
        }
        if (!ContentHasher.same(sourceDigest, expectedDigest)) {
            return new Verdict(Verdict.Outcome.HASH_MISMATCH, "the requester's End names another source ("
                    + ContentHasher.hex(expectedDigest) + ") than its Offer (" + ContentHasher.hex(sourceDigest)
                    + ")");
        }
        return new Verdict(Verdict.Outcome.VERIFIED, "stored result of the source returned");
    }

    @Override
    public void abandon() {
    }

    @Override
    public void discard() {
    }
}

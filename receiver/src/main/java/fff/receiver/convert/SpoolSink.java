package fff.receiver.convert;

import fff.receiver.storage.FreshSink;
import fff.receiver.storage.Verdict;
import fff.receiver.transcode.SourceFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A source uploaded for "convert and return": written and hashed into a spool file ({@link SourceFile}); once
 * count and digest match at {@link #finish} it stays there for the conversion, which then owns it. Until then
 * (a mismatch, a cancel, a lost connection) it is deleted. Never resumed.
 */
public final class SpoolSink implements FreshSink {

    private final SourceFile source;
    private boolean handedOver;

    public SpoolSink(Path spoolFile, long size, String label) {
        this.source = new SourceFile(spoolFile, size, label);
    }

    /** The spool file; the conversion's once {@link #finish} verified it. */
    public Path path() {
        return source.path();
    }

    @Override
    public void startFrom(long offset) throws IOException {
        if (offset != 0) {
            throw new IOException("a source to convert starts at 0, not " + offset);
        }
        source.start();
    }

    @Override
    public void write(ByteBuffer data, long offset) throws IOException {
        source.write(data, offset);
    }

    /** VERIFIED: the file is kept for the conversion (the caller's to delete from now on); else deleted. */
    @Override
    public Verdict finish(long byteCount, byte[] expectedDigest) throws IOException {
        Verdict mismatch;
        try {
            mismatch = source.check(byteCount, expectedDigest);
        } catch (IOException e) {
            source.delete();
            throw e;
        }
        if (mismatch != null) {
            source.delete();
            return mismatch;
        }
        handedOver = true;
        return new Verdict(Verdict.Outcome.VERIFIED, "source of " + source.written() + " bytes verified");
    }

    @Override
    public void abandon() {
        discard();
    }

    @Override
    public void discard() {
        if (!handedOver) {
            source.delete();
        }
    }

}

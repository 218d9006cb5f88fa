package fff.receiver.transcode;

import fff.common.hash.ContentHasher;
import fff.common.paths.DurableFiles;
import fff.common.paths.SafePaths;
import fff.common.transcode.FfmpegTools;
import fff.common.transcode.FileConversion;
import fff.common.transcode.Media;
import fff.common.transcode.MediaException;
import fff.common.transcode.Profile;
import fff.proto.MediaInfo;
import fff.receiver.storage.LandingArea;
import fff.receiver.storage.StreamSink;
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
 * The receiving end of a whole-file conversion: the source's bytes are written (and hashed) into a hidden file
 * beside the output's partial ({@link SafePaths#sourceFor}); once the sender's count and digest match, this
 * node's ffmpeg converts it with the profile ({@link FileConversion}, which also checks the result against the
 * source), and the result is renamed into place. The source is deleted whatever happens. Never resumed: an
 * interrupted upload starts again, so nothing but the final result is kept.
 *
 * <p>{@link #finish} blocks for the whole conversion: the stream runs on a transcode thread, never a disk thread.
 */
final class ConversionSink implements StreamSink {

    private static final Logger LOG = LoggerFactory.getLogger(ConversionSink.class);

    private final LandingArea.Claim claim;
    private final Path source;
    private final long size;
    private final long mtimeMillis;
    private final FileConversion conversion;
    private final String profileName;
    private final ContentHasher hasher = new ContentHasher();
    private FileChannel channel;
    private long written;
    private volatile boolean stopped;
    private boolean done;

    ConversionSink(LandingArea.Claim claim, Profile profile, MediaInfo media, long size, long mtimeMillis,
            FfmpegTools tools) {
        this.claim = claim;
        this.source = SafePaths.sourceFor(claim.finalPath());
        this.size = size;
        this.mtimeMillis = mtimeMillis;
        this.conversion = new FileConversion(tools, profile, media, source, claim.partial());
        this.profileName = profile.name();
    }

    @Override
    public long resumeOffset() {
        return 0;
    }

    @Override
    public byte[] prefixDigest() {
        return new ContentHasher().digest();
    }

    @Override
    public boolean present() {
        return false;
    }

    @Override
    public void startFrom(long offset) throws IOException {
        if (offset != 0) {
            throw new IOException("a conversion's source starts at 0, not " + offset);
        }
        if (stopped) {
            throw new IOException("stopped");
        }
        // NOFOLLOW_LINKS and a fresh file: a link planted at the source's name must not redirect the write
        Files.deleteIfExists(source);
        channel = FileChannel.open(source, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public void write(ByteBuffer data, long offset) throws IOException {
        if (offset != written) {
            throw new IOException("out of order write to the source of " + claim.finalPath() + ": offset " + offset
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

    @Override
    public Verdict finish(long byteCount, byte[] expectedDigest) throws IOException {
        if (done) {
            throw new IllegalStateException(claim.finalPath() + " already finished");
        }
        done = true;
        boolean published = false;
        try {
            closeSource();
            if (byteCount != size || written != size) {
                return new Verdict(Verdict.Outcome.SIZE_MISMATCH, "expected a source of " + size + " bytes for "
                        + claim.finalPath() + ", sender ended at " + byteCount + ", received " + written);
            }
            byte[] actual = hasher.digest();
            if (!ContentHasher.same(actual, expectedDigest)) {
                return new Verdict(Verdict.Outcome.HASH_MISMATCH, "content digest of the source for "
                        + claim.finalPath() + " is " + ContentHasher.hex(actual) + ", differs from the sender's");
            }
            MediaInfo out;
            try {
                out = conversion.run((frame, fps, speed) -> { });
            } catch (MediaException e) {
                // the same bytes would fail the same way again; a stopped one may go again later
                return new Verdict(stopped ? Verdict.Outcome.TRANSCODE_FAILED : Verdict.Outcome.OUTPUT_MISMATCH,
                        "converting with " + profileName + " failed: " + e.getMessage());
            }
            claim.publish(mtimeMillis);
            published = true;
            return new Verdict(Verdict.Outcome.VERIFIED, claim.finalPath() + " stored: " + Media.describe(out)
                    + " (converted from " + written + " bytes)");
        } finally {
            deleteSource();
            if (!published) {
                claim.discard();
            }
        }
    }

    @Override
    public void abandon() throws IOException {
        discard(); // never resumed: keeping the source would only take space
    }

    @Override
    public void discard() throws IOException {
        stop();
        if (done) {
            return;
        }
        done = true;
        try {
            closeSource();
            deleteSource();
        } finally {
            claim.discard();
        }
    }

    @Override
    public void stop() {
        stopped = true;
        conversion.stop();
    }

    private void closeSource() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    private void deleteSource() {
        try {
            closeSource();
            Files.deleteIfExists(source);
        } catch (IOException e) {
            LOG.warn("cannot delete the conversion source {}: {}", source, e.toString());
        }
    }
}

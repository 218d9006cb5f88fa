package fff.receiver.transcode;

import fff.common.paths.SafePaths;
import fff.common.transcode.FfmpegTools;
import fff.common.transcode.FileConversion;
import fff.common.transcode.Media;
import fff.common.transcode.MediaException;
import fff.common.transcode.Profile;
import fff.proto.MediaInfo;
import fff.receiver.storage.LandingArea;
import fff.receiver.storage.FreshSink;
import fff.receiver.storage.Verdict;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The receiving end of a whole-file conversion: the source's bytes are written (and hashed) into a hidden file
 * beside the output's partial ({@link SafePaths#sourceFor}, a {@link SourceFile}); once the sender's count and
 * digest match, this node's ffmpeg converts it with the profile ({@link FileConversion}, which also checks the result against the
 * source), and the result is renamed into place. The source is deleted whatever happens. Never resumed: an
 * interrupted upload starts again, so nothing but the final result is kept.
 *
 * <p>{@link #finish} blocks for the whole conversion: the stream runs on a transcode thread, never a disk thread.
 */
final class ConversionSink implements FreshSink {

    private final LandingArea.Claim claim;
    private final SourceFile source;
    private final long mtimeMillis;
    private final FileConversion conversion;
    private final String profileName;
    private volatile boolean stopped;
    private boolean done;

    ConversionSink(LandingArea.Claim claim, Profile profile, MediaInfo media, long size, long mtimeMillis,
            FfmpegTools tools) {
        this.claim = claim;
        this.source = new SourceFile(SafePaths.sourceFor(claim.finalPath()), size, claim.finalPath());
        this.mtimeMillis = mtimeMillis;
        this.conversion = new FileConversion(tools, profile, media, source.path(), claim.partial());
        this.profileName = profile.name();
    }

    @Override
    public void startFrom(long offset) throws IOException {
        if (offset != 0) {
            throw new IOException("a conversion's source starts at 0, not " + offset);
        }
        if (stopped) {
            throw new IOException("stopped");
        }
        source.start();
    }

    @Override
    public void write(ByteBuffer data, long offset) throws IOException {
        source.write(data, offset);
    }

    @Override
    public Verdict finish(long byteCount, byte[] expectedDigest) throws IOException {
        if (done) {
            throw new IllegalStateException(claim.finalPath() + " already finished");
        }
        done = true;
        boolean published = false;
        try {
            Verdict mismatch = source.check(byteCount, expectedDigest);
            if (mismatch != null) {
                return mismatch;
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
                    + " (converted from " + source.written() + " bytes)");
        } finally {
            source.delete();
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
            source.delete();
        } finally {
            claim.discard();
        }
    }

    @Override
    public void stop() {
        stopped = true;
        conversion.stop();
    }
}

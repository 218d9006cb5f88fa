package fff.receiver.transcode;

import fff.common.hash.ContentHasher;
import fff.common.transcode.BytePipe;
import fff.common.transcode.FfmpegRun;
import fff.common.transcode.FfmpegTools;
import fff.common.transcode.Media;
import fff.common.transcode.MediaException;
import fff.common.transcode.Profile;
import fff.common.transcode.ProfileSides;
import fff.proto.MediaInfo;
import fff.proto.Reason;
import fff.receiver.storage.LandingArea;
import fff.receiver.storage.SinkFailure;
import fff.receiver.storage.FreshSink;
import fff.receiver.storage.Verdict;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ExecutionException;

/**
 * The receiving end of a transcode: the stream's bytes are hashed and piped into this node's ffmpeg, which
 * writes the profile's output format into a hidden partial (a seekable file: an MXF written to a pipe stays
 * incomplete). At the end the wire bytes are checked against the sender's count and digest, ffmpeg must exit
 * 0, and ffprobe must find the output equal to the source in what the profile expects; only then is it
 * renamed into place. Never resumed: anything interrupted starts again from the beginning.
 *
 * <p>Back-pressure: {@link #write} blocks while ffmpeg has not taken the bytes before it, and the session
 * grants credit only after a write returns, so a slow ffmpeg slows the sender.
 */
final class TranscodeSink implements FreshSink {

    private static final int PIPE_BYTES = 1 << 20;
    private static final Duration STOP_WAIT = Duration.ofSeconds(2);

    private final LandingArea.Claim claim;
    private final Profile profile;
    private final MediaInfo source;
    private final long mtimeMillis;
    private final FfmpegTools tools;
    private final BytePipe pipe = new BytePipe(PIPE_BYTES);
    private final ContentHasher hasher = new ContentHasher();
    private volatile FfmpegRun ffmpeg;
    private volatile boolean stopped;
    private long written;
    private boolean done;

    TranscodeSink(LandingArea.Claim claim, Profile profile, MediaInfo source, long mtimeMillis, FfmpegTools tools) {
        this.claim = claim;
        this.profile = profile;
        this.source = source;
        this.mtimeMillis = mtimeMillis;
        this.tools = tools;
    }

    @Override
    public void startFrom(long offset) throws IOException {
        if (offset != 0) {
            throw new IOException("a transcode starts at 0, not " + offset);
        }
        if (stopped) {
            throw new IOException("stopped");
        }
        FfmpegRun run = ProfileSides.receive(tools, profile, source, pipe, claim.partial(),
                err -> new SinkFailure(Reason.TRANSCODE_FAILED, err.getMessage(), err));
        ffmpeg = run;
        if (stopped) {
            run.kill();
        }
    }

    @Override
    public void write(ByteBuffer data, long offset) throws IOException {
        if (offset != written) {
            throw new IOException("out of order write to " + claim.finalPath() + ": offset " + offset + ", expected "
                    + written);
        }
        int n = data.remaining();
        hasher.update(data);
        try {
            pipe.write(data.duplicate());
        } catch (SinkFailure e) {
            throw e;
        } catch (IOException e) {
            throw e.getCause() instanceof SinkFailure f ? f : e;
        }
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
            if (byteCount != written) {
                stop();
                return new Verdict(Verdict.Outcome.SIZE_MISMATCH, "sender ended the transcode stream at "
                        + byteCount + " bytes, received " + written);
            }
            byte[] actual = hasher.digest();
            if (!ContentHasher.same(actual, expectedDigest)) {
                stop();
                return new Verdict(Verdict.Outcome.HASH_MISMATCH, "transcode stream digest "
                        + ContentHasher.hex(actual) + " differs from the sender's");
            }
            pipe.close();
            FfmpegRun run = ffmpeg;
            try {
                run.finished().get();
            } catch (ExecutionException e) {
                return new Verdict(Verdict.Outcome.TRANSCODE_FAILED, e.getCause().getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop();
                throw new IOException("interrupted while waiting for the receiving ffmpeg");
            }
            MediaInfo out;
            try {
                out = ProfileSides.check(tools, profile, source, claim.partial());
            } catch (MediaException e) {
                return new Verdict(Verdict.Outcome.OUTPUT_MISMATCH, e.getMessage());
            }
            claim.publish(mtimeMillis);
            published = true;
            return new Verdict(Verdict.Outcome.VERIFIED, claim.finalPath() + " stored: " + Media.describe(out)
                    + " (from " + written + " bytes on the wire)");
        } finally {
            if (!published) {
                removeOutput();
            }
        }
    }

    @Override
    public void abandon() throws IOException {
        discard(); // a transcode cannot be resumed: keeping its output would only take space
    }

    @Override
    public void discard() throws IOException {
        stop();
        done = true;
        removeOutput();
    }

    @Override
    public void stop() {
        stopped = true;
        pipe.fail(new IOException("transcode stopped"));
        FfmpegRun run = ffmpeg;
        if (run != null) {
            run.kill();
        }
    }

    /** Waits for ffmpeg to be gone (it may still hold the partial open), then deletes the partial. */
    private void removeOutput() throws IOException {
        FfmpegRun run = ffmpeg;
        if (run != null) {
            run.killAndAwait(STOP_WAIT);
        }
        claim.discard();
    }
}

package fff.sender;

import fff.common.identity.NodeIdentity;
import fff.common.jobs.Delivery;
import fff.common.jobs.Failure;
import fff.common.jobs.Job;
import fff.common.jobs.Mover;
import fff.common.peers.PeerStatus;
import fff.common.rate.RateLimiter;
import fff.common.transcode.MediaException;
import fff.common.transcode.Profile;
import fff.proto.Reason;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Moves jobs to one peer node through a persistent {@link PeerClient}: one attempt per {@link #start}, no
 * retries of its own (the job db retries with backoff and journals every attempt). While the peer is offline
 * it probes with exponential backoff (250 ms doubling to 30 s, jittered) and reports when it returns, so
 * waiting jobs hold no token and nothing spins. The listener hears changes only, not every failed probe.
 */
public final class PeerMover implements Mover {

    private static final long PROBE_MAX_MILLIS = 30_000;

    private final String name;
    private final PeerClient client;
    /** This node's ffmpeg and profiles; null tools when it has no ffmpeg. */
    private final Transcoding transcoding;
    private final ScheduledExecutorService timer;
    private volatile OnlineListener online = (up, why) -> { };
    /** Why the last connection failed or ended; null before any did. */
    private volatile String lastProblem;
    private ScheduledFuture<?> probe;
    private int probes;
    private boolean up = true; // what the listener last heard (it assumes online until told otherwise)
    private boolean closed;

    /** {@code target} should allow one attempt: the job db does the retrying. */
    public PeerMover(String name, PeerTarget target, NodeIdentity identity, int connections) throws IOException {
        this(name, target, identity, connections, Transcoding.NONE);
    }

    /** As above, able to transcode jobs that name a profile with {@code transcoding}. */
    public PeerMover(String name, PeerTarget target, NodeIdentity identity, int connections, Transcoding transcoding)
            throws IOException {
        this(name, target, identity, connections, transcoding, RateLimiter.unlimited());
    }

    /** As above, sending no faster than {@code rate} allows (the destination's limiter). */
    public PeerMover(String name, PeerTarget target, NodeIdentity identity, int connections, Transcoding transcoding,
            RateLimiter rate) throws IOException {
        this.name = name;
        this.transcoding = transcoding;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fff-probe-" + name);
            t.setDaemon(true);
            return t;
        });
        this.client = new PeerClient(target, identity, connections, new ConnectionListener() {
            @Override
            public void online() {
                if (cameBack()) {
                    online.changed(true, null);
                }
            }

            @Override
            public void offline(String why) {
                lastProblem = why;
                if (scheduleProbe()) {
                    online.changed(false, why);
                }
            }
        }, rate);
    }

    @Override
    public void onOnlineChange(OnlineListener listener) {
        this.online = listener;
    }

    /**
     * Online while a connection is up; the client connects when a job is for this peer and then stays. Offline
     * with no reason: never tried yet (idle).
     */
    @Override
    public PeerStatus status() {
        int n = client.connections();
        return client.traffic().status(name, PeerStatus.OUT, client.target().address().toString(), n > 0,
                lastProblem, n, client.congestion());
    }

    @Override
    public Running start(Job job, Listener listener) {
        if (job.spec().profile() != null) {
            return startTranscode(job, listener);
        }
        TransferHandle h;
        try {
            var spec = job.spec();
            h = switch (spec.op()) {
                case SEND -> client.submit(spec.source(), spec.remotePath(), (persisted, size) -> listener.progress(persisted));
                case REMOVE -> client.submitRemove(spec.remotePath());
                case RENAME -> client.submitRename(spec.renameFrom(), spec.remotePath());
            };
        } catch (NoSuchFileException e) {
            listener.failed(Failure.of("SOURCE_GONE", "source " + job.spec().source() + " no longer exists", false));
            return why -> { };
        } catch (IOException e) {
            listener.failed(Failure.of("IO_ERROR", "cannot read source " + job.spec().source() + ": " + e, true));
            return why -> { };
        }
        report(h, listener);
        return h::cancel;
    }

    private static void report(TransferHandle h, Listener listener) {
        h.result().whenComplete((r, e) -> {
            if (e == null) {
                listener.done(new Delivery(r.bytesSent(), r.resumedFrom(), r.alreadyPresent()));
            } else {
                listener.failed(failure(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e));
            }
        });
    }

    /**
     * A job with a profile: checked and described off the caller's thread, then queued like any transfer. A split
     * profile's source needs video frames (ffprobe); a whole-file profile run by the receiver has its limits
     * checked here first ({@link TranscodeRequest#admit}: size, then ffprobe), so a source the profile does not
     * take fails with the coded reason (TOO_LARGE, TOO_LONG, BAD_SOURCE), not retried, before any connection. The
     * source is left untouched either way. Profiles that run on this node ({@code runs-on: sender}) are converted
     * by a {@link fff.sender.transcode.LocalTranscodeMover} in front of this mover, which hands over the result
     * as a plain job. A job with {@code returnTo} (a watch rule's {@code via}) has the peer convert the file and send
     * the result back on the same stream; it is done once the result is verified and in place there, so the
     * source's {@code after} applies only then. A retry (after a restart too) offers the same bytes again, and a
     * peer that finished the conversion meanwhile answers from its store without the source crossing.
     */
    private Running startTranscode(Job job, Listener listener) {
        var spec = job.spec();
        Failure refusal = transcoding.refusal(spec.profile());
        if (refusal != null) {
            listener.failed(refusal);
            return why -> { };
        }
        Profile profile = transcoding.profiles().get(spec.profile()).orElseThrow();
        if (profile.placement() == Profile.Placement.SENDER) {
            // NodeRuntime puts a LocalTranscodeMover in front, so only a mover wired without one gets here
            listener.failed(Failure.of("UNSUPPORTED_PROFILE", "profile " + profile.name() + " runs on the sender "
                    + "and this peer mover has no conversion in front of it", false));
            return why -> { };
        }
        TransferListener progress = new TransferListener() {
            @Override
            public void progress(long persisted, long size) {
                listener.progress(persisted);
            }

            @Override
            public void media(long frame, long frames, double fps, double speed) {
                listener.media(frame, frames, fps, speed);
            }
        };
        if (spec.returnTo() != null && !profile.isWholeFile()) {
            listener.failed(Failure.of("UNSUPPORTED_PROFILE", "profile " + profile.name() + " is not a whole-file "
                    + "profile; only those are converted by the peer and returned", false));
            return why -> { };
        }
        CompletableFuture<TransferHandle> handle = CompletableFuture.supplyAsync(() -> {
            try {
                if (spec.returnTo() != null) {
                    return client.submitConvertAndReturn(spec.source(),
                            TranscodeRequest.admit(transcoding.tools(), profile, spec.source()), spec.returnTo(),
                            progress);
                }
                if (profile.isWholeFile()) {
                    return client.submitConvert(spec.source(), spec.remotePath(),
                            TranscodeRequest.admit(transcoding.tools(), profile, spec.source()), progress);
                }
                return client.submitTranscode(spec.source(), spec.remotePath(),
                        TranscodeRequest.probe(transcoding.tools(), profile, spec.source()), progress);
            } catch (MediaException | IOException | TransferException e) {
                throw new CompletionException(e);
            }
        }, TranscodeSource.READERS);
        handle.whenComplete((h, e) -> {
            if (h != null) {
                report(h, listener);
                return;
            }
            Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (c instanceof NoSuchFileException) {
                listener.failed(Failure.of("SOURCE_GONE", "source " + spec.source() + " no longer exists", false));
            } else if (c instanceof MediaException) {
                listener.failed(Failure.of("BAD_SOURCE", c.getMessage(), false));
            } else if (c instanceof TransferException te) {
                listener.failed(failure(te));
            } else {
                listener.failed(Failure.of("IO_ERROR", "cannot read source " + spec.source() + ": " + c, true));
            }
        });
        return why -> handle.thenAccept(h -> h.cancel(why));
    }

    static Failure failure(Throwable e) {
        if (!(e instanceof TransferException te)) {
            return Failure.of("IO_ERROR", String.valueOf(e), true);
        }
        boolean busy = te.reason() == Reason.BUSY;
        if (te.connection()) {
            return new Failure("OFFLINE", te.getMessage(), true, false, 0);
        }
        return new Failure(te.reason().name(), te.getMessage(), te.retryable(), !busy, te.retryAfterMillis());
    }

    /** Schedules the next probe; returns whether the peer was taken to be online until now. */
    private synchronized boolean scheduleProbe() {
        boolean wasUp = up;
        up = false;
        if (closed || probe != null) {
            return wasUp;
        }
        long base = Math.min(PROBE_MAX_MILLIS, 250L << Math.min(16, probes++));
        long delay = (long) (base * (0.5 + ThreadLocalRandom.current().nextDouble()));
        probe = timer.schedule(() -> {
            synchronized (PeerMover.this) {
                probe = null;
            }
            client.probe();
        }, delay, TimeUnit.MILLISECONDS);
        return wasUp;
    }

    /** Stops probing; returns whether the peer was taken to be offline until now. */
    private synchronized boolean cameBack() {
        boolean wasDown = !up;
        up = true;
        probes = 0;
        if (probe != null) {
            probe.cancel(false);
            probe = null;
        }
        return wasDown;
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (probe != null) {
                probe.cancel(false);
            }
        }
        timer.shutdownNow();
        client.close();
    }
}

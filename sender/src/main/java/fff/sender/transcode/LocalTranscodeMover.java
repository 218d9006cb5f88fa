package fff.sender.transcode;

import fff.common.jobs.Failure;
import fff.common.jobs.Job;
import fff.common.jobs.JobSpec;
import fff.common.jobs.Mover;
import fff.common.peers.PeerStatus;
import fff.common.transcode.Profile;
import fff.sender.Transcoding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a job's profile on this node, then hands the output to the wrapped mover as a plain job to the same
 * remote path. In front of a destination that stores bytes as they come (FTP, a local disk) it takes every
 * profile: a split one runs both sides here, as a sending and a receiving node would, through a pipe; a
 * whole-file one (whichever node it names) runs as one {@link fff.common.transcode.FileConversion}. In front of a
 * peer ({@link #inFrontOfPeer}) it takes only profiles that run on the sender ({@code runs-on: sender}); the
 * others go to the peer mover, which sends them for the receiver to finish. Either way the output is checked
 * against the source before it is delivered. Jobs without a profile (or with one left to the wrapped mover), and
 * removals and renames, go to the wrapped mover unchanged.
 *
 * <p>A whole-file profile's limits are checked before ffmpeg runs ({@link fff.common.transcode.Admission}); a
 * source they refuse fails the job with the coded reason (TOO_LARGE, TOO_LONG, BAD_SOURCE), not retried, and
 * nothing reaches the destination.
 *
 * <p>Work files: {@code work/JOBID/.NAME.fff-partial} while ffmpeg writes, {@code work/JOBID/NAME} while it is
 * delivered; the job's folder goes when the attempt ends, whichever way (delivered, failed, cancelled). Work
 * folders live in the node's home, never beside the source, so no watch folder sees them. Conversions are not
 * resumed (as between nodes): an interrupted attempt starts over, and folders a killed process left are removed
 * at construction.
 *
 * <p>Threading: each attempt runs its blocking steps (ffprobe, waiting for ffmpeg, renaming, removing) on a
 * thread of this mover's own; {@link #start} never blocks. Attempts of the same job run one after the other,
 * the next starting once the previous one's folder is gone.
 */
public final class LocalTranscodeMover implements Mover {

    private static final Logger LOG = LoggerFactory.getLogger(LocalTranscodeMover.class);

    private final Mover inner;
    private final Transcoding transcoding;
    private final Path work;
    /** Whether this node runs {@code profile} for the wrapped mover, or the wrapped mover takes it as it is. */
    private final Predicate<Profile> runsHere;
    private final ExecutorService executor;
    private final Set<LocalTranscode> running = ConcurrentHashMap.newKeySet();
    /** Per job: completes when its latest attempt's work folder is gone. */
    private final Map<Long, CompletableFuture<Void>> ends = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * Jobs without a profile go straight to {@code inner}; jobs with one are transcoded here into {@code work}
     * first. {@code work} belongs to this mover (one per destination, e.g. {@code HOME/work/DESTNAME}): it is
     * made if missing, and job folders left in it by an earlier process are removed.
     *
     * @throws UncheckedIOException when {@code work} cannot be made or cleared
     */
    public LocalTranscodeMover(Mover inner, Transcoding transcoding, Path work) {
        this(inner, transcoding, work, profile -> true);
    }

    /**
     * In front of a peer mover: jobs whose profile runs on the sender ({@code runs-on: sender}) are converted here
     * into {@code work} and their result goes to {@code peer} as a plain job; every other job goes to {@code peer}
     * unchanged. {@code work} as for the constructor.
     */
    public static LocalTranscodeMover inFrontOfPeer(Mover peer, Transcoding transcoding, Path work) {
        return new LocalTranscodeMover(peer, transcoding, work,
                profile -> profile.placement() == Profile.Placement.SENDER);
    }

    private LocalTranscodeMover(Mover inner, Transcoding transcoding, Path work, Predicate<Profile> runsHere) {
        this.runsHere = runsHere;
        this.inner = inner;
        this.transcoding = transcoding;
        this.work = work.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.work);
            removeLeftovers(this.work);
        } catch (IOException e) {
            throw new UncheckedIOException("transcode work folder " + this.work + ": " + e.getMessage(), e);
        }
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fff-local-transcode-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public Running start(Job job, Listener listener) {
        JobSpec spec = job.spec();
        if (spec.profile() == null) {
            return inner.start(job, listener);
        }
        Profile known = transcoding.profiles().get(spec.profile()).orElse(null);
        if (known != null && !runsHere.test(known)) {
            return inner.start(job, listener);
        }
        Failure refusal = transcoding.refusal(spec.profile());
        if (refusal != null) {
            listener.failed(refusal);
            return why -> { };
        }
        Profile profile = transcoding.profiles().get(spec.profile()).orElseThrow();
        if (closed) {
            listener.failed(Failure.of("CANCELLED", "mover closed", false));
            return why -> { };
        }
        LocalTranscode t = new LocalTranscode(job, profile, transcoding.tools(), work.resolve(Long.toString(job.id())),
                inner, listener, executor, running::remove);
        running.add(t);
        CompletableFuture<Void> previous = ends.put(job.id(), t.gone());
        t.gone().thenRun(() -> ends.remove(job.id(), t.gone()));
        (previous == null ? CompletableFuture.<Void>completedFuture(null) : previous).thenRun(() -> {
            try {
                executor.execute(t::run);
            } catch (RejectedExecutionException e) {
                t.refuse("mover closed");
            }
        });
        return t::cancel;
    }

    @Override
    public void onOnlineChange(OnlineListener listener) {
        inner.onOnlineChange(listener);
    }

    @Override
    public PeerStatus status() {
        return inner.status();
    }

    /** Cancels running transcodes (their ffmpeg is killed, their folders removed), then closes {@code inner}. */
    @Override
    public void close() {
        closed = true;
        running.forEach(t -> t.cancel("mover closed"));
        executor.shutdown();
        inner.close();
    }

    /** Removes job folders (named by job id) an earlier process left; anything else in {@code work} is kept. */
    private static void removeLeftovers(Path work) throws IOException {
        try (Stream<Path> s = Files.list(work)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isDirectory(p) && p.getFileName().toString().matches("[0-9]+")) {
                    LOG.info("removing {}, left by an interrupted transcode", p);
                    LocalTranscode.removeFolder(p);
                } else {
                    LOG.warn("{} is not a transcode job folder; left in place", p);
                }
            }
        }
    }
}

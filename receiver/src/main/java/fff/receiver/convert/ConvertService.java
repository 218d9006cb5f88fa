package fff.receiver.convert;

import fff.common.hash.ContentHasher;
import fff.common.hash.FileDigests;
import fff.common.transcode.FfmpegTools;
import fff.common.transcode.FileConversion;
import fff.common.transcode.Media;
import fff.common.transcode.MediaException;
import fff.common.transcode.Profile;
import fff.proto.MediaInfo;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Conversions this node runs for requesting nodes ("convert and return"): at most {@code limit} ffmpegs at
 * once, the rest wait in arrival order. Sources are uploaded into the spool ({@code HOME/convert/spool}),
 * results kept in the {@link ResultStore} ({@code HOME/convert/results}). A job's source is deleted whatever
 * happens to it; a running job finishes into the store even when its requester is gone (a retry is then
 * answered from the store), but {@link #close} stops every ffmpeg and removes partials, so none outlives the
 * node. At start-up leftover spool files and store partials are removed.
 *
 * <pre>
 *   spool/SOURCE ──▶ [wait for one of limit] ──▶ ffmpeg ──▶ results/.partial-KEY-N ──hash──▶ results/KEY.DIGEST.result
 * </pre>
 *
 * Thread-safe. {@link #submit} and {@link Job#cancel} never block; listeners are called on convert threads.
 */
public final class ConvertService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConvertService.class);
    /** Progress is reported at most this often. */
    static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** What a requester's stream hears of its job; called on a convert thread. */
    public interface Listener {
        /** A place was free (at once, or after waiting): ffmpeg starts. */
        void started();

        /** 0..1 of the source's frames, at most about once a second; 0 when the source's length is unknown. */
        void progress(double fraction);

        /** The result is in the store; the listener owns the lease and must close it. */
        void done(ResultStore.Lease result);

        /** The conversion failed or was stopped; {@code retryable} is false when ffmpeg failed on good bytes. */
        void failed(String message, boolean retryable);
    }

    private final FfmpegTools tools;
    private final Path spool;
    private final ResultStore store;
    private final int limit;
    private final ExecutorService threads;
    /** Guarded by {@code this}. */
    private final ArrayDeque<Job> waiting = new ArrayDeque<>();
    /** Guarded by {@code this}. */
    private final Set<Job> running = new HashSet<>();
    /** Guarded by {@code this}. */
    private boolean closed;

    private ConvertService(FfmpegTools tools, Path spool, ResultStore store, int limit) {
        this.tools = tools;
        this.spool = spool;
        this.store = store;
        this.limit = limit;
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fff-convert-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens the service under {@code home} ({@code convert/spool}, {@code convert/results}), removing what an
     * earlier run left behind.
     *
     * @param limit conversions at once, at least 1 ({@link #defaultLimit})
     */
    public static ConvertService open(Path home, FfmpegTools tools, int limit, long storeMax, Duration storeAge,
            Clock clock) throws IOException {
        if (limit < 1) {
            throw new IllegalArgumentException("convert limit must be at least 1, got " + limit);
        }
        Path spool = home.resolve("convert").resolve("spool");
        Files.createDirectories(spool);
        int left = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(spool)) {
            for (Path f : files) {
                if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(f)) {
                    Files.delete(f);
                    left++;
                }
            }
        }
        if (left > 0) {
            LOG.info("removed {} source file(s) of unfinished conversions from {}", left, spool);
        }
        ResultStore store = ResultStore.open(home.resolve("convert").resolve("results"), storeMax, storeAge, clock);
        return new ConvertService(tools, spool, store, limit);
    }

    /** Half the cores, at least one: ffmpeg uses several threads of its own. */
    public static int defaultLimit() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    public ResultStore store() {
        return store;
    }

    public int limit() {
        return limit;
    }

    /** A fresh path in the spool for an uploaded source (not created). */
    public Path spoolFile() {
        return spool.resolve("source-" + UUID.randomUUID());
    }

    /**
     * Converts {@code source} (a spool file, now the job's: deleted when the job ends) with {@code profile} into
     * the store under {@code key}: at once when fewer than {@code limit} run, else once a place is free.
     * Returns the job, whose {@link Job#waiting} says whether it waits.
     */
    public Job submit(ResultKey key, Profile profile, MediaInfo media, Path source, Listener listener) {
        Job job = new Job(key, profile, media, source, listener);
        boolean refused;
        synchronized (this) {
            refused = closed;
            if (!closed) {
                waiting.add(job);
                startWaiting();
            }
        }
        if (refused) {
            job.cleanUp();
            listener.failed("this node is shutting down", true);
        }
        return job;
    }

    /** Jobs running now (for tests and logs). */
    public synchronized int running() {
        return running.size();
    }

    private synchronized void startWaiting() {
        while (!closed && running.size() < limit && !waiting.isEmpty()) {
            Job next = waiting.poll();
            running.add(next);
            try {
                threads.execute(next::run);
            } catch (RejectedExecutionException e) {
                running.remove(next);
                throw e;
            }
        }
    }

    private void ended(Job job) {
        synchronized (this) {
            running.remove(job);
            startWaiting();
        }
    }

    /** Stops every conversion (no ffmpeg stays), drops the waiting ones; waits for the running ones to clean up. */
    @Override
    public void close() {
        List<Job> stopped;
        List<Job> dropped;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            stopped = new ArrayList<>(running);
            dropped = new ArrayList<>(waiting);
            waiting.clear();
        }
        dropped.forEach(Job::cleanUp);
        stopped.forEach(j -> j.conversion.stop());
        threads.shutdown();
        try {
            if (!threads.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("conversions still cleaning up 10 s after they were stopped");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One conversion for one request. */
    public final class Job {
        private final ResultKey key;
        private final Profile profile;
        private final MediaInfo media;
        private final Path source;
        private final Path partial;
        private final Listener listener;
        private final FileConversion conversion;
        private final long expectedFrames;
        private volatile boolean cancelled;
        private long lastProgress = System.nanoTime();

        private Job(ResultKey key, Profile profile, MediaInfo media, Path source, Listener listener) {
            this.key = key;
            this.profile = profile;
            this.media = media;
            this.source = source;
            this.partial = store.partial(key);
            this.listener = listener;
            this.conversion = new FileConversion(tools, profile, media, source, partial);
            long frames = Media.frames(media);
            this.expectedFrames = frames > 0 ? frames
                    : (long) Math.floor(media.getDurationSeconds() * Media.fps(media));
        }

        /** Still waiting for a place. */
        public boolean waiting() {
            synchronized (ConvertService.this) {
                return waiting.contains(this);
            }
        }

        /**
         * Stops the job: one that waits never starts (its source is deleted on a convert thread), a running one
         * has its ffmpeg killed and its source and partial removed. Its listener hears nothing more but a
         * {@code failed}, which may still come. Any thread, does not wait.
         */
        public void cancel() {
            cancelled = true;
            boolean dropped;
            synchronized (ConvertService.this) {
                dropped = waiting.remove(this);
            }
            if (dropped) {
                try {
                    threads.execute(this::cleanUp);
                } catch (RejectedExecutionException closing) {
                    // close() cleans up
                }
            } else {
                conversion.stop();
            }
        }

        private void run() {
            try {
                if (cancelled) {
                    conversion.stop();
                }
                listener.started();
                conversion.run((frame, fps, speed) -> progress(frame));
                byte[] digest = digest(partial);
                listener.done(store.add(key, partial, digest));
            } catch (MediaException e) {
                // the same bytes would fail the same way again; a stopped one may go again later
                boolean stopped = cancelled || isClosed();
                listener.failed("converting with " + profile.name() + " failed: " + e.getMessage(), stopped);
            } catch (IOException | RuntimeException e) {
                LOG.warn("could not store the {} result: {}", key, e.toString());
                listener.failed("could not store the result: " + e.getMessage(), true);
            } finally {
                cleanUp();
                ended(this);
            }
        }

        private void progress(long frame) {
            long now = System.nanoTime();
            if (now - lastProgress < PROGRESS_EVERY_NANOS) {
                return;
            }
            lastProgress = now;
            listener.progress(expectedFrames > 0 ? Math.min(1.0, (double) frame / expectedFrames) : 0);
        }

        /** Deletes the source, and the partial unless it was moved into the store. */
        private void cleanUp() {
            for (Path p : List.of(source, partial)) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.warn("cannot delete {}: {}", p, e.toString());
                }
            }
        }
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    private static byte[] digest(Path file) throws IOException {
        ContentHasher h = new ContentHasher();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            FileDigests.feed(ch, h, ch.size());
        }
        return h.digest();
    }
}

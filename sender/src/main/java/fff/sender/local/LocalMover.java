package fff.sender.local;

import fff.common.jobs.Delivery;
import fff.common.jobs.Failure;
import fff.common.jobs.Job;
import fff.common.jobs.JobSpec;
import fff.common.jobs.Mover;
import fff.common.paths.DurableFiles;
import fff.common.paths.SafePaths;
import fff.common.peers.PeerStatus;
import fff.common.peers.PeerTraffic;
import fff.common.rate.RateLimiter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Moves jobs into a folder on this machine (another disk, a mounted USB drive): the {@code local} destination.
 * Each {@link #start} is one attempt on the mover's own threads ({@code fff-local-NAME-N}); the job engine does
 * the retrying. Sends land as {@link LocalCopy} describes; removes and renames mirror the source's edits.
 *
 * <p>The root is never created: a missing root is a device that is not mounted, so the destination is reported
 * offline (its jobs wait, holding nothing, and the attempt does not count) and the root is probed until it is back.
 */
public final class LocalMover implements Mover {

    static final int THREADS = 3;
    static final int QUEUE = 256;
    static final int BUFFER_BYTES = 4 << 20;
    private static final long PROBE_MILLIS = 2_000;

    private final String name;
    private final Path root;
    private final long progressEveryNanos;
    private final ThreadPoolExecutor workers;
    private final ThreadLocal<ByteBuffer> buffers = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(BUFFER_BYTES));
    private final Set<Attempt> running = ConcurrentHashMap.newKeySet();
    /** Final paths an attempt is writing, removing or renaming: two jobs never touch one file at once. */
    private final Set<Path> claims = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;
    private volatile OnlineListener online = (up, why) -> { };
    /** Bytes written by delivered copies (counted when each is done), for the page's peers list. */
    private final PeerTraffic traffic = new PeerTraffic();
    private final RateLimiter rate;
    private volatile String lastProblem;
    private ScheduledFuture<?> probe;
    private boolean up = true; // what the listener last heard
    private volatile boolean closed;

    public LocalMover(String name, Path root) {
        this(name, root, RateLimiter.unlimited());
    }

    /** As above, copying no faster than {@code rate} allows (the destination's limiter). */
    public LocalMover(String name, Path root, RateLimiter rate) {
        this(name, root, 100, rate);
    }

    /** As above, reporting progress (and checking the source) every {@code progressEveryMillis} while copying. */
    LocalMover(String name, Path root, long progressEveryMillis, RateLimiter rate) {
        this.rate = rate;
        this.name = name;
        this.root = root.toAbsolutePath().normalize();
        this.progressEveryNanos = TimeUnit.MILLISECONDS.toNanos(progressEveryMillis);
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(QUEUE),
                r -> daemon(r, "fff-local-" + name + "-" + n.incrementAndGet()));
        workers.allowCoreThreadTimeOut(true);
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "fff-local-" + name + "-probe"));
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
    }

    public Path root() {
        return root;
    }

    @Override
    public void onOnlineChange(OnlineListener listener) {
        this.online = listener;
    }

    /** Online unless the root folder is missing; connections: copies running now. */
    @Override
    public PeerStatus status() {
        boolean isUp;
        synchronized (this) {
            isUp = up;
        }
        return traffic.status(name, PeerStatus.OUT, root.toString(), isUp, isUp ? null : lastProblem,
                running.size());
    }

    @Override
    public Running start(Job job, Listener listener) {
        Attempt a = new Attempt(job.spec(), listener);
        running.add(a);
        try {
            a.future = workers.submit(a::run);
        } catch (RejectedExecutionException e) {
            a.end(null, closed ? new Failure("SHUTDOWN", "the node is stopping", true, false, 0)
                    : new Failure("BUSY", "local destination " + name + " has " + QUEUE + " attempts waiting", true,
                            false, 1_000));
        }
        return a::cancel;
    }

    /** Stops the workers; a copy under way keeps its partial and continues after a restart. */
    @Override
    public void close() {
        closed = true;
        running.forEach(a -> a.stop("the node is stopping", true));
        workers.shutdown();
        timer.shutdownNow();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
    }

    /** One attempt: reported exactly once, through {@link #end}. */
    private final class Attempt {
        final JobSpec spec;
        final Listener listener;
        final AtomicBoolean started = new AtomicBoolean();
        final AtomicBoolean ended = new AtomicBoolean();
        volatile Future<?> future;
        volatile String stopped;
        volatile boolean keepPartial;

        Attempt(JobSpec spec, Listener listener) {
            this.spec = spec;
            this.listener = listener;
        }

        void run() {
            if (!started.compareAndSet(false, true)) {
                return; // stopped while it waited
            }
            try {
                check();
                end(attempt(this), null);
            } catch (LocalFailure f) {
                end(null, f.failure());
            } catch (IOException e) {
                end(null, failure(e));
            } catch (RuntimeException e) {
                end(null, Failure.of("IO_ERROR", String.valueOf(e), true));
            }
        }

        void check() throws LocalFailure {
            String why = stopped;
            if (why != null) {
                throw new LocalFailure(keepPartial ? new Failure("SHUTDOWN", why, true, false, 0)
                        : Failure.of("CANCELLED", why, false));
            }
        }

        void cancel(String why) {
            stop(why, false);
        }

        void stop(String why, boolean keep) {
            keepPartial = keep;
            stopped = why == null ? "cancelled" : why;
            if (started.compareAndSet(false, true)) { // still waiting for a worker: it never will run
                Future<?> f = future;
                if (f != null) {
                    f.cancel(false);
                }
                end(null, keep ? new Failure("SHUTDOWN", stopped, true, false, 0)
                        : Failure.of("CANCELLED", stopped, false));
            }
        }

        void end(Delivery d, Failure f) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            running.remove(this);
            if (d != null) {
                traffic.sent(d.bytesSent());
                if (d.resumedFrom() > 0) {
                    traffic.resumed();
                }
                listener.done(d);
            } else {
                listener.failed(f);
            }
        }
    }

    private Delivery attempt(Attempt a) throws LocalFailure, IOException {
        JobSpec spec = a.spec;
        if (spec.profile() != null) {
            throw LocalFailure.of("UNSUPPORTED_PROFILE", "local destination " + name + " takes plain copies only; "
                    + "it cannot transcode with profile '" + spec.profile() + "'", false);
        }
        requireRoot();
        Path target = LocalPath.resolve(root, spec.remotePath());
        Path from = spec.op() == JobSpec.Op.RENAME ? LocalPath.resolve(root, spec.renameFrom()) : null;
        Path second = from != null && !from.equals(target) ? from : null;
        claim(target, spec.remotePath());
        try {
            if (second != null) {
                claim(second, spec.renameFrom());
            }
            try {
                return switch (spec.op()) {
                    case SEND -> new LocalCopy(root, spec, buffers.get(), a::check, a.listener::progress,
                            progressEveryNanos, rate).run();
                    case REMOVE -> remove(target, spec.remotePath());
                    case RENAME -> rename(from, spec.renameFrom(), target, spec.remotePath());
                };
            } finally {
                if (second != null) {
                    claims.remove(second);
                }
            }
        } finally {
            claims.remove(target);
        }
    }

    private void claim(Path p, String remotePath) throws LocalFailure {
        if (!claims.add(p)) {
            throw new LocalFailure(new Failure("BUSY", SafePaths.quote(remotePath) + " is in use by another job",
                    true, false, 1_000));
        }
    }

    /** Deletes the file at {@code target} and a partial kept for it; already present: there was no file. */
    private Delivery remove(Path target, String remotePath) throws LocalFailure, IOException {
        LocalPath.checkNoSymlinkEscape(root, target);
        BasicFileAttributes attrs = LocalCopy.attributesOrNull(target);
        if (attrs != null && attrs.isDirectory()) {
            throw LocalFailure.of("BAD_PATH", SafePaths.quote(remotePath) + " is a directory; only files are removed",
                    false);
        }
        boolean removed = attrs != null && Files.deleteIfExists(target);
        Path partial = SafePaths.partialFor(target);
        BasicFileAttributes p = LocalCopy.attributesOrNull(partial);
        boolean partialRemoved = p != null && !p.isDirectory() && Files.deleteIfExists(partial);
        if (removed || partialRemoved) {
            DurableFiles.fsyncDirectory(target.getParent());
        }
        return new Delivery(0, 0, !removed);
    }

    /** Moves {@code from} to {@code to} atomically, replacing a file there; a missing {@code from} fails for good. */
    private Delivery rename(Path from, String fromRemote, Path to, String toRemote) throws LocalFailure, IOException {
        LocalPath.checkNoSymlinkEscape(root, from);
        BasicFileAttributes src = LocalCopy.attributesOrNull(from);
        if (src == null || !src.isRegularFile()) {
            throw LocalFailure.of(src == null ? "NOT_FOUND" : "BAD_PATH", "cannot rename " + SafePaths.quote(fromRemote)
                    + ": " + (src == null ? "no such file" : "not a file"), false);
        }
        if (from.equals(to)) {
            return new Delivery(0, 0, false);
        }
        LocalPath.createDirectories(root, to.getParent(), toRemote);
        LocalPath.checkNoSymlinkEscape(root, to);
        BasicFileAttributes existing = LocalCopy.attributesOrNull(to);
        if (existing != null && existing.isDirectory()) {
            throw LocalFailure.of("BAD_PATH", "cannot rename onto " + SafePaths.quote(toRemote) + ": it is a directory",
                    false);
        }
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchFileException e) {
            throw LocalFailure.of("NOT_FOUND", "cannot rename " + SafePaths.quote(fromRemote) + ": no such file",
                    false);
        } catch (AtomicMoveNotSupportedException e) {
            throw LocalFailure.of("IO_ERROR", "cannot rename " + SafePaths.quote(fromRemote) + " to "
                    + SafePaths.quote(toRemote) + " atomically", false);
        }
        DurableFiles.fsyncDirectory(to.getParent());
        if (!to.getParent().equals(from.getParent())) {
            DurableFiles.fsyncDirectory(from.getParent());
        }
        return new Delivery(0, 0, false);
    }

    /** The root must be there: it is a mount point, and writing into an unmounted one fills the wrong disk. */
    private void requireRoot() throws LocalFailure {
        if (!Files.isDirectory(root)) {
            String why = "local destination " + name + ": folder " + root + " is missing (device not mounted?)";
            markOffline(why);
            throw new LocalFailure(new Failure("DEST_MISSING", why, true, false, 0));
        }
    }

    private Failure failure(IOException e) {
        if (!Files.isDirectory(root)) {
            String why = "local destination " + name + ": folder " + root + " went missing (" + e.getMessage() + ")";
            markOffline(why);
            return new Failure("DEST_MISSING", why, true, false, 0);
        }
        if (LocalCopy.diskFull(e)) {
            return Failure.of("DISK_FULL", "no space left on the device of " + root + ": " + e.getMessage(), true);
        }
        if (e instanceof AccessDeniedException) {
            return Failure.of("PERMISSION_DENIED", "permission denied: " + e.getMessage(), false);
        }
        if (e instanceof FileSystemException fs && "Read-only file system".equals(fs.getReason())) {
            return Failure.of("READ_ONLY", "read-only file system: " + fs.getFile(), false);
        }
        return Failure.of("IO_ERROR", String.valueOf(e), true);
    }

    /** Tells the engine the destination is offline (once) and probes the root until it is back. */
    private synchronized void markOffline(String why) {
        if (closed || !up) {
            return;
        }
        up = false;
        lastProblem = why;
        online.changed(false, why);
        probe = timer.scheduleWithFixedDelay(this::probe, PROBE_MILLIS, PROBE_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void probe() {
        if (!Files.isDirectory(root)) {
            return;
        }
        synchronized (this) {
            if (up) {
                return;
            }
            up = true;
            probe.cancel(false);
            probe = null;
        }
        online.changed(true, null);
    }

    private static Thread daemon(Runnable r, String threadName) {
        Thread t = new Thread(r, threadName);
        t.setDaemon(true);
        return t;
    }
}

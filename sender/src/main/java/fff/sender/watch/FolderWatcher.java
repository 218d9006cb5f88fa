package fff.sender.watch;

import fff.common.config.Durations;
import fff.sender.watch.TrackedFiles.Entry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one folder and reports each finished file once: a regular file whose size and modification time
 * have not changed for {@link WatchSpec#stableFor()}. File events ({@link DirectoryEvents}, inotify on Linux)
 * say where to look; a periodic full rescan finds what events miss (network mounts, lost events). Files there
 * at start count as first seen by the start. A file that changes after it was reported is reported again once
 * stable; a reported file that disappears is {@code removed}, or {@code renamed} when a file with its file key,
 * size and mtime appears under another name in the same look.
 *
 * <p>Threading: all state lives on {@code timer}, a single-thread executor; every {@link Listener} call runs
 * there too and must not block. Checks are one-shot timer tasks per file still settling; nothing runs
 * periodically but the rescan. While the root is missing nothing is reported as removed: a mount that comes
 * back with the same files reports nothing new.
 */
public final class FolderWatcher implements AutoCloseable {

    /** Receives what the watcher finds, on the timer thread. */
    public interface Listener {
        /** {@code file} stopped changing; reported once per size and mtime. */
        void stable(WatchedFile file);

        /** A file reported stable is gone. */
        default void removed(String relative) {}

        /** A file reported stable now has another name below the root; it is not reported stable again. */
        default void renamed(String fromRelative, String toRelative) {}

        /** Something keeps the watcher from seeing part of the folder; reported once until it clears. */
        void error(String message);

        /** A problem reported through {@link #error} has cleared; {@code message} is that problem's. */
        default void recovered(String message) {}
    }

    private static final Logger LOG = LoggerFactory.getLogger(FolderWatcher.class);
    /** How long events gather before they are looked at, so both halves of a move land in one look. */
    static final Duration COALESCE = Duration.ofMillis(50);
    /** How often a missing root is looked for again when rescans are rarer than that. */
    static final Duration ROOT_RETRY = Duration.ofSeconds(1);
    /** More changed paths than this waiting at once are replaced by one full rescan. */
    static final int MAX_PENDING_PATHS = 10_000;
    private static final String ROOT = "root";

    private final WatchSpec spec;
    private final ScheduledExecutorService timer;
    private final Listener listener;
    private final boolean useEvents;
    private final WatchFilter filter;
    private final long stableNanos;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile DirectoryEvents events;

    // timer thread only
    private final TrackedFiles tracked = new TrackedFiles();
    private final Set<String> changedPaths = new HashSet<>();
    private final Problems problems;
    private final Surveyor surveyor;
    private boolean fullRescanWanted;
    private ScheduledFuture<?> batch;
    private ScheduledFuture<?> rescan;
    private long rescanDue;

    public FolderWatcher(WatchSpec spec, ScheduledExecutorService timer, Listener listener) {
        this(spec, timer, listener, true);
    }

    /** With {@code useEvents} false the watcher relies on rescans alone, as on a mount that sends no events. */
    FolderWatcher(WatchSpec spec, ScheduledExecutorService timer, Listener listener, boolean useEvents) {
        this.spec = spec;
        this.timer = timer;
        this.listener = listener;
        this.useEvents = useEvents;
        this.filter = new WatchFilter(spec);
        this.stableNanos = spec.stableFor().toNanos();
        this.problems = new Problems(m -> tell(() -> listener.error(m)), m -> tell(() -> listener.recovered(m)));
        this.surveyor = new Surveyor(spec, filter, problems);
    }

    /** Starts watching: registers for events and runs the first scan on the timer. Once only. */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("watcher of " + spec.root() + " already started");
        }
        timer.execute(this::begin);
    }

    /** Stops events and pending checks and releases the watch service. Idempotent; callable from any thread. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        DirectoryEvents ev = events;
        if (ev != null) {
            ev.close();
        }
        try {
            timer.execute(this::cancelTimers);
        } catch (RejectedExecutionException e) {
            // timer already shut down: nothing of ours will run
        }
    }

    private void begin() {
        if (closed.get()) {
            return;
        }
        if (useEvents) {
            try {
                events = new DirectoryEvents(spec.root(), timer, new Sink());
                if (closed.get()) {
                    events.close(); // close() ran while the service was being made
                    return;
                }
                surveyor.useEvents(events);
            } catch (IOException e) {
                problems.report(Surveyor.EVENTS, "cannot watch " + spec.root() + " for file events (" + e.getMessage()
                        + "); relying on rescans every " + Durations.format(rescanPeriod()));
            }
        }
        rescan();
    }

    private final class Sink implements DirectoryEvents.Sink {
        @Override
        public void changed(List<String> relatives) {
            changedPaths.addAll(relatives);
            if (changedPaths.size() > MAX_PENDING_PATHS) {
                changedPaths.clear();
                fullRescanWanted = true;
            }
            scheduleBatch();
        }

        @Override
        public void overflow() {
            fullRescanWanted = true;
            scheduleBatch();
        }

        @Override
        public void lost(String relative) {
            changedPaths.add(relative);
            scheduleBatch();
        }
    }

    private void scheduleBatch() {
        if (batch == null && !closed.get()) {
            batch = timer.schedule(this::lookAtChanges, COALESCE.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** Looks at the paths events named; folders that appeared are registered and walked. */
    private void lookAtChanges() {
        batch = null;
        if (closed.get()) {
            return;
        }
        if (fullRescanWanted || changedPaths.contains("")) {
            fullRescanWanted = false;
            changedPaths.clear();
            rescan();
            return;
        }
        List<String> paths = new ArrayList<>(changedPaths);
        changedPaths.clear();
        if (!rootPresent()) {
            return;
        }
        Surveyor.Look look = surveyor.paths(paths);
        apply(tracked.reconcile(look.seen(), look.scope(), now()));
    }

    /** Walks the whole tree, then plans the next rescan. */
    private void rescan() {
        if (rescan != null) {
            rescan.cancel(false);
            rescan = null;
        }
        if (closed.get() || !rootPresent()) {
            return;
        }
        Surveyor.Look look = surveyor.whole();
        apply(tracked.reconcile(look.seen(), look.scope(), now()));
        if (!rescanPeriod().isZero()) {
            scheduleRescan(rescanPeriod().toNanos());
        }
    }

    private boolean rootPresent() {
        if (Files.isDirectory(spec.root())) {
            problems.clear(ROOT);
            return true;
        }
        problems.report(ROOT, "watch folder " + spec.root() + " is missing or not a folder");
        long retry = ROOT_RETRY.toNanos();
        if (!spec.rescanEvery().isZero()) {
            retry = Math.min(retry, spec.rescanEvery().toNanos());
        }
        scheduleRescan(retry);
        return false;
    }

    private void scheduleRescan(long delayNanos) {
        long due = now() + delayNanos;
        if (rescan != null && rescanDue - due <= 0) {
            return;
        }
        if (rescan != null) {
            rescan.cancel(false);
        }
        rescanDue = due;
        rescan = timer.schedule(this::rescan, delayNanos, TimeUnit.NANOSECONDS);
    }

    private Duration rescanPeriod() {
        // without events, rescans are all there is: never let them stop
        return spec.rescanEvery().isZero() && events == null ? WatchSpec.DEFAULT_RESCAN_EVERY : spec.rescanEvery();
    }

    private void apply(List<TrackedFiles.Change> changes) {
        for (TrackedFiles.Change change : changes) {
            if (change instanceof TrackedFiles.Pending p) {
                scheduleCheck(p.entry());
            } else if (change instanceof TrackedFiles.Moved m) {
                if (m.entry().reported) {
                    tell(() -> listener.renamed(m.from(), m.entry().relative));
                } else {
                    scheduleCheck(m.entry());
                }
            } else if (change instanceof TrackedFiles.Gone g) {
                if (g.entry().check != null) {
                    g.entry().check.cancel(false);
                    g.entry().check = null;
                }
                if (g.entry().reported) {
                    tell(() -> listener.removed(g.entry().relative));
                }
            }
        }
    }

    private void scheduleCheck(Entry e) {
        if (e.check == null && !e.reported) {
            long delay = Math.max(0, e.changedAt + stableNanos - now());
            e.check = timer.schedule(() -> check(e), delay, TimeUnit.NANOSECONDS);
        }
    }

    /** A settling file's deadline came: report it if it did not change, else wait again. */
    private void check(Entry e) {
        e.check = null;
        if (closed.get() || tracked.get(e.relative) != e) {
            return;
        }
        Path file = resolve(e.relative);
        BasicFileAttributes a = TreeScan.attributes(file);
        if (a == null || !a.isRegularFile()) {
            changedPaths.add(e.relative);
            scheduleBatch();
            return;
        }
        long now = now();
        e.update(FileStat.of(a), now);
        if (now - e.changedAt < stableNanos) {
            scheduleCheck(e);
            return;
        }
        e.reported = true;
        WatchedFile found = new WatchedFile(file, e.relative, e.stat.size(), e.stat.mtimeMillis(), e.stat.fileKey());
        tell(() -> listener.stable(found));
    }

    private void tell(Runnable call) {
        if (closed.get()) {
            return;
        }
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("watch listener for {} failed", spec.root(), e);
        }
    }

    private void cancelTimers() {
        for (ScheduledFuture<?> f : new ScheduledFuture<?>[] {batch, rescan}) {
            if (f != null) {
                f.cancel(false);
            }
        }
        for (Entry e : tracked.all()) {
            if (e.check != null) {
                e.check.cancel(false);
            }
        }
    }

    private Path resolve(String relative) {
        return relative.isEmpty() ? spec.root() : spec.root().resolve(relative);
    }

    private static long now() {
        return System.nanoTime();
    }
}

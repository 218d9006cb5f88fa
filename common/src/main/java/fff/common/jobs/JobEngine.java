package fff.common.jobs;

import fff.common.schedule.Snapshot;
import fff.proto.journal.JobMoved;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link JobDb}: owns the one thread that touches it, starts and stops {@link Mover}s as dispatch
 * decides, posts their outcomes back, wakes the db when a retry is due (one timer for the earliest, no
 * polling), disposes of verified sources off that thread and writes journal checkpoints. Everything public is
 * thread-safe and returns a future completed on the engine's thread.
 */
public final class JobEngine implements AutoCloseable {

    /** What happened to a job, for the console and tests; called on the engine's thread, keep it short. */
    public interface Events {
        void job(Job job, String what);

        Events NONE = (job, what) -> { };
    }

    private static final Logger LOG = LoggerFactory.getLogger(JobEngine.class);

    private final JobDb db;
    private final Map<String, Mover> movers;
    private final JobLog log;
    private final long historyMillis;
    private final long checkpointEvery;
    private final Events events;
    private final ScheduledThreadPoolExecutor loop;
    private final ExecutorService io;
    private final Map<Long, Attempt> running = new HashMap<>();
    private ScheduledFuture<?> wakeTask;
    private long wakeAt = Long.MAX_VALUE;
    private boolean syncPending;
    private volatile boolean closed;

    private static final class Attempt {
        Mover.Running running;
    }

    /**
     * @param db              replayed but not yet recovered
     * @param movers          by destination name
     * @param log             the same log the db writes to, for checkpoints
     * @param historyMillis   how long finished jobs are kept
     * @param checkpointEvery events between checkpoints
     */
    public JobEngine(JobDb db, Map<String, Mover> movers, JobLog log, long historyMillis, long checkpointEvery,
            Events events) {
        this.db = db;
        this.movers = Map.copyOf(movers);
        this.log = log;
        this.historyMillis = historyMillis;
        this.checkpointEvery = checkpointEvery;
        this.events = events;
        ScheduledThreadPoolExecutor one = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "fff-jobs"));
        one.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // a retry minutes away must not delay close
        one.setRemoveOnCancelPolicy(true);
        this.loop = one;
        this.io = Executors.newFixedThreadPool(2, r -> daemon(r, "fff-jobs-io"));
        this.movers.forEach((name, m) -> m.onOnlineChange((online, why) -> post(() -> {
            LOG.info("destination {} is {}{}", name, online ? "online" : "offline", why == null ? "" : ": " + why);
            apply(db.setOnline(name, online));
        })));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Recovers the replayed db (interrupted jobs resume), writes a checkpoint and starts dispatching. */
    public CompletableFuture<Void> start() {
        return call(d -> {
            Dispatch first = db.recover();
            log.checkpoint(db.nextJobId(), db.checkpointRecords(historyMillis));
            db.pendingSources().forEach(this::disposeOfSource);
            apply(first);
            return null;
        });
    }

    public CompletableFuture<Submitted> submit(JobSpec spec) {
        return queue(d -> d.submit(spec));
    }

    /** A watched file was renamed; see {@link JobDb#renamed}. */
    public CompletableFuture<Submitted> renamed(JobSpec to, String fromRelative, boolean mirror) {
        return queue(d -> d.renamed(to, fromRelative, mirror));
    }

    /** A watched file was deleted; see {@link JobDb#removed}. */
    public CompletableFuture<Submitted> removed(String rule, String relative, boolean mirror) {
        return queue(d -> d.removed(rule, relative, mirror));
    }

    /** Runs a db call that may queue a job: reports the new job, then starts what it lets start. */
    private CompletableFuture<Submitted> queue(Function<JobDb, Submitted> op) {
        return call(d -> {
            Submitted s = op.apply(d);
            s.job().ifPresent(j -> events.job(j, "queued"));
            apply(s.dispatch());
            return s;
        });
    }

    public CompletableFuture<Void> cancel(long id, String by) {
        return run(() -> {
            Dispatch d = db.cancel(id, by);
            db.job(id).ifPresent(j -> events.job(j, "cancelled"));
            apply(d);
        });
    }

    public CompletableFuture<Void> retry(long id) {
        return run(() -> apply(db.retry(id)));
    }

    public CompletableFuture<Void> move(long id, JobMoved.Where where, long other) {
        return run(() -> apply(db.move(id, where, other)));
    }

    public CompletableFuture<Void> setLimit(String group, int limit) {
        return run(() -> apply(db.setLimit(group, limit)));
    }

    /**
     * Journals a run-time rate limit ({@link JobDb#setRate}; {@code lines} null: back to the config's), then runs
     * {@code apply}, on the engine's thread: changes take effect in the journal's order.
     */
    public CompletableFuture<Void> setRate(String destination, List<String> lines, Runnable apply) {
        return run(() -> {
            db.setRate(destination, lines);
            apply.run();
        });
    }

    /** Admits one inbound file through {@code group}: completes with a key to release, or null when busy. */
    public CompletableFuture<String> admit(String group) {
        return call(d -> d.admit(group).orElse(null));
    }

    public void release(String key) {
        post(() -> apply(db.release(key)));
    }

    public CompletableFuture<List<Job>> jobs() {
        return call(JobDb::jobs);
    }

    public CompletableFuture<Optional<Job>> job(long id) {
        return call(d -> d.job(id));
    }

    public CompletableFuture<Snapshot> groups() {
        return call(d -> d.scheduler().snapshot());
    }

    /** Runs {@code f} on the engine's thread; for reads the methods above do not cover. */
    public <T> CompletableFuture<T> call(Function<JobDb, T> f) {
        CompletableFuture<T> result = new CompletableFuture<>();
        post(() -> {
            try {
                result.complete(f.apply(db));
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e); // the caller hears of it; an Error is also logged below
                if (e instanceof Error) {
                    throw e;
                }
            }
        });
        return result;
    }

    private CompletableFuture<Void> run(Runnable r) {
        return call(d -> {
            r.run();
            return null;
        });
    }

    private void post(Runnable r) {
        if (closed) {
            return;
        }
        loop.execute(() -> {
            try {
                r.run();
                afterEachEvent();
            } catch (RuntimeException | Error e) {
                LOG.error("job engine error", e);
            }
        });
    }

    private void apply(Dispatch d) {
        for (Job j : d.stop()) {
            Attempt a = running.remove(j.id());
            if (a != null && a.running != null) {
                a.running.cancel("job " + j.id() + " cancelled");
            }
        }
        for (Job j : d.start()) {
            events.job(j, "started");
            Mover m = movers.get(j.spec().destination());
            if (m == null) {
                apply(db.failed(j.id(), Failure.of("NOT_CONFIGURED", "destination '" + j.spec().destination()
                        + "' is not in the config", false)));
                continue;
            }
            Attempt a = new Attempt();
            running.put(j.id(), a);
            try {
                a.running = m.start(j, listener(j, a));
            } catch (RuntimeException e) {
                running.remove(j.id());
                apply(db.failed(j.id(), Failure.of("IO_ERROR", "cannot start: " + e, true)));
            }
        }
    }

    private Mover.Listener listener(Job job, Attempt a) {
        long id = job.id();
        return new Mover.Listener() {
            @Override
            public void progress(long bytesDone) {
                post(() -> {
                    if (running.get(id) == a) {
                        db.progress(id, bytesDone);
                    }
                });
            }

            @Override
            public void media(long frame, long frames, double fps, double speed) {
                post(() -> {
                    if (running.get(id) == a) {
                        db.media(id, new MediaProgress(frame, frames, fps, speed));
                    }
                });
            }

            @Override
            public void done(Delivery delivery) {
                post(() -> finish(id, a, delivery));
            }

            @Override
            public void failed(Failure failure) {
                post(() -> {
                    if (running.remove(id, a)) {
                        Dispatch d = db.failed(id, failure);
                        db.job(id).ifPresent(j -> events.job(j, j.state() == JobState.QUEUED ? "retry" : "failed"));
                        apply(d);
                    }
                });
            }
        };
    }

    private void finish(long id, Attempt a, Delivery delivery) {
        if (running.remove(id, a)) {
            Dispatch d = db.succeeded(id, delivery, "");
            db.job(id).ifPresent(j -> {
                events.job(j, "done");
                disposeOfSource(j);
            });
            apply(d);
        }
    }

    /**
     * {@code after: delete|move}, only once the DONE is in the journal: a crash in between leaves the job
     * marked pending, and {@link #start()} does it then. Disk work off the engine's thread.
     */
    private void disposeOfSource(Job j) {
        if (db.sourcePending(j.id())) {
            io.execute(() -> {
                String result = SourceDisposal.apply(j.spec());
                post(() -> {
                    db.sourceHandled(j.id(), result);
                    db.job(j.id()).ifPresent(done -> events.job(done, "source"));
                });
            });
        }
    }

    private void afterEachEvent() {
        long next = db.nextWakeMillis();
        if (next < wakeAt) {
            if (wakeTask != null) {
                wakeTask.cancel(false);
            }
            wakeAt = next;
            long delay = Math.max(0, next - db.clock().millis());
            wakeTask = loop.schedule(() -> {
                wakeAt = Long.MAX_VALUE;
                wakeTask = null;
                apply(db.wake());
                afterEachEvent();
            }, delay, TimeUnit.MILLISECONDS);
        }
        if (log.eventsSinceCheckpoint() >= checkpointEvery) {
            log.checkpoint(db.nextJobId(), db.checkpointRecords(historyMillis));
        }
        if (!syncPending) { // what happened is on disk within a second, without an idle timer
            syncPending = true;
            loop.schedule(() -> {
                syncPending = false;
                io.execute(log::sync);
            }, 1, TimeUnit.SECONDS);
        }
    }

    /** Stops dispatching; running attempts are left to the movers' own shutdown (they resume after restart). */
    @Override
    public void close() {
        closed = true;
        loop.shutdown();
        io.shutdown();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.sync();
    }
}

package fff.bench.journal;

import fff.common.jobs.Job;
import fff.common.jobs.JobControl;
import fff.common.jobs.JobDb;
import fff.common.jobs.JobLog;
import fff.common.jobs.JobQuery;
import fff.common.jobs.JobState;
import fff.common.schedule.Snapshot;
import fff.proto.journal.JobEvent;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the web page's job queries cost on the job engine's thread with about 100,000 jobs held: a
 * {@link JobDb} replayed from {@code events} events of a node's life ({@link NodeLife}, 440,000 ≈ 100k jobs,
 * nearly all history, about 2,000 waiting) and then {@code recover()}ed, which starts 160 of them.
 *
 * <ul>
 *   <li>{@code runningTick}: the live feed's once-a-second RUNNING query (also each Prometheus scrape).</li>
 *   <li>{@code groupsSnapshot}: the rest of that tick, {@code control.groups()}: the scheduler's snapshot
 *       (groups and every queued job; the same code on both paths).</li>
 *   <li>{@code queuePage}: RUNNING and QUEUED, 200 a page — the page's queue on every change.</li>
 *   <li>{@code historyFirst}, {@code historyDeep}: DONE, FAILED and CANCELLED, 50 a page, at offset 0 and
 *       at half the history.</li>
 *   <li>{@code historyGroup}: the first history page of one destination's group (a quarter of the jobs).</li>
 *   <li>{@code historyFailed}: the first page of FAILED jobs (the page's state filter; a few hundred).</li>
 *   <li>{@code historyText}: the first history page with a text filter that matches few jobs.</li>
 *   <li>{@code counts}: jobs per group and state, as {@code EngineControl.counts()} (each scrape).</li>
 * </ul>
 * Each runs the code {@code EngineControl} runs on the engine's thread, single-threaded, no engine:
 * {@code path=db} as it does now ({@link JobDb#query}, {@link JobDb#counts}), {@code path=views} as it did
 * before ({@code query.apply(db.jobs(), db.scheduler().snapshot().queuedIds())}, and a count over
 * {@code db.jobs()}): a view of every job held, then filter, sort and page.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class JobQueryBench {

    private static final Set<JobState> ENDED = Set.of(JobState.DONE, JobState.FAILED, JobState.CANCELLED);

    @Param({"440000"})
    int events;

    @Param({"db", "views"})
    String path;

    private JobDb db;
    private boolean views;
    private JobQuery running;
    private JobQuery queue;
    private JobQuery historyFirst;
    private JobQuery historyDeep;
    private JobQuery historyGroup;
    private JobQuery historyFailed;
    private JobQuery historyText;

    @Setup(Level.Trial)
    public void setUp() {
        db = NodeLife.jobDb(JobLog.NONE);
        List<JobEvent> life = NodeLife.events(events, 42);
        long t0 = System.nanoTime();
        life.forEach(db::replay);
        db.recover();
        long replayMillis = (System.nanoTime() - t0) / 1_000_000;
        life = null;
        views = switch (path) {
            case "db" -> false;
            case "views" -> true;
            default -> throw new IllegalArgumentException("path=" + path + ": db or views");
        };
        running = new JobQuery(Set.of(JobState.RUNNING), null, null, 0, JobQuery.MAX_LIMIT);
        queue = new JobQuery(Set.of(JobState.RUNNING, JobState.QUEUED), null, null, 0, 200);
        historyFirst = new JobQuery(ENDED, null, null, 0, 50);
        long t1 = System.nanoTime();
        long history = query(historyFirst).total(); // path=db: builds the job db's index
        long firstMillis = (System.nanoTime() - t1) / 1_000_000;
        historyDeep = new JobQuery(ENDED, null, null, (int) (history / 2 / 50 * 50), 50);
        historyGroup = new JobQuery(ENDED, NodeLife.DESTINATIONS[1], null, 0, 50);
        historyFailed = new JobQuery(Set.of(JobState.FAILED), null, null, 0, 50);
        historyText = new JobQuery(ENDED, null, "HASH_MISMATCH", 0, 50);
        for (JobQuery q : List.of(running, queue, historyFirst, historyDeep, historyGroup, historyFailed,
                historyText)) {
            if (!db.query(q).equals(q.apply(db.jobs(), db.scheduler().snapshot().queuedIds()))) {
                throw new IllegalStateException("db.query and apply over every view differ on " + q);
            }
        }
        Map<JobState, Long> byState = new EnumMap<>(JobState.class);
        counts().values().forEach(m -> m.forEach((s, n) -> byState.merge(s, n, Long::sum)));
        System.out.printf(Locale.ROOT, "%n%,d events (replay and recover %d ms, first query %d ms): %,d jobs held"
                + " %s; history %,d (deep page at offset %,d), group %s %,d, text '%s' %,d%n", events, replayMillis,
                firstMillis, db.jobs().size(), byState, history,
                historyDeep.offset(), historyGroup.group(), query(historyGroup).total(), historyText.text(),
                query(historyText).total());
    }

    /** The query as {@code EngineControl.jobs} runs it on the engine's thread. */
    private JobControl.JobPage query(JobQuery q) {
        return views ? q.apply(db.jobs(), db.scheduler().snapshot().queuedIds()) : db.query(q);
    }

    @Benchmark
    public JobControl.JobPage runningTick() {
        return query(running);
    }

    @Benchmark
    public Snapshot groupsSnapshot() {
        return db.scheduler().snapshot();
    }

    @Benchmark
    public JobControl.JobPage queuePage() {
        return query(queue);
    }

    @Benchmark
    public JobControl.JobPage historyFirst() {
        return query(historyFirst);
    }

    @Benchmark
    public JobControl.JobPage historyDeep() {
        return query(historyDeep);
    }

    @Benchmark
    public JobControl.JobPage historyGroup() {
        return query(historyGroup);
    }

    @Benchmark
    public JobControl.JobPage historyFailed() {
        return query(historyFailed);
    }

    @Benchmark
    public JobControl.JobPage historyText() {
        return query(historyText);
    }

    /** As {@code EngineControl.counts()}. */
    @Benchmark
    public Map<String, Map<JobState, Long>> counts() {
        if (!views) {
            return db.counts();
        }
        Map<String, Map<JobState, Long>> counts = new HashMap<>();
        for (Job j : db.jobs()) {
            counts.computeIfAbsent(j.spec().group(), g -> new EnumMap<>(JobState.class))
                    .merge(j.state(), 1L, Long::sum);
        }
        return counts;
    }
}

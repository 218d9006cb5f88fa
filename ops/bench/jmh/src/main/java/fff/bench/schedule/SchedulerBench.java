package fff.bench.schedule;

import fff.common.schedule.Decision;
import fff.common.schedule.Scheduler;
import java.util.ArrayDeque;
import java.util.List;
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
 * Cost of one scheduler event with {@code queued} jobs waiting over a 1,000-group tree
 * ({@link SchedulerFixture}), every token taken, so each event works against a saturated tree.
 *
 * <ul>
 *   <li>{@code finishedStartsNext}: the oldest running job ends, which starts the next job (the
 *       decision is checked), then a fresh job is submitted so the queue keeps its length — two
 *       events per operation.</li>
 *   <li>{@code submitThenCancel}: a job is queued behind everything and withdrawn — two events,
 *       no start.</li>
 *   <li>{@code moveToTop}, {@code moveBefore}: a random queued job is moved (one event, no
 *       start: every path is full).</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SchedulerBench {

    @Param({"100000"})
    int queued;

    @Param({"sites", "flat"})
    String shape;

    private SchedulerFixture fixture;
    private Scheduler scheduler;
    private ArrayDeque<String> running;
    private String[] waiting;

    @Setup(Level.Trial)
    public void setUp() {
        fixture = new SchedulerFixture(shape, queued, 42);
        scheduler = fixture.scheduler;
        running = new ArrayDeque<>(fixture.runningIds);
        waiting = fixture.queuedIds.toArray(String[]::new);
    }

    @Benchmark
    public Decision finishedStartsNext() {
        Decision d = scheduler.finished(running.poll());
        List<String> start = d.start();
        if (start.size() != 1) {
            throw new IllegalStateException("expected one start, got " + start);
        }
        running.add(start.get(0));
        scheduler.submit(fixture.newId(), fixture.randomLeaf(), fixture.randomPriority());
        return d;
    }

    @Benchmark
    public Decision submitThenCancel() {
        String id = fixture.newId();
        scheduler.submit(id, fixture.randomLeaf(), fixture.randomPriority());
        return scheduler.cancel(id);
    }

    @Benchmark
    public Decision moveToTop() {
        return scheduler.moveToTop(waiting[fixture.nextInt(waiting.length)]);
    }

    @Benchmark
    public Decision moveBefore() {
        String a = waiting[fixture.nextInt(waiting.length)];
        String b = waiting[fixture.nextInt(waiting.length)];
        return a.equals(b) ? Decision.NONE : scheduler.moveBefore(a, b);
    }
}

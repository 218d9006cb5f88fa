package fff.bench.journal;

import fff.common.jobs.Dispatch;
import fff.common.jobs.JobDb;
import fff.common.jobs.JobLog;
import fff.common.journal.Journal;
import fff.common.journal.JournalOptions;
import fff.common.journal.ReplayStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The node's start-up cost: replaying a journal of {@code events} events of a node's life
 * ({@link NodeLife}, default 1,000,000 ≈ 240k jobs). One shot = open the journal, replay it, close it.
 *
 * <ul>
 *   <li>{@code replayOnly}: into a consumer that only sums job ids — Chronicle reading and protobuf
 *       parsing.</li>
 *   <li>{@code replayIntoJobDb}: into a fresh {@link JobDb}, then {@code recover()} — what the node does
 *       before it accepts work.</li>
 * </ul>
 * {@code journal=plain} is the events alone; {@code journal=checkpointed} is the same events with a
 * checkpoint every 100k (the node's default), so replay reads the last checkpoint (one record per job of
 * the 30-day history, i.e. all of them) plus the 50k events after it.
 *
 * <p>Single-shot, not a plain main: each shot is a whole start-up (seconds), JMH gives forks, the
 * Chronicle flags and statistics, and the journal is written in a JVM of its own
 * ({@link NodeLife#writeInChild}) so that with {@code -wi 0 -i 1 -f N} every fork's shot is a
 * cold-JVM start-up like the node's, while the default 2+5 shots show the warmed-up cost. The journal was
 * just written, so its pages are in the page cache (a node's usually are not after a reboot).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g",
    "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED"})
public class JournalReplay {

    @Param({"plain", "checkpointed"})
    String journal;

    @Param({"1000000"})
    int events;

    private NodeLife.Layout layout;
    private Path dir;

    @Setup(Level.Trial)
    public void write() throws IOException {
        layout = NodeLife.Layout.valueOf(journal);
        dir = Files.createTempDirectory("fff-journal-replay");
        System.out.println(NodeLife.writeInChild(dir, layout, events));
    }

    @TearDown(Level.Trial)
    public void delete() {
        NodeLife.deleteTree(dir);
    }

    @Benchmark
    public long replayOnly() {
        long[] sum = {0};
        try (Journal j = Journal.open(dir, JournalOptions.defaults())) {
            ReplayStats s = j.replay(e -> sum[0] += e.getJob());
            check(s);
        }
        return sum[0];
    }

    @Benchmark
    public Dispatch replayIntoJobDb() {
        JobDb db = NodeLife.jobDb(JobLog.NONE);
        try (Journal j = Journal.open(dir, JournalOptions.defaults())) {
            check(j.replay(db::replay));
            Dispatch d = db.recover();
            if (d.start().isEmpty()) {
                throw new IllegalStateException("recover() started nothing; the journal left no queue?");
            }
            return d;
        }
    }

    private void check(ReplayStats s) {
        boolean ok = layout == NodeLife.Layout.plain ? s.delivered() == events
                : s.start() != ReplayStats.Start.BEGINNING && s.delivered() > 0;
        if (!ok || s.skipped() > 0) {
            throw new IllegalStateException("unexpected replay of " + journal + ": " + s);
        }
    }
}

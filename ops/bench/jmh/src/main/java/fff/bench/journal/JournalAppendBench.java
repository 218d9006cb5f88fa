package fff.bench.journal;

import fff.common.journal.Journal;
import fff.common.journal.JournalOptions;
import fff.proto.journal.JobEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Append rate of the job journal, in events per second: each operation appends one job's typical four
 * events ({@code created} with a full record of about 230 bytes, {@code started}, {@code progress},
 * {@code done}; built beforehand, so this is the journal's own cost: protobuf serialization into its
 * buffer plus Chronicle's copy into the mapped file). A fresh journal in a temp dir per iteration keeps the
 * files small. {@code sync} is the node's {@code journal.sync}: {@code CHECKPOINT} (default: no msync per
 * append) or {@code EVERY_APPEND} (msync after each event).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(4)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED"})
public class JournalAppendBench {

    private static final int JOBS = 1024;

    @Param({"CHECKPOINT", "EVERY_APPEND"})
    JournalOptions.Sync sync;

    private JobEvent[][] jobs;
    private Path dir;
    private Journal journal;
    private int next;

    @Setup(Level.Trial)
    public void events() {
        jobs = new JobEvent[JOBS][];
        for (int i = 0; i < JOBS; i++) {
            jobs[i] = NodeLife.lifecycle(i + 1);
        }
    }

    @Setup(Level.Iteration)
    public void open() throws IOException {
        dir = Files.createTempDirectory("fff-journal-append");
        journal = Journal.open(dir, JournalOptions.defaults().withSync(sync));
    }

    @TearDown(Level.Iteration)
    public void close() {
        journal.close();
        // Chronicle closes the mapped files on its background thread and may write metadata.cq4t then:
        // let it finish, or the deleted directory comes back
        BackgroundResourceReleaser.releasePendingResources();
        NodeLife.deleteTree(dir);
    }

    @Benchmark
    public void lifecycle() {
        JobEvent[] e = jobs[next++ & (JOBS - 1)];
        journal.append(e[0]);
        journal.append(e[1]);
        journal.append(e[2]);
        journal.append(e[3]);
    }
}

package fff.common.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.schedule.GroupTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's threading and timers with a scripted mover: starts, retries on the timer, cancel, offline. */
class JobEngineTest {

    /** A mover the test drives: every start lands in {@link #started}; cancels are recorded. */
    static final class ScriptedMover implements Mover {
        record Start(Job job, Listener listener) { }

        final BlockingQueue<Start> started = new LinkedBlockingQueue<>();
        final List<String> cancelled = new CopyOnWriteArrayList<>();
        OnlineListener online;

        @Override
        public Running start(Job job, Listener listener) {
            started.add(new Start(job, listener));
            return why -> {
                cancelled.add(job.spec().relative() + ": " + why);
                listener.failed(Failure.of("CANCELLED", why, false));
            };
        }

        @Override
        public void onOnlineChange(OnlineListener listener) {
            this.online = listener;
        }

        Start next() throws InterruptedException {
            Start s = started.poll(10, TimeUnit.SECONDS);
            assertTrue(s != null, "a start was expected");
            return s;
        }
    }

    final GroupTree tree = GroupTree.builder().root("total", 2).build();
    final ScriptedMover mover = new ScriptedMover();
    final List<String> events = new CopyOnWriteArrayList<>();

    JobEngine engine(RetryPolicy policy) {
        JobDb db = new JobDb(tree, policy, Clock.systemUTC(), JobLog.NONE, new Random(1));
        JobEngine e = new JobEngine(db, Map.of("siteB", mover), JobLog.NONE, Duration.ofDays(1).toMillis(),
                1000, (job, what) -> events.add(job.id() + " " + what));
        e.start().join();
        return e;
    }

    static JobSpec spec(Path source, String after) throws Exception {
        return new JobSpec("r", source, source.getFileName().toString(), "siteB", "in/" + source.getFileName(),
                "total", 0, Files.size(source), Files.getLastModifiedTime(source).toMillis(), after);
    }

    @Test
    void retriesOnTheTimerAndDeletesTheSourceOnlyAfterVerification(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.bin"), "hello");
        try (JobEngine e = engine(new RetryPolicy(3, Duration.ofMillis(50), Duration.ofMillis(100)))) {
            long id = e.submit(spec(a, "delete")).join().job().orElseThrow().id();
            mover.next().listener().failed(Failure.of("IO_ERROR", "flaky", true));
            ScriptedMover.Start second = mover.next(); // woken by the engine's timer, no polling
            assertEquals(1, second.job().attempts());
            assertTrue(Files.exists(a), "the source stays until the destination verified it");
            second.listener().done(new Delivery(5, 0, false));
            Job done = awaitNote(e, id, "source deleted");
            assertEquals(JobState.DONE, done.state());
            assertTrue(Files.notExists(a));
            assertTrue(events.indexOf(id + " done") < events.indexOf(id + " source"),
                    "the source is handled only after DONE is recorded: " + events);
        }
    }

    @Test
    void aDisposalACrashInterruptedIsDoneAtTheNextStart(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.bin"), "hello");
        List<fff.proto.journal.JobEvent> journal = new CopyOnWriteArrayList<>();
        JobLog log = journal::add;
        JobDb db = new JobDb(tree, RetryPolicy.DEFAULT, Clock.systemUTC(), log, new Random(1));
        db.recover();
        long id = db.submit(spec(a, "move:" + dir.resolve("done"))).job().orElseThrow().id();
        db.succeeded(id, new Delivery(5, 0, false), ""); // DONE journaled, then the process died
        assertTrue(Files.exists(a));

        JobDb again = new JobDb(tree, RetryPolicy.DEFAULT, Clock.systemUTC(), JobLog.NONE, new Random(1));
        journal.forEach(again::replay);
        try (JobEngine e = new JobEngine(again, Map.of("siteB", mover), JobLog.NONE, Duration.ofDays(1).toMillis(),
                1000, (job, what) -> events.add(job.id() + " " + what))) {
            e.start().join();
            assertTrue(awaitNote(e, id, "source moved to").note().startsWith("delivered"));
            assertTrue(Files.exists(dir.resolve("done").resolve("a.bin")) && Files.notExists(a));
            assertTrue(mover.started.isEmpty(), "a delivered file is not sent again");
        }
    }

    @Test
    void aSourceChangedSinceItWasSentIsKept(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.bin"), "hello");
        try (JobEngine e = engine(RetryPolicy.DEFAULT)) {
            long id = e.submit(spec(a, "move:" + dir.resolve("done"))).join().job().orElseThrow().id();
            ScriptedMover.Start s = mover.next();
            Files.setLastModifiedTime(a, FileTime.fromMillis(12345));
            s.listener().done(new Delivery(5, 0, false));
            awaitNote(e, id, "changed since it was sent; kept");
            assertTrue(Files.exists(a));
        }
    }

    @Test
    void cancelStopsTheRunningMoverAndOfflineHoldsJobsUntilOnline(@TempDir Path dir) throws Exception {
        Path[] files = new Path[3];
        for (int i = 0; i < 3; i++) {
            files[i] = Files.writeString(dir.resolve("f" + i), "x" + i);
        }
        try (JobEngine e = engine(RetryPolicy.DEFAULT)) {
            long first = e.submit(spec(files[0], null)).join().job().orElseThrow().id();
            mover.next();
            e.cancel(first, "test").join();
            assertEquals(1, mover.cancelled.size());
            assertEquals(JobState.CANCELLED, e.job(first).join().orElseThrow().state());

            mover.online.changed(false, "gone");
            e.submit(spec(files[1], null)).join();
            e.submit(spec(files[2], null)).join();
            assertTrue(mover.started.poll(300, TimeUnit.MILLISECONDS) == null, "nothing starts while offline");
            assertEquals(0, e.groups().join().group("total").inUse());
            mover.online.changed(true, null);
            mover.next();
            mover.next();
        }
    }

    static Job awaitNote(JobEngine e, long id, String text) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            Job j = e.job(id).join().orElseThrow();
            if (j.note() != null && j.note().contains(text)) {
                return j;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("job " + id + " never noted '" + text + "': " + e.job(id).join());
    }

    static Job awaitState(JobEngine e, long id, JobState state) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            Job j = e.job(id).join().orElseThrow();
            if (j.state() == state) {
                return j;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("job " + id + " never reached " + state);
    }
}

package fff.common.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.schedule.GroupTree;
import fff.common.testing.FakeClock;
import fff.proto.journal.JobEvent;
import fff.proto.journal.JobMoved;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Scenarios of the job db under a fake clock: events in, expected starts and states out. */
class JobDbTest {

    static final GroupTree TREE = GroupTree.builder().root("total", 6)
            .child("total", "outbound", 4).child("outbound", "NAS", 3)
            .child("total", "inbound", 4).child("inbound", "Backups", 1).child("inbound", "VidServer", 4).build();
    static final RetryPolicy POLICY = new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(8));

    final FakeClock clock = new FakeClock(1_000_000);
    final List<JobEvent> journal = new ArrayList<>();
    final JobLog log = journal::add;

    JobDb fresh() {
        JobDb db = new JobDb(TREE, POLICY, clock, log, new Random(7));
        db.recover();
        return db;
    }

    static JobSpec spec(String name, String group, String dest) {
        return new JobSpec("rule-" + group, Path.of("/src/" + name), name, dest, "in/" + name, group, 0, 100, 5, null);
    }

    static List<Long> ids(Dispatch d) {
        return d.start().stream().map(Job::id).toList();
    }

    @Test
    void startsOnlyWhatTheWholePathAllows() {
        JobDb db = fresh();
        List<Long> started = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            started.addAll(ids(db.submit(spec("n" + i, "NAS", "siteB")).dispatch()));
        }
        assertEquals(List.of(1L, 2L, 3L), started, "NAS(3) lets three go");
        for (int i = 0; i < 3; i++) {
            started.addAll(ids(db.submit(spec("b" + i, "Backups", "usb")).dispatch()));
        }
        assertEquals(List.of(1L, 2L, 3L, 6L), started, "Backups(1) lets one go");
        assertEquals(4, db.scheduler().inUse("total"));
        assertEquals(List.of(4L), ids(db.succeeded(1, new Delivery(100, 0, false), "")));
        assertEquals(JobState.DONE, db.job(1).orElseThrow().state());
        assertEquals(List.of(7L), ids(db.succeeded(6, new Delivery(100, 0, false), "")));
    }

    @Test
    void failuresBackOffWithJitterThenGiveUp() {
        JobDb db = fresh();
        db.submit(spec("a", "NAS", "siteB"));
        assertTrue(db.failed(1, Failure.of("IO_ERROR", "boom", true)).isEmpty());
        Job j = db.job(1).orElseThrow();
        assertEquals(JobState.QUEUED, j.state());
        assertTrue(j.blocked());
        long wait = db.nextWakeMillis() - clock.millis();
        assertTrue(wait >= 500 && wait < 1500, "first retry after 1 s ± 50 %: " + wait);
        assertTrue(db.wake().isEmpty(), "not due yet");
        clock.advance(wait);
        assertEquals(List.of(1L), ids(db.wake()));
        db.failed(1, Failure.of("IO_ERROR", "boom", true));
        wait = db.nextWakeMillis() - clock.millis();
        assertTrue(wait >= 1000 && wait < 3000, "second retry after 2 s ± 50 %: " + wait);
        clock.advance(wait);
        db.wake();
        db.failed(1, Failure.of("HASH_MISMATCH", "bad", true));
        j = db.job(1).orElseThrow();
        assertEquals(JobState.FAILED, j.state());
        assertEquals(3, j.attempts());
        assertEquals("HASH_MISMATCH: bad", j.lastError());
        assertEquals(Long.MAX_VALUE, db.nextWakeMillis());
        assertEquals(0, db.scheduler().inUse("total"), "a given-up job holds no token");
        assertEquals(List.of(1L), ids(db.retry(1)), "a person's retry starts it again");
    }

    @Test
    void busyAndOfflineDoNotCountAndBlockedJobsHoldNothing() {
        JobDb db = fresh();
        db.submit(spec("a", "NAS", "siteB"));
        for (int i = 0; i < 5; i++) {
            db.failed(1, new Failure("BUSY", "full", true, false, 2_000));
            assertEquals(clock.millis() + 2_000, db.nextWakeMillis(), "retry-after is honoured");
            clock.advance(2_000);
            assertEquals(List.of(1L), ids(db.wake()));
        }
        assertEquals(0, db.job(1).orElseThrow().attempts());

        db.failed(1, new Failure("OFFLINE", "unreachable", true, false, 1));
        db.setOnline("siteB", false);
        clock.advance(10);
        assertTrue(db.wake().isEmpty(), "offline destination holds its jobs");
        assertTrue(db.submit(spec("b", "NAS", "siteB")).dispatch().isEmpty());
        assertEquals(List.of(3L), ids(db.submit(spec("c", "VidServer", "siteC")).dispatch()),
                "another destination's job is not held back");
        assertEquals(1, db.scheduler().inUse("total"));
        assertEquals(List.of(1L, 2L), ids(db.setOnline("siteB", true)), "queue order kept when it returns");
    }

    @Test
    void inboundFilesShareTheTreeWithOutboundJobs() {
        JobDb db = fresh();
        for (int i = 0; i < 4; i++) {
            db.submit(spec("n" + i, "NAS", "siteB"));
        }
        List<String> in = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            db.admit("VidServer").ifPresent(in::add);
        }
        assertEquals(3, in.size(), "total(6) has 3 tokens left after NAS took 3");
        assertTrue(db.admit("Backups").isEmpty(), "total is full: busy");
        assertEquals(List.of(4L), ids(db.succeeded(1, new Delivery(1, 0, false), "")));
        assertEquals(6, db.scheduler().inUse("total"), "the freed token went to the queued outbound job");
        assertEquals(List.of(), ids(db.release(in.get(0))));
        assertEquals(5, db.scheduler().inUse("total"));
        assertTrue(db.admit("Backups").isPresent());
    }

    @Test
    void sameFileOnceChangedFileAgain() {
        JobDb db = fresh();
        assertTrue(db.submit(spec("a", "NAS", "siteB")).job().isPresent());
        assertTrue(db.submit(spec("a", "NAS", "siteB")).job().isEmpty(), "running: not again");
        db.succeeded(1, new Delivery(100, 0, false), "");
        assertTrue(db.submit(spec("a", "NAS", "siteB")).job().isEmpty(), "done: not again");
        JobSpec changed = new JobSpec("rule-NAS", Path.of("/src/a"), "a", "siteB", "in/a", "NAS", 0, 200, 9, null);
        assertEquals(2L, db.submit(changed).job().orElseThrow().id(), "changed: again");
    }

    @Test
    void theSameFileThroughAnotherProfileIsAnotherJob() {
        JobDb db = fresh();
        assertTrue(db.submit(spec("a", "NAS", "siteB").withProfile("proxy")).job().isPresent());
        db.succeeded(1, new Delivery(100, 0, false), "");
        assertTrue(db.submit(spec("a", "NAS", "siteB").withProfile("proxy")).job().isEmpty(), "done: not again");
        Job imx = db.submit(spec("a", "NAS", "siteB").withProfile("imx30")).job().orElseThrow();
        assertEquals("imx30", imx.spec().profile());

        JobDb again = new JobDb(TREE, POLICY, clock, JobLog.NONE, new Random(7));
        journal.forEach(again::replay);
        again.recover();
        assertEquals("proxy", again.job(1).orElseThrow().spec().profile(), "the journal keeps the profile");
        assertTrue(again.submit(spec("a", "NAS", "siteB").withProfile("imx30")).job().isEmpty());
    }

    @Test
    void aConversionReturnedHereKeepsWhereItsResultGoesThroughReplayAndCheckpoint() {
        JobDb db = fresh();
        Path result = Path.of("/results/a.webp");
        JobSpec via = spec("a.png", "NAS", "siteB").withProfile("webp").withReturnTo(result);
        assertEquals(List.of(1L), ids(db.submit(via).dispatch()), "running when the node stops");

        JobDb again = new JobDb(TREE, POLICY, clock, JobLog.NONE, new Random(7));
        journal.forEach(again::replay);
        Dispatch resumed = again.recover();
        assertEquals(result, again.job(1).orElseThrow().spec().returnTo(), "the journal keeps where it goes");
        assertEquals(List.of(1L), ids(resumed), "started again after the restart");
        assertEquals(via, resumed.start().get(0).spec());
        assertTrue(again.submit(via).job().isEmpty(), "the same file, not queued twice");

        List<JobEvent> cp = again.checkpointRecords(Duration.ofDays(1).toMillis());
        JobDb third = new JobDb(TREE, POLICY, clock, JobLog.NONE, new Random(7));
        third.replay(JobEvent.newBuilder().setCheckpointBegin(fff.proto.journal.CheckpointBegin.newBuilder()
                .setNextJobId(again.nextJobId())).build());
        cp.forEach(third::replay);
        third.recover();
        assertEquals(via, third.job(1).orElseThrow().spec(), "a checkpoint keeps it too");

        third.succeeded(1, new Delivery(0, 0, true), "");
        assertEquals("answered from the converter's store at siteB, returned to /results/a.webp, 0 source bytes "
                + "sent", third.job(1).orElseThrow().note());
        db.succeeded(1, new Delivery(100, 0, false), "");
        assertEquals("converted with webp at siteB, returned to /results/a.webp, 100 source bytes sent",
                db.job(1).orElseThrow().note());
    }

    @Test
    void mirroredRenamesAndDeletesOfDeliveredFilesBecomeRemoteOperations() {
        JobDb db = fresh();
        db.submit(spec("a", "NAS", "siteB"));
        db.succeeded(1, new Delivery(100, 0, false), "");
        JobSpec b = new JobSpec("rule-NAS", Path.of("/src/b"), "b", "siteB", "in/b", "NAS", 0, 100, 5, null);
        Job rename = db.renamed(b, "a", true).job().orElseThrow();
        assertEquals(JobSpec.Op.RENAME, rename.spec().op());
        assertEquals("in/a", rename.spec().renameFrom());
        db.succeeded(rename.id(), new Delivery(0, 0, false), "");
        assertTrue(db.submit(b).job().isEmpty(), "the renamed file is known under its new name");
        assertEquals(JobSpec.Op.SEND, db.submit(spec("a", "NAS", "siteB")).job().orElseThrow().spec().op(),
                "a new file under the old name is sent");
        Job remove = db.removed("rule-NAS", "b", true).job().orElseThrow();
        assertEquals(JobSpec.Op.REMOVE, remove.spec().op());
        assertEquals("in/b", remove.spec().remotePath());
        assertTrue(db.removed("rule-NAS", "b", true).job().isEmpty(), "removed once");
    }

    @Test
    void withoutMirroringARenameIsANewFileAndADeleteCancelsWhatIsPending() {
        JobDb db = fresh();
        db.setLimit("NAS", 1);
        db.submit(spec("x", "NAS", "siteB"));
        db.submit(spec("a", "NAS", "siteB"));
        db.submit(spec("c", "NAS", "siteB"));
        JobSpec b = new JobSpec("rule-NAS", Path.of("/src/b"), "b", "siteB", "in/b", "NAS", 0, 100, 5, null);
        Submitted s = db.renamed(b, "a", false);
        assertEquals(JobSpec.Op.SEND, s.job().orElseThrow().spec().op());
        assertEquals(JobState.CANCELLED, db.job(2).orElseThrow().state(), "the old name's queued job goes");
        Dispatch d = db.removed("rule-NAS", "x", false).dispatch();
        assertEquals(List.of(1L), d.stop().stream().map(Job::id).toList(), "a running job of a deleted file stops");
        assertEquals(List.of(3L), ids(d));
        assertTrue(db.removed("rule-NAS", "c", false).job().isEmpty());
    }

    @Test
    void aRenameTheDestinationCannotDoFallsBackToSending() {
        JobDb db = fresh();
        db.submit(spec("a", "NAS", "siteB"));
        db.succeeded(1, new Delivery(100, 0, false), "");
        JobSpec b = new JobSpec("rule-NAS", Path.of("/src/b"), "b", "siteB", "in/b", "NAS", 0, 100, 5, null);
        long rename = db.renamed(b, "a", true).job().orElseThrow().id();
        Dispatch d = db.failed(rename, Failure.of("NOT_FOUND", "in/a is not there", false));
        assertEquals(1, d.start().size());
        assertEquals(JobSpec.Op.SEND, d.start().get(0).spec().op());
        assertEquals("in/b", d.start().get(0).spec().remotePath());
    }

    @Test
    void newerVersionReplacesQueuedOne() {
        JobDb db = fresh();
        db.setLimit("NAS", 1);
        db.submit(spec("x", "NAS", "siteB"));
        db.submit(spec("a", "NAS", "siteB"));
        JobSpec changed = new JobSpec("rule-NAS", Path.of("/src/a"), "a", "siteB", "in/a", "NAS", 0, 200, 9, null);
        db.submit(changed);
        assertEquals(JobState.CANCELLED, db.job(2).orElseThrow().state());
        assertEquals(List.of(3L), db.queueOrder());
    }

    @Test
    void cancelStopsARunningJobAndItsLateOutcomeIsIgnored() {
        JobDb db = fresh();
        db.submit(spec("a", "NAS", "siteB"));
        Dispatch d = db.cancel(1, "test");
        assertEquals(List.of(1L), d.stop().stream().map(Job::id).toList());
        assertTrue(db.succeeded(1, new Delivery(1, 0, false), "").isEmpty());
        assertEquals(JobState.CANCELLED, db.job(1).orElseThrow().state());
        assertThrows(IllegalArgumentException.class, () -> db.cancel(1, "again"));
        assertEquals(0, db.scheduler().inUse("total"));
    }

    @Test
    void replayRebuildsQueueOrderHistoryAndResumesInterruptedJobs() {
        JobDb db = fresh();
        db.setLimit("NAS", 2);
        for (int i = 0; i < 6; i++) {
            db.submit(spec("n" + i, "NAS", "siteB"));
        }
        db.succeeded(1, new Delivery(100, 0, false), "");  // 3 starts
        db.move(6, JobMoved.Where.TOP, 0);
        db.move(4, JobMoved.Where.AFTER, 5);
        assertEquals(List.of(6L), ids(db.failed(2, Failure.of("IO_ERROR", "x", true))),
                "the freed token goes to the top job; the failed one waits behind, blocked until its retry");
        db.progress(3, 50);
        assertEquals(List.of(5L, 4L, 2L), db.queueOrder());

        JobDb again = new JobDb(TREE, POLICY, clock, JobLog.NONE, new Random(7));
        journal.forEach(again::replay);
        Dispatch d = again.recover();
        assertEquals(List.of(3L, 6L), ids(d), "interrupted jobs resume first, in the order they had started");
        assertEquals(List.of(5L, 4L, 2L), again.queueOrder());
        assertEquals(JobState.DONE, again.job(1).orElseThrow().state());
        assertEquals(2, again.scheduler().limit("NAS"), "run-time limit survives");
        assertEquals(1, again.job(2).orElseThrow().attempts());
        assertTrue(again.submit(spec("n0", "NAS", "siteB")).job().isEmpty(), "a delivered file is not queued again");
        assertEquals(7L, again.submit(spec("new", "NAS", "siteB")).job().orElseThrow().id());
    }

    @Test
    void runTimeRatesAreJournalledReplayedCheckpointedAndResetForgetsThem() {
        JobDb db = fresh();
        List<String> hours = List.of("08:00-18:00 Mon-Fri 200M", "otherwise unlimited");
        db.setRate("siteB", hours);
        db.setRate("", List.of("100M"));
        db.setRate("usb", List.of("1G"));
        db.setRate("usb", null);
        assertEquals(4, journal.size());
        assertEquals(java.util.Map.of("siteB", hours, "", List.of("100M")), db.rateOverrides());

        JobDb again = new JobDb(TREE, POLICY, clock, JobLog.NONE, new Random(7));
        journal.forEach(again::replay);
        assertEquals(db.rateOverrides(), again.rateOverrides(), "known right after replay, before recover");
        again.recover();
        List<JobEvent> checkpoint = again.checkpointRecords(Long.MAX_VALUE);
        assertEquals(List.of(JobEvent.BodyCase.RATE, JobEvent.BodyCase.RATE),
                checkpoint.stream().map(JobEvent::getBodyCase).toList());

        JobDb third = new JobDb(TREE, POLICY, clock, JobLog.NONE, new Random(7));
        third.replay(JobEvent.newBuilder().setCheckpointBegin(fff.proto.journal.CheckpointBegin.newBuilder()
                .setNextJobId(1)).build());
        checkpoint.forEach(third::replay);
        assertEquals(db.rateOverrides(), third.rateOverrides(), "a checkpoint holds them");
        assertThrows(IllegalStateException.class, () -> third.setRate("siteB", null), "not during replay");
    }

    @Test
    void aJournaledJobOfAGroupNoLongerConfiguredFailsInsteadOfStoppingTheNode() {
        JobDb db = fresh();
        db.submit(spec("v", "VidServer", "siteB"));
        db.submit(spec("n", "NAS", "siteB"));
        db.failed(1, Failure.of("IO_ERROR", "x", true));
        GroupTree smaller = GroupTree.builder().root("total", 6).child("total", "NAS", 3).build();
        JobDb again = new JobDb(smaller, POLICY, clock, JobLog.NONE, new Random(7));
        journal.forEach(again::replay);
        assertEquals(List.of(2L), ids(again.recover()), "the NAS job resumes");
        Job v = again.job(1).orElseThrow();
        assertEquals(JobState.FAILED, v.state());
        assertTrue(v.lastError().contains("group 'VidServer' is no longer in the config"), v.lastError());
    }

    @Test
    void checkpointRecordsReplayToTheSameState() {
        JobDb db = fresh();
        db.setLimit("Backups", 1);
        for (int i = 0; i < 4; i++) {
            db.submit(spec("b" + i, "Backups", "usb"));
        }
        db.move(4, JobMoved.Where.BEFORE, 2);
        db.succeeded(1, new Delivery(100, 0, false), "source deleted");
        List<JobEvent> cp = db.checkpointRecords(Duration.ofDays(1).toMillis());
        JobDb again = new JobDb(TREE, POLICY, clock, JobLog.NONE, new Random(7));
        again.replay(JobEvent.newBuilder().setCheckpointBegin(fff.proto.journal.CheckpointBegin.newBuilder()
                .setNextJobId(db.nextJobId())).build());
        cp.forEach(again::replay);
        again.recover();
        assertEquals(db.queueOrder(), again.queueOrder());
        assertEquals(db.job(1).orElseThrow().state(), again.job(1).orElseThrow().state());
        assertEquals(5L, again.nextJobId());

        clock.advance(Duration.ofDays(2).toMillis());
        assertTrue(db.checkpointRecords(Duration.ofDays(1).toMillis()).stream()
                .noneMatch(e -> e.getJob() == 1), "history beyond retention is dropped");
    }
}

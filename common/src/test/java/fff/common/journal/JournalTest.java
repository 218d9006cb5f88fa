package fff.common.journal;

import static fff.common.journal.JournalEvents.created;
import static fff.common.journal.JournalEvents.done;
import static fff.common.journal.JournalEvents.limit;
import static fff.common.journal.JournalEvents.progress;
import static fff.common.journal.JournalEvents.rate;
import static fff.common.journal.JournalEvents.recordEvent;
import static fff.common.journal.JournalEvents.started;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.journal.ReplayStats.Start;
import fff.proto.journal.CheckpointBegin;
import fff.proto.journal.JobEvent;
import fff.proto.journal.JobEvent.BodyCase;
import fff.proto.journal.JobState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {

    private static final JournalOptions OPTIONS = JournalOptions.defaults();

    @TempDir
    Path dir;

    private static List<JobEvent> replayAll(Path dir, List<ReplayStats> stats) {
        List<JobEvent> out = new ArrayList<>();
        try (Journal j = Journal.open(dir, OPTIONS)) {
            stats.add(j.replay(out::add));
        }
        return out;
    }

    private static List<JobEvent> checkpointState() {
        return List.of(recordEvent(1, JobState.DONE), recordEvent(2, JobState.QUEUED), limit("NAS", 2),
                rate("siteB", List.of("08:00-18:00 Mon-Fri 200M", "otherwise unlimited")));
    }

    @Test
    void appendedEventsReplayInOrder() {
        List<JobEvent> written = new ArrayList<>();
        try (Journal j = Journal.open(dir.resolve("new/journal"), OPTIONS)) {
            assertEquals(0, j.replay(e -> { }).delivered());
            for (long job = 1; job <= 50; job++) {
                for (JobEvent e : List.of(created(job), started(job), progress(job, job * 10), done(job))) {
                    j.append(e);
                    written.add(e);
                }
            }
            assertEquals(200, j.eventsSinceCheckpoint());
            assertTrue(j.bytesOnDisk() > 0);
        }
        List<ReplayStats> stats = new ArrayList<>();
        assertEquals(written, replayAll(dir.resolve("new/journal"), stats));
        assertEquals(Start.BEGINNING, stats.get(0).start());
        assertEquals(200, stats.get(0).delivered());
    }

    @Test
    void replayStartsAtTheLastCheckpoint() {
        List<JobEvent> after = List.of(created(3), started(3), progress(3, 99));
        try (Journal j = Journal.open(dir, OPTIONS)) {
            j.append(created(1));
            j.append(created(2));
            j.checkpoint(3, List.of(recordEvent(1, JobState.QUEUED), recordEvent(2, JobState.QUEUED)));
            j.append(done(1));
            j.checkpoint(4, checkpointState());
            after.forEach(j::append);
            assertEquals(3, j.eventsSinceCheckpoint());
        }
        List<ReplayStats> stats = new ArrayList<>();
        List<JobEvent> got = replayAll(dir, stats);
        assertEquals(Start.CHECKPOINT_FILE, stats.get(0).start());
        assertCheckpointThen(got, 4, after);
        try (Journal j = Journal.open(dir, OPTIONS)) {
            j.replay(e -> { });
            assertEquals(3, j.eventsSinceCheckpoint());
        }
    }

    @Test
    void aLimitChangedAtRunTimeIsReplayedAfterTheCheckpoint() {
        List<JobEvent> after = List.of(limit("NAS", 2), created(3), limit("total", 9));
        try (Journal j = Journal.open(dir, OPTIONS)) {
            j.append(created(1));
            j.checkpoint(3, checkpointState());
            after.forEach(j::append);
        }
        List<ReplayStats> stats = new ArrayList<>();
        assertCheckpointThen(replayAll(dir, stats), 3, after);
        assertEquals(0, stats.get(0).skipped());
    }

    @Test
    void aRateChangedAtRunTimeIsReplayedAfterTheCheckpointWhichHoldsRatesToo() throws Exception {
        List<JobEvent> after = List.of(rate("", List.of("100M")), created(3), rate("siteB", List.of("1G")));
        try (Journal j = Journal.open(dir, OPTIONS)) {
            j.append(created(1));
            j.checkpoint(3, checkpointState());
            after.forEach(j::append);
        }
        List<ReplayStats> stats = new ArrayList<>();
        assertCheckpointThen(replayAll(dir, stats), 3, after);
        assertEquals(0, stats.get(0).skipped());
        assertEquals(Start.CHECKPOINT_FILE, stats.get(0).start());

        Files.delete(dir.resolve(CheckpointFile.NAME)); // no hint: the backward scan must take the rate as part of it
        stats.clear();
        assertCheckpointThen(replayAll(dir, stats), 3, after);
        assertEquals(Start.SCAN, stats.get(0).start());
    }

    @Test
    void interruptedCheckpointIsIgnored() {
        long partialBegin;
        List<JobEvent> after = new ArrayList<>(List.of(created(3), created(4)));
        try (Journal j = Journal.open(dir, OPTIONS)) {
            j.append(created(1));
            j.checkpoint(4, checkpointState());
            j.append(created(3));
            // a crash in the middle of the next checkpoint: begin and one record, no end
            j.appendRaw(JobEvent.newBuilder().setCheckpointBegin(CheckpointBegin.newBuilder().setNextJobId(9)).build());
            partialBegin = j.lastIndexAppended();
            j.appendRaw(recordEvent(1, JobState.DONE));
            // the restarted node appends on
            j.append(created(4));
        }
        List<ReplayStats> stats = new ArrayList<>();
        List<JobEvent> got = replayAll(dir, stats);
        assertCheckpointThen(got, 4, after);
        assertEquals(2, stats.get(0).interrupted());

        // a checkpoint file naming the torn checkpoint is not trusted: the scan finds the complete one
        new CheckpointFile(dir).write(partialBegin);
        stats.clear();
        assertCheckpointThen(replayAll(dir, stats), 4, after);
        assertEquals(Start.SCAN, stats.get(0).start());
    }

    @Test
    void tornCheckpointAtTheEndIsDropped() {
        try (Journal j = Journal.open(dir, OPTIONS)) {
            j.append(created(1));
            j.appendRaw(JobEvent.newBuilder().setCheckpointBegin(CheckpointBegin.newBuilder().setNextJobId(2)).build());
            j.appendRaw(recordEvent(1, JobState.QUEUED));
        }
        List<ReplayStats> stats = new ArrayList<>();
        assertEquals(List.of(created(1)), replayAll(dir, stats));
        assertEquals(Start.BEGINNING, stats.get(0).start());
        assertEquals(2, stats.get(0).interrupted());
    }

    @Test
    void missingCheckpointFileFallsBackToAScan() throws Exception {
        List<JobEvent> after = List.of(progress(2, 5), done(2));
        try (Journal j = Journal.open(dir, OPTIONS)) {
            j.append(created(1));
            j.append(created(2));
            j.checkpoint(3, checkpointState());
            after.forEach(j::append);
        }
        CheckpointFile file = new CheckpointFile(dir);
        long named = file.read().orElseThrow();
        file.delete();
        List<ReplayStats> stats = new ArrayList<>();
        assertCheckpointThen(replayAll(dir, stats), 3, after);
        assertEquals(Start.SCAN, stats.get(0).start());
        assertEquals(named, file.read().orElseThrow(), "replay repairs the checkpoint file");

        Files.writeString(file.path(), "garbage");
        stats.clear();
        assertCheckpointThen(replayAll(dir, stats), 3, after);
        assertEquals(Start.SCAN, stats.get(0).start());
    }

    @Test
    void unreadableEntriesAreSkippedAndCounted() {
        try (Journal j = Journal.open(dir, OPTIONS)) {
            j.append(created(1));
            j.appendBytes(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f});
            j.appendRaw(JobEvent.newBuilder().setJob(5).build()); // a body this version does not know
            j.append(created(2));
        }
        List<ReplayStats> stats = new ArrayList<>();
        assertEquals(List.of(created(1), created(2)), replayAll(dir, stats));
        assertEquals(2, stats.get(0).skipped());
    }

    @Test
    void checkpointBodiesAreRefusedByAppendAndOthersByCheckpoint() {
        try (Journal j = Journal.open(dir, OPTIONS)) {
            assertThrows(IllegalArgumentException.class, () -> j.append(recordEvent(1, JobState.QUEUED)));
            assertThrows(IllegalArgumentException.class, () -> j.append(JobEvent.getDefaultInstance()));
            assertThrows(IllegalArgumentException.class, () -> j.checkpoint(1, List.of(created(1))));
            j.append(created(1));
            assertThrows(IllegalStateException.class, () -> j.replay(e -> { }));
        }
    }

    @Test
    void optionsAreValidated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OPTIONS.withRetention(Duration.ZERO));
        assertTrue(e.getMessage().contains("journal.retention"), e.getMessage());
        assertThrows(NullPointerException.class, () -> OPTIONS.withClock(null));
        assertEquals(Duration.ofDays(30), OPTIONS.retention());
    }

    /** The begin, the state of {@link #checkpointState()}, the end, and then exactly {@code after}. */
    private static void assertCheckpointThen(List<JobEvent> got, long nextJobId, List<JobEvent> after) {
        assertFalse(got.isEmpty());
        assertEquals(BodyCase.CHECKPOINT_BEGIN, got.get(0).getBodyCase(), got.toString());
        assertEquals(nextJobId, got.get(0).getCheckpointBegin().getNextJobId());
        List<JobEvent> state = checkpointState();
        assertEquals(state, got.subList(1, 1 + state.size()));
        JobEvent end = got.get(1 + state.size());
        assertEquals(BodyCase.CHECKPOINT_END, end.getBodyCase());
        assertEquals(state.size(), end.getCheckpointEnd().getRecords());
        assertEquals(after, got.subList(2 + state.size(), got.size()));
    }
}

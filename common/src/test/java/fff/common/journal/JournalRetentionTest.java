package fff.common.journal;

import static fff.common.journal.JournalEvents.created;
import static org.junit.jupiter.api.Assertions.assertEquals;

import fff.common.testing.FakeClock;
import fff.proto.journal.JobEvent;
import fff.proto.journal.JobEvent.BodyCase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention with one file per second under a hand-moved clock: old files go, files from the last checkpoint
 * on stay, and what is left replays.
 */
class JournalRetentionTest {

    private static final long T0 = 1_800_000_000_000L; // a whole second

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock(T0);

    private JournalOptions options(Duration retention) {
        return JournalOptions.defaults().withRoll(JournalOptions.Roll.TEST_SECONDLY).withRetention(retention)
                .withSync(JournalOptions.Sync.NONE).withClock(clock);
    }

    private void at(int second) {
        clock.set(T0 + second * 1000L);
    }

    private long cycleFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(CycleFiles.SUFFIX)).count();
        }
    }

    private List<JobEvent> replay(JournalOptions options) {
        List<JobEvent> got = new ArrayList<>();
        try (Journal j = Journal.open(dir, options)) {
            j.replay(got::add);
        }
        return got;
    }

    @Test
    void checkpointDeletesFilesOlderThanRetention() throws IOException {
        JournalOptions options = options(Duration.ofSeconds(3));
        try (Journal j = Journal.open(dir, options)) {
            for (int s = 0; s < 10; s++) {
                at(s);
                j.append(created(s));
            }
            assertEquals(10, cycleFiles());
            long before = j.bytesOnDisk();
            at(10);
            j.checkpoint(10, List.of());
            // cycles 0..6 ended before now - 3 s; 7, 8, 9 and the checkpoint's own file stay
            assertEquals(4, cycleFiles());
            assertEquals(true, j.bytesOnDisk() < before);
            at(11);
            j.append(created(11));
        }
        List<JobEvent> got = replay(options);
        assertEquals(BodyCase.CHECKPOINT_BEGIN, got.get(0).getBodyCase());
        assertEquals(List.of(created(11)), got.subList(2, got.size()));
    }

    @Test
    void filesFromTheLastCheckpointOnAreKeptHoweverOld() throws IOException {
        JournalOptions options = options(Duration.ofSeconds(3));
        try (Journal j = Journal.open(dir, options)) {
            at(0);
            j.append(created(0));
            at(1);
            j.checkpoint(1, List.of());
            for (int s = 2; s < 6; s++) {
                at(s);
                j.append(created(s));
            }
        }
        assertEquals(6, cycleFiles());
        // the node comes back long after: everything is past retention, but replay needs the checkpoint on
        at(100);
        List<JobEvent> got = replay(options);
        assertEquals(5, cycleFiles(), "only the file before the checkpoint goes");
        assertEquals(BodyCase.CHECKPOINT_BEGIN, got.get(0).getBodyCase());
        assertEquals(List.of(created(2), created(3), created(4), created(5)), got.subList(2, got.size()));
        assertEquals(got, replay(options));
    }

    @Test
    void cutoffIsTheEarlierOfRetentionAndCheckpoint() {
        // cycle c covers [c * 1000, (c + 1) * 1000): at 10.5 s with 3 s retention, cycles below 7 have ended
        assertEquals(7, Journal.retentionCutoff(10_500, 3_000, 0, 1_000, 10));
        assertEquals(4, Journal.retentionCutoff(10_500, 3_000, 0, 1_000, 4));
        assertEquals(-3, Journal.retentionCutoff(0, 3_000, 0, 1_000, 0));
    }
}

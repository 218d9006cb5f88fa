package fff.common.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.journal.ReplayStats.Start;
import fff.proto.journal.JobEvent;
import fff.proto.journal.JobEvent.BodyCase;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A journal whose writer process was killed (SIGKILL, journal never closed) replays and takes appends. */
class JournalCrashTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void journalOfAKilledProcessReplays() throws Exception {
        int n = 2_000;
        Process child = ChildJvm.start(JournalCrashChild.class, List.of(), dir.toString(), Integer.toString(n));
        List<String> output = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                output.add(line);
                if (line.equals("appended " + n)) {
                    break;
                }
            }
            assertTrue(child.isAlive(), "child ended early:\n" + String.join("\n", output));
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        }

        List<JobEvent> got = new ArrayList<>();
        try (Journal j = Journal.open(dir, JournalOptions.defaults())) {
            ReplayStats stats = j.replay(got::add);
            assertEquals(Start.CHECKPOINT_FILE, stats.start());
            assertEquals(0, stats.skipped());
            // begin, one limit, end, then the jobs after the checkpoint
            assertEquals(BodyCase.CHECKPOINT_BEGIN, got.get(0).getBodyCase());
            assertEquals(n / 2 + 1, got.get(0).getCheckpointBegin().getNextJobId());
            assertEquals(3 + n / 2, got.size());
            assertEquals(JournalEvents.created(n / 2 + 1), got.get(3));
            assertEquals(JournalEvents.created(n), got.get(got.size() - 1));
            assertEquals(n / 2, j.eventsSinceCheckpoint());
            j.append(JournalEvents.created(n + 1));
        }
        List<JobEvent> again = new ArrayList<>();
        try (Journal j = Journal.open(dir, JournalOptions.defaults())) {
            j.replay(again::add);
        }
        assertEquals(JournalEvents.created(n + 1), again.get(again.size() - 1));
    }
}

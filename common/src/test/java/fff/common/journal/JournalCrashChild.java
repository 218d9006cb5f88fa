package fff.common.journal;

import java.nio.file.Path;
import java.util.List;

/**
 * The writer half of {@link JournalCrashTest}: appends {@code n} jobs with a checkpoint in the middle, says
 * so on stdout, and then waits to be killed without ever closing the journal.
 */
public final class JournalCrashChild {

    private JournalCrashChild() { }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        Journal journal = Journal.open(dir, JournalOptions.defaults().withSync(JournalOptions.Sync.NONE));
        journal.replay(e -> { });
        for (long job = 1; job <= n; job++) {
            journal.append(JournalEvents.created(job));
            if (job == n / 2) {
                journal.checkpoint(job + 1, List.of(JournalEvents.limit("NAS", 3)));
            }
        }
        System.out.println("appended " + n);
        System.out.flush();
        Thread.sleep(60_000); // killed long before; the journal is never closed
    }
}

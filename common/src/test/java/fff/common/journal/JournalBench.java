package fff.common.journal;

import fff.proto.journal.JobEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Append rate and replay time of a journal of {@code n} events (default 1,000,000): a plain main, not a
 * test, so that no build waits on it and no timing can fail one. Each method is a JMH-ready unit of work.
 * Run: {@code java <Chronicle flags> -cp <test classpath> fff.common.journal.JournalBench [n] [dir]}.
 */
public final class JournalBench {

    private JournalBench() { }

    /** Appends {@code n} events (created, started, progress, done per job); returns nanoseconds taken. */
    static long appendAll(Journal j, int n) {
        JobEvent[] sample = new JobEvent[4096];
        for (int i = 0; i < sample.length; i++) {
            long job = i / 4 + 1;
            sample[i] = switch (i % 4) {
                case 0 -> JournalEvents.created(job);
                case 1 -> JournalEvents.started(job);
                case 2 -> JournalEvents.progress(job, 1L << 30);
                default -> JournalEvents.done(job);
            };
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            j.append(sample[i & (sample.length - 1)]);
        }
        return System.nanoTime() - t0;
    }

    /** Replays everything from a freshly opened journal; returns the stats. */
    static ReplayStats replayAll(Path dir) {
        long[] count = {0};
        try (Journal j = Journal.open(dir, JournalOptions.defaults())) {
            return j.replay(e -> count[0] += e.getJob());
        }
    }

    public static void main(String[] args) throws IOException {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("journal-bench");
        try {
            for (int round = 1; round <= 2; round++) {
                deleteTree(dir);
                long bytes;
                long nanos;
                try (Journal j = Journal.open(dir, JournalOptions.defaults())) {
                    nanos = appendAll(j, n);
                    bytes = j.bytesOnDisk();
                }
                ReplayStats r = replayAll(dir);
                ReplayStats r2 = replayAll(dir);
                System.out.printf("round %d: appended %,d events in %d ms (%,.0f events/s), %,d bytes on disk;"
                                + " replayed %,d in %d ms, again in %d ms%n", round, n, nanos / 1_000_000,
                        n * 1e9 / nanos, bytes, r.delivered(), r.elapsed().toMillis(), r2.elapsed().toMillis());
            }
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

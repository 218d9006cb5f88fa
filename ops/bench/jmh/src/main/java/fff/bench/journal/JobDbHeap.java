package fff.bench.journal;

import fff.common.jobs.JobDb;
import fff.common.jobs.JobLog;
import fff.common.jobs.JobSpec;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Locale;

/**
 * Retained heap of a {@link JobDb} holding {@code n} queued jobs, to judge "heap flat in queue length
 * beyond the job records". Jobs are submitted with {@link NodeLife}'s camera-card paths to four
 * destinations that are all offline ({@code setOnline(d, false)}), so every job stays queued (blocked,
 * holding no token). For each size it reports, after full GCs, the bytes the job db retains per job, and
 * the part of that which is the job's own path strings (source, relative, remote path; estimated from
 * their lengths). A per-job figure that is the same at 10k and 100k means nothing in the job db grows
 * faster than the queue.
 *
 * <p>Run: {@code java -cp benchmarks.jar fff.bench.journal.JobDbHeap [sizes...]} (no Chronicle flags
 * needed: nothing is journaled).
 */
public final class JobDbHeap {

    private JobDbHeap() {
    }

    public static void main(String[] args) {
        int[] sizes = {0, 10_000, 100_000};
        if (args.length > 0) {
            sizes = new int[args.length];
            for (int i = 0; i < args.length; i++) {
                sizes[i] = Integer.parseInt(args[i].replace("_", ""));
            }
        }
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.out.printf(Locale.ROOT, "JVM %s, %s%n", System.getProperty("java.vm.version"),
                ManagementFactory.getRuntimeMXBean().getInputArguments());
        System.out.println("queued   retained_bytes   bytes_per_job   path_string_bytes_per_job   rest_per_job");
        long empty = -1;
        for (int n : sizes) {
            long before = usedAfterGc(memory);
            JobDb db = NodeLife.jobDb(JobLog.NONE);
            db.recover();
            for (String d : NodeLife.DESTINATIONS) {
                db.setOnline(d, false);
            }
            long strings = 0;
            for (long id = 1; id <= n; id++) {
                JobSpec s = NodeLife.spec(id);
                strings += stringBytes(s.source().toString()) + stringBytes(s.relative())
                        + stringBytes(s.remotePath());
                if (db.submit(s).job().isEmpty()) {
                    throw new IllegalStateException("job " + id + " not queued");
                }
            }
            long retained = usedAfterGc(memory) - before;
            if (db.queueOrder().size() != n || db.scheduler().queuedCount() != n) {
                throw new IllegalStateException(db.queueOrder().size() + " queued instead of " + n);
            }
            if (n == 0) {
                empty = retained;
                System.out.printf(Locale.ROOT, "%7d %16d %15s %27s %14s%n", n, retained, "-", "-", "-");
            } else {
                double perJob = (retained - Math.max(0, empty)) / (double) n;
                double perString = strings / (double) n;
                System.out.printf(Locale.ROOT, "%7d %16d %15.1f %27.1f %14.1f%n", n, retained, perJob, perString,
                        perJob - perString);
            }
            db = null; // drop before the next size
        }
        System.out.println("bytes_per_job = (retained_bytes - retained_bytes at 0) / queued; path strings"
                + " = source + relative + remote path as compact Latin-1 Strings (24 + 16 + length, 8-aligned);"
                + " rest = job entry, spec, Path, map and scheduler slots, identity and id keys.");
    }

    private static long stringBytes(String s) {
        return 24 + ((16 + s.length() + 7) & ~7L);
    }

    private static long usedAfterGc(MemoryMXBean memory) {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}

package fff.bench.schedule;

import fff.common.schedule.Scheduler;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Locale;

/**
 * Retained heap of a {@link Scheduler} as the queue grows, to judge "flat in queue length beyond
 * the job records". For each queue length it builds a {@link SchedulerFixture} (1,000 groups,
 * every token taken) and reports, after full GCs, the bytes retained by the scheduler minus the
 * job-id strings, per queued job. A per-job figure that stays the same from 10k to 100k jobs means
 * no hidden structure grows faster than the queue. The id strings are counted separately: they
 * are the caller's records.
 *
 * <p>Run: {@code java -cp benchmarks.jar fff.bench.schedule.SchedulerHeap [shape] [sizes...]}.
 */
public final class SchedulerHeap {

    private SchedulerHeap() {
    }

    public static void main(String[] args) {
        String shape = args.length > 0 ? args[0] : "sites";
        int[] sizes = args.length > 1 ? parse(args) : new int[] {0, 10_000, 100_000};
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.out.printf(Locale.ROOT, "shape %s, %d groups, JVM %s, %s%n", shape, SchedulerFixture.GROUPS,
                System.getProperty("java.vm.version"), ManagementFactory.getRuntimeMXBean().getInputArguments());
        System.out.println("queued   retained_bytes   id_bytes   scheduler_bytes   bytes_per_queued_job");
        long emptyScheduler = -1;
        for (int n : sizes) {
            long before = usedAfterGc(memory);
            SchedulerFixture fixture = new SchedulerFixture(shape, n, 42);
            long after = usedAfterGc(memory);
            long retained = after - before;
            long ids = idBytes(fixture);
            long scheduler = retained - ids;
            if (n == 0) {
                emptyScheduler = scheduler;
            }
            String perJob = n == 0 || emptyScheduler < 0 ? "-"
                    : String.format(Locale.ROOT, "%.1f", (scheduler - emptyScheduler) / (double) (n + fixture.runningIds.size()));
            System.out.printf(Locale.ROOT, "%7d %16d %10d %17d %22s%n", n, retained, ids, scheduler, perJob);
            if (fixture.scheduler.queuedCount() != n) {
                throw new IllegalStateException("fixture has " + fixture.scheduler.queuedCount() + " queued");
            }
        }
        System.out.println("bytes_per_queued_job = (scheduler_bytes - scheduler_bytes at 0) / (queued + running);"
                + " the fixture's own id lists are counted in retained_bytes and excluded with the ids.");
    }

    /**
     * The id strings and the fixture's two id lists. Compact Latin-1 strings: 24-byte String + 16-byte
     * array header + length, rounded to 8; plus 4 bytes per list slot (compressed oops, ~1.5x growth
     * slack ignored).
     */
    private static long idBytes(SchedulerFixture f) {
        long bytes = 0;
        for (var list : java.util.List.of(f.queuedIds, f.runningIds)) {
            for (String id : list) {
                bytes += 24 + align(16 + id.length()) + 4;
            }
        }
        return bytes;
    }

    private static long align(long n) {
        return (n + 7) & ~7L;
    }

    private static long usedAfterGc(MemoryMXBean memory) {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static int[] parse(String[] args) {
        int[] sizes = new int[args.length - 1];
        for (int i = 1; i < args.length; i++) {
            sizes[i - 1] = Integer.parseInt(args[i].replace("_", ""));
        }
        return sizes;
    }
}

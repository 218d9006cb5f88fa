package fff.bench.journal;

import fff.common.jobs.JobDb;
import fff.common.jobs.JobLog;
import fff.common.jobs.JobSpec;
import fff.common.jobs.RetryPolicy;
import fff.common.journal.Journal;
import fff.common.journal.JournalOptions;
import fff.common.schedule.GroupSpec;
import fff.common.schedule.GroupTree;
import fff.proto.journal.JobCancelled;
import fff.proto.journal.JobDone;
import fff.proto.journal.JobEvent;
import fff.proto.journal.JobFailed;
import fff.proto.journal.JobMoved;
import fff.proto.journal.JobProgress;
import fff.proto.journal.JobRecord;
import fff.proto.journal.JobStarted;
import fff.proto.journal.JobState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The journal workload the journal benchmarks share: the events of a node's life, seeded and repeatable.
 *
 * <p>Jobs come from one watch rule ({@code ingest}, camera-card paths such as
 * {@code siteB/2024-06-13/CAM07/A012C003_240613_R1AB.mxf}) and go to four destinations, one scheduling
 * group each under {@code total(200)}. About {@value #QUEUE_DEPTH} jobs wait in the queue at any time:
 * job {@code k + QUEUE_DEPTH} is created while job {@code k} runs. Each job is {@code created} (a full
 * {@link JobRecord}), {@code started}, gets one or two {@code progress} events and is {@code done}; 2% fail
 * once and are requeued with a backoff, then run again; 0.3% fail for good; 0.2% are cancelled while
 * queued; one job in 40 is moved (to the top, or before another queued job). Timestamps spread the jobs
 * over the last two days, so the node's default 30-day history keeps them all. The generator stops after
 * exactly {@code events} events, wherever that falls: the last jobs are running or queued, as after a
 * crash.
 */
final class NodeLife {

    static final int QUEUE_DEPTH = 2_000;
    static final String RULE = "ingest";
    static final String[] DESTINATIONS = {"siteA", "siteB", "siteC", "archive"};
    /** One checkpoint per this many events, as the node's default {@code jobs.checkpoint-every}. */
    static final int CHECKPOINT_EVERY = 100_000;
    static final Duration HISTORY = Duration.ofDays(30);
    private static final long SPAN_MILLIS = Duration.ofDays(2).toMillis();
    private static final long MILLIS_PER_JOB = 750; // ~230k jobs over two days

    private final SplittableRandom rnd;
    private final long base;
    private final BitSet cancelled = new BitSet();
    private final List<JobEvent> out;
    private final int budget;
    private long created;       // highest job id created so far

    private NodeLife(long seed, int budget, List<JobEvent> out) {
        this.rnd = new SplittableRandom(seed);
        this.base = System.currentTimeMillis() - SPAN_MILLIS;
        this.budget = budget;
        this.out = out;
    }

    /** The node's group tree: {@code total(200)} over one group per destination, 40 each. */
    static GroupTree tree() {
        List<GroupSpec> specs = new ArrayList<>();
        specs.add(GroupSpec.root("total", 200));
        for (String d : DESTINATIONS) {
            specs.add(new GroupSpec(d, "total", 40));
        }
        return GroupTree.of(specs);
    }

    /** A job db as the node builds it (system clock, default retry policy), logging to {@code log}. */
    static JobDb jobDb(JobLog log) {
        return new JobDb(tree(), RetryPolicy.DEFAULT, Clock.systemUTC(), log, new SplittableRandom(7));
    }

    /** Exactly {@code events} events of a node's life (see the class comment). */
    static List<JobEvent> events(int events, long seed) {
        List<JobEvent> out = new ArrayList<>(events);
        new NodeLife(seed, events, out).run();
        return out;
    }

    private void run() {
        while (created < QUEUE_DEPTH && emit(created(++created))) {
            // fill the queue
        }
        for (long k = 1; out.size() < budget; k++) {
            long t = at(k);
            if (!emit(created(++created))) {
                return;
            }
            if (k % 40 == 0) {
                long j = k + 1 + rnd.nextInt(QUEUE_DEPTH - 1);
                if (!cancelled.get((int) j)) {
                    boolean top = rnd.nextBoolean();
                    long other = k + 1 + rnd.nextInt(QUEUE_DEPTH - 1);
                    if (!top && (other == j || cancelled.get((int) other))) {
                        top = true;
                    }
                    JobMoved.Builder m = JobMoved.newBuilder().setWhere(top ? JobMoved.Where.TOP : JobMoved.Where.BEFORE);
                    if (!top) {
                        m.setOther(other);
                    }
                    if (!emit(ev(j, t).setMoved(m).build())) {
                        return;
                    }
                }
            }
            if (rnd.nextInt(500) == 0) {
                long j = k + 1 + rnd.nextInt(QUEUE_DEPTH - 1);
                if (!cancelled.get((int) j)) {
                    cancelled.set((int) j);
                    if (!emit(ev(j, t).setCancelled(JobCancelled.newBuilder().setBy("operator")).build())) {
                        return;
                    }
                }
            }
            if (cancelled.get((int) k)) {
                continue;
            }
            if (!life(k, t)) {
                return;
            }
        }
    }

    /** One job's life from its start; false when the budget ran out. */
    private boolean life(long k, long t) {
        int roll = rnd.nextInt(1000);
        long size = size(k);
        if (!emit(started(k, t, 1))) {
            return false;
        }
        if (roll < 3) { // gave up
            return emit(ev(k, t + 300).setFailed(JobFailed.newBuilder().setReason("HASH_MISMATCH")
                    .setMessage("destination hash differs from the source after 3 tries").setRetryable(false)
                    .setCounts(true)).build());
        }
        if (roll < 23) { // failed once, requeued with backoff, ran again
            if (!emit(progress(k, t + 100, size / 3))
                    || !emit(ev(k, t + 200).setFailed(JobFailed.newBuilder().setReason("IO_ERROR")
                    .setMessage("connection reset by peer").setRetryable(true).setRetryAtMillis(t + 1_200)
                    .setCounts(true)).build())
                    || !emit(started(k, t + 1_300, 2))) {
                return false;
            }
        }
        if (!emit(progress(k, t + 400, size / 2))) {
            return false;
        }
        if (k % 3 == 0 && !emit(progress(k, t + 500, size * 7 / 8))) {
            return false;
        }
        return emit(done(k, t + 600, size));
    }

    private boolean emit(JobEvent e) {
        if (out.size() >= budget) {
            return false;
        }
        out.add(e);
        return true;
    }

    private long at(long k) {
        return base + k * MILLIS_PER_JOB;
    }

    private long size(long id) {
        return 50_000_000L + (id * 2_654_435_761L & 0xFFFFFFFFL) * 4; // 50 MB .. 17 GB, repeatable
    }

    private JobEvent created(long id) {
        long t = at(id - QUEUE_DEPTH); // created while job id - QUEUE_DEPTH runs
        return ev(id, t).setCreated(record(id, t, size(id))).build();
    }

    /** The full record of a new job with a realistic camera-card path. */
    static JobRecord record(long id, long createdMillis, long size) {
        String dest = DESTINATIONS[(int) (id % DESTINATIONS.length)];
        String relative = String.format(Locale.ROOT, "%s/2024-06-%02d/CAM%02d/A%03dC%03d_2406%02d_R%04X.mxf",
                dest, 1 + id % 28, id % 17, id % 997, id % 1000, 1 + id % 28, id & 0xFFFF);
        return JobRecord.newBuilder().setRule(RULE).setSource("/srv/ingest/" + relative).setRelative(relative)
                .setDestination(dest).setRemotePath("incoming/" + relative).setGroup(dest).setSize(size)
                .setMtimeMillis(createdMillis - 60_000).setPriority(id % 50 == 0 ? 1 : 0)
                .setState(JobState.QUEUED).setCreatedMillis(createdMillis)
                .setAfter(id % 4 == 0 ? "move:/srv/ingest/.sent" : "keep").build();
    }

    /** The same job as {@link #record} as a {@link JobDb} submission. */
    static JobSpec spec(long id) {
        JobRecord r = record(id, System.currentTimeMillis(), 123_456_789L + id);
        return new JobSpec(r.getRule(), Path.of(r.getSource()), r.getRelative(), r.getDestination(),
                r.getRemotePath(), r.getGroup(), r.getPriority(), r.getSize(), r.getMtimeMillis(), r.getAfter());
    }

    static JobEvent.Builder ev(long id, long at) {
        return JobEvent.newBuilder().setJob(id).setAtMillis(at);
    }

    static JobEvent started(long id, long at, int attempt) {
        return ev(id, at).setStarted(JobStarted.newBuilder().setAttempt(attempt)).build();
    }

    static JobEvent progress(long id, long at, long bytes) {
        return ev(id, at).setProgress(JobProgress.newBuilder().setBytesDone(bytes)).build();
    }

    static JobEvent done(long id, long at, long size) {
        return ev(id, at).setDone(JobDone.newBuilder().setBytesSent(size)
                .setAfterResult(id % 4 == 0 ? "moved to /srv/ingest/.sent/" + id + ".mxf" : "")).build();
    }

    /** The typical four events of one job, for the append benchmark. */
    static JobEvent[] lifecycle(long id) {
        long t = System.currentTimeMillis();
        long size = 123_456_789L + id;
        return new JobEvent[] {
            ev(id, t).setCreated(record(id, t, size)).build(),
            started(id, t + 1, 1),
            progress(id, t + 2, size / 2),
            done(id, t + 3, size),
        };
    }

    // ---- journal layouts (written in a JVM of their own; see JournalReplay) ---------------------------

    /** How the replayed journal was written. */
    enum Layout {
        /** {@code events} events, no checkpoint: replay reads them all. */
        plain,
        /**
         * The same events with a checkpoint at 50k and then every {@value #CHECKPOINT_EVERY} events (as the
         * node does by default), each written from a job db that followed the events: replay reads the last
         * checkpoint (every job of the 30-day history as a record) and the 50k events after it.
         */
        checkpointed
    }

    /**
     * Writes the journal into {@code dir}; returns a one-line summary. The checkpoints come from a job db
     * fed every event (in replay mode, as the events are already journaled).
     */
    static String write(Path dir, Layout layout, int events) {
        List<JobEvent> all = events(events, 42);
        long t0 = System.nanoTime();
        JobDb shadow = layout == Layout.checkpointed ? jobDb(JobLog.NONE) : null;
        int checkpoints = 0;
        long lastRecords = 0;
        try (Journal j = Journal.open(dir, JournalOptions.defaults())) {
            for (int i = 0; i < all.size(); i++) {
                JobEvent e = all.get(i);
                j.append(e);
                if (shadow != null) {
                    shadow.replay(e);
                    if ((i + 1) % CHECKPOINT_EVERY == CHECKPOINT_EVERY / 2) {
                        List<JobEvent> records = shadow.checkpointRecords(HISTORY.toMillis());
                        j.checkpoint(shadow.nextJobId(), records);
                        checkpoints++;
                        lastRecords = records.size();
                    }
                }
            }
            long jobs = all.stream().filter(e -> e.getBodyCase() == JobEvent.BodyCase.CREATED).count();
            return String.format(Locale.ROOT, "journal %s: %,d events, %,d jobs (%s), %d checkpoints (last: %,d"
                    + " records), %,d bytes, written in %d ms", layout, all.size(), jobs, mix(all), checkpoints,
                    lastRecords, j.bytesOnDisk(), (System.nanoTime() - t0) / 1_000_000);
        }
    }

    private static String mix(List<JobEvent> all) {
        StringBuilder s = new StringBuilder();
        for (JobEvent.BodyCase c : JobEvent.BodyCase.values()) {
            long n = all.stream().filter(e -> e.getBodyCase() == c).count();
            if (n > 0) {
                s.append(s.length() == 0 ? "" : " ").append(c.name().toLowerCase(Locale.ROOT)).append('=').append(n);
            }
        }
        return s.toString();
    }

    /**
     * Writes a layout in a fresh JVM with this JVM's module flags and class path, so that the JVM that
     * then measures the replay has not been warmed up by writing it.
     */
    static String writeInChild(Path dir, Layout layout, int events) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Predicate<String> moduleFlag = a -> a.startsWith("--add-") || a.startsWith("--enable-native-access")
                || a.startsWith("--sun-misc-unsafe-memory-access");
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter(moduleFlag).forEach(cmd::add);
        cmd.addAll(List.of("-Xmx3g", "-cp", System.getProperty("java.class.path"), NodeLife.class.getName(),
                dir.toString(), layout.name(), Integer.toString(events)));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes()).strip();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("journal writer failed: " + text);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code NodeLife DIR plain|checkpointed EVENTS}: writes one layout (used by {@link #writeInChild}). */
    public static void main(String[] args) {
        System.out.println(write(Path.of(args[0]), Layout.valueOf(args[1]), Integer.parseInt(args[2])));
    }
}

package fff.common.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import fff.common.schedule.GroupTree;
import fff.common.testing.FakeClock;
import fff.proto.journal.CheckpointBegin;
import fff.proto.journal.CheckpointEnd;
import fff.proto.journal.JobEvent;
import fff.proto.journal.JobMoved;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link JobDb#query} and {@link JobDb#counts} against the reference they replace,
 * {@code query.apply(db.jobs(), queued ids)} and a count over every view, on job dbs driven by seeded random
 * events (clock standing still for ties, stepping back, trimmed history, replay and checkpoints); and the
 * text filter's {@link JobQuery#lowerContains} against {@code toLowerCase(Locale.ROOT).contains}.
 */
class JobDbQueryTest {

    static final GroupTree TREE = GroupTree.builder().root("total", 5)
            .child("total", "outbound", 4).child("outbound", "NAS", 2).child("outbound", "Cloud", 3)
            .child("total", "inbound", 2).child("inbound", "Backups", 1).build();
    static final String[] GROUPS = {"NAS", "Cloud", "Backups", "outbound"};
    static final String[] DESTINATIONS = {"siteB", "usb", "Wolke"};
    static final String[] NAMES = {"a.mxf", "B.MXF", "clip Σ1.mov", "İstanbul/x.mp4", "Straße/ẞ.wav",
        "\u212Aelvin.txt", "cam/A012C003.mxf", "\uD801\uDC00deseret.bin", "Ÿes.doc", "µ/À.jpg"};
    static final String[] TEXTS = {"a", "mxf", "B.mx", "σ1", "ς", "i̇st", "istanbul", "strasse", "ß", "kelvin",
        "\u212A", "a012c", "\uD801\uDC28", "ÿes", "µ/à", "usb", "wolke", "io_error", "gave up", "retried",
        "cancelled", "nas", "zzz", "/src/"};

    final FakeClock clock = new FakeClock(1_000_000);
    final List<JobEvent> journal = new ArrayList<>();

    @Test
    void queryGivesTheSamePagesAsApplyOverEveryView() {
        for (long seed = 1; seed <= 6; seed++) {
            Random rnd = new Random(seed);
            clock.set(1_000_000);
            journal.clear();
            JobDb db = new JobDb(TREE, JobDbTest.POLICY, clock, journal::add, new Random(seed));
            db.recover();
            for (int step = 0; step < 700; step++) {
                randomEvent(db, rnd);
                db.checkInternals();
                compare(db, rnd, "seed " + seed + " step " + step);
                if (step % 150 == 149) {
                    replayed(rnd, "seed " + seed + " step " + step);
                }
            }
        }
    }

    /** The journal replayed into a fresh db: equal answers while replaying and after recover(). */
    private void replayed(Random rnd, String where) {
        JobDb again = new JobDb(TREE, JobDbTest.POLICY, clock, JobLog.NONE, new Random(1));
        for (int i = 0; i < journal.size(); i++) {
            again.replay(journal.get(i));
            if (rnd.nextInt(journal.size()) < 8) {
                again.checkInternals();
                compare(again, rnd, where + ", replayed up to event " + i);
            }
        }
        again.recover();
        again.checkInternals();
        compare(again, rnd, where + ", replayed and recovered");
    }

    private void compare(JobDb db, Random rnd, String where) {
        List<String> queued = db.scheduler().snapshot().queuedIds();
        List<Job> jobs = db.jobs();
        for (int k = 0; k < 4; k++) {
            JobQuery q = randomQuery(rnd, jobs.size());
            assertEquals(q.apply(jobs, queued), db.query(q), where + ": " + q);
        }
        Map<String, Map<JobState, Long>> counts = new HashMap<>();
        for (Job j : jobs) {
            counts.computeIfAbsent(j.spec().group(), g -> new EnumMap<>(JobState.class))
                    .merge(j.state(), 1L, Long::sum);
        }
        assertEquals(counts, db.counts(), where);
    }

    private static JobQuery randomQuery(Random rnd, int jobs) {
        Set<JobState> states = EnumSet.noneOf(JobState.class);
        switch (rnd.nextInt(6)) {
            case 0 -> states.add(JobState.RUNNING);
            case 1 -> states.addAll(List.of(JobState.RUNNING, JobState.QUEUED));
            case 2 -> states.addAll(List.of(JobState.DONE, JobState.FAILED, JobState.CANCELLED));
            case 3 -> { } // all
            default -> {
                for (JobState s : JobState.values()) {
                    if (rnd.nextBoolean()) {
                        states.add(s);
                    }
                }
            }
        }
        String group = rnd.nextInt(4) == 0 ? GROUPS[rnd.nextInt(GROUPS.length)] : null;
        String text = rnd.nextInt(4) == 0 ? TEXTS[rnd.nextInt(TEXTS.length)] : null;
        int limit = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(3) : 1 + rnd.nextInt(40);
        int offset = rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(jobs + 5);
        return new JobQuery(states, group, text, offset, limit);
    }

    private void randomEvent(JobDb db, Random rnd) {
        switch (rnd.nextInt(20)) {
            case 0, 1, 2, 3, 4 -> {
                String name = NAMES[rnd.nextInt(NAMES.length)] + rnd.nextInt(30);
                String group = GROUPS[rnd.nextInt(GROUPS.length)];
                String destination = DESTINATIONS[rnd.nextInt(DESTINATIONS.length)];
                db.submit(new JobSpec("rule", Path.of("/src/" + name), name, destination, "in/" + name, group,
                        rnd.nextInt(5) == 0 ? 1 : 0, 100 + rnd.nextInt(2), 5, rnd.nextBoolean() ? "keep" : "delete"));
            }
            case 5, 6, 7 -> pick(db, rnd, JobState.RUNNING).ifPresent(j -> db.succeeded(j.id(),
                    new Delivery(100, rnd.nextInt(3) == 0 ? 50 : 0, rnd.nextInt(5) == 0), ""));
            case 8, 9 -> pick(db, rnd, JobState.RUNNING).ifPresent(j -> db.failed(j.id(), new Failure("IO_ERROR",
                    "Broken pipe", rnd.nextInt(4) != 0, rnd.nextBoolean(), rnd.nextInt(3) == 0 ? 500 : 0)));
            case 10 -> pick(db, rnd, rnd.nextBoolean() ? JobState.QUEUED : JobState.RUNNING)
                    .ifPresent(j -> db.cancel(j.id(), "operator"));
            case 11 -> pick(db, rnd, rnd.nextBoolean() ? JobState.FAILED : JobState.CANCELLED)
                    .ifPresent(j -> db.retry(j.id()));
            case 12 -> pick(db, rnd, JobState.QUEUED).ifPresent(j -> {
                JobMoved.Where where = JobMoved.Where.forNumber(1 + rnd.nextInt(4));
                long other = pick(db, rnd, JobState.QUEUED).map(Job::id).orElse(j.id());
                if (other != j.id() || where == JobMoved.Where.TOP || where == JobMoved.Where.BOTTOM) {
                    db.move(j.id(), where, other);
                }
            });
            case 13 -> db.setOnline(DESTINATIONS[rnd.nextInt(DESTINATIONS.length)], rnd.nextInt(3) != 0);
            case 14 -> db.admit("Backups").ifPresent(key -> {
                if (rnd.nextBoolean()) {
                    db.release(key);
                }
            });
            case 15 -> db.jobs().stream().filter(j -> db.sourcePending(j.id())).findFirst()
                    .ifPresent(j -> db.sourceHandled(j.id(), "deleted"));
            case 16 -> {
                String name = NAMES[rnd.nextInt(NAMES.length)] + rnd.nextInt(30);
                if (rnd.nextBoolean()) {
                    db.removed("rule", name, rnd.nextBoolean());
                } else {
                    String to = NAMES[rnd.nextInt(NAMES.length)] + rnd.nextInt(30);
                    db.renamed(new JobSpec("rule", Path.of("/src/" + to), to, DESTINATIONS[0], "in/" + to, "NAS", 0,
                            100, 5, "keep"), name, rnd.nextBoolean());
                }
            }
            case 17 -> {
                // a checkpoint that forgets old history; the journal starts again from it
                List<JobEvent> records = db.checkpointRecords(Duration.ofSeconds(20).toMillis());
                journal.clear();
                journal.add(JobEvent.newBuilder().setCheckpointBegin(CheckpointBegin.newBuilder()
                        .setNextJobId(db.nextJobId())).build());
                journal.addAll(records);
                journal.add(JobEvent.newBuilder().setCheckpointEnd(CheckpointEnd.getDefaultInstance()).build());
            }
            case 18 -> clock.set(clock.millis() - rnd.nextInt(2_000)); // a clock stepped back
            default -> {
                clock.advance(rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(3_000));
                db.wake();
            }
        }
    }

    private static Optional<Job> pick(JobDb db, Random rnd, JobState state) {
        List<Job> in = db.jobs().stream().filter(j -> j.state() == state).toList();
        return in.isEmpty() ? Optional.empty() : Optional.of(in.get(rnd.nextInt(in.size())));
    }

    @Test
    void lowerContainsIsToLowerCaseContains() {
        for (char c = 0; c < 256; c++) {
            String s = String.valueOf(c);
            for (char t = 1; t < 256; t++) {
                String lower = String.valueOf(t).toLowerCase(Locale.ROOT);
                assertEquals(s.toLowerCase(Locale.ROOT).contains(lower), JobQuery.lowerContains(s, lower),
                        (int) c + " / " + (int) t);
            }
        }
        Random rnd = new Random(5);
        String latin1 = "aAbBiIsSkKÅåßÿµÀàxX0123 /._-";
        String any = "aAbBiIıİsSσΣςkK\u212AÅå\u212BßẞÿŸµÀà \uD801\uDC00\uD801\uDC28/._-";
        for (int n = 0; n < 200_000; n++) {
            String alphabet = n % 2 == 0 ? latin1 : any;
            String field = randomString(rnd, alphabet, 1 + rnd.nextInt(12));
            String text = rnd.nextBoolean() ? randomString(rnd, alphabet, 1 + rnd.nextInt(3))
                    : field.substring(rnd.nextInt(field.length())).toUpperCase(Locale.ROOT);
            text = text.isEmpty() ? "a" : text.toLowerCase(Locale.ROOT);
            assertEquals(field.toLowerCase(Locale.ROOT).contains(text), JobQuery.lowerContains(field, text),
                    "'" + field + "' / '" + text + "'");
        }
    }

    private static String randomString(Random rnd, String alphabet, int length) {
        StringBuilder s = new StringBuilder();
        while (s.length() < length) {
            int at = rnd.nextInt(alphabet.length());
            s.append(Character.isHighSurrogate(alphabet.charAt(at))
                    ? alphabet.substring(at, at + 2) : alphabet.substring(at, at + 1));
        }
        return s.toString();
    }
}

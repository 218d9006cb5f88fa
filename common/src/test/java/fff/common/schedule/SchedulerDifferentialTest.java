package fff.common.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random operations applied to {@link Scheduler} and to the {@link ListScheduler} oracle (a
 * plain {@code ArrayList} walked in order): after every step both must have made the same
 * decision (or refused with the same message) and show the same snapshot — queue order,
 * priorities, blocked flags, limits, tokens, running jobs. Invariants are checked on top: no
 * group rises above its limit, no token leaks, no startable job waits. Small position gaps, gaps
 * near the numeric limit and moves aimed at one spot force the renumbering paths. A failure names
 * the seed and step.
 */
class SchedulerDifferentialTest {

    @Test
    void sameDecisionsAsTheListSchedulerOnRandomTrees() {
        for (long seed = 1; seed <= 80; seed++) {
            Random rnd = new Random(seed);
            int gapBits = seed % 3 == 0 ? 2 : seed % 3 == 1 ? 20 : 4;
            new Run(seed, randomTree(rnd, 2 + rnd.nextInt(30)), gapBits, rnd).steps(400, 25);
        }
    }

    @Test
    void movesAimedAtOneSpotRenumberWithoutChangingOrder() {
        int[][] gapBitsAndJobs = {{20, 60}, {3, 20}, {59, 6}, {59, 12}};
        for (int[] c : gapBitsAndJobs) {
            for (long seed = 1; seed <= 10; seed++) {
                Random rnd = new Random(seed);
                Run run = new Run(seed, GroupTree.builder().root("only", 1).build(), c[0], rnd);
                for (int i = 0; i < c[1]; i++) {
                    run.apply("submit", "j" + i, "only", rnd.nextInt(2));
                }
                // an anchor at an end of its band makes the renumbering window reach that end
                List<String> q = run.s.snapshot().queuedIds();
                String anchor = q.get(seed % 3 == 0 ? 1 : seed % 3 == 1 ? q.size() - 2 : q.size() / 2);
                String[] ops = {"before", "before", "before", "before", "after", "after", "top", "bottom"};
                for (int i = 0; i < 400; i++) {
                    String id = "j" + rnd.nextInt(c[1]);
                    if (!id.equals(anchor) && run.s.isQueued(id)) {
                        run.apply(ops[rnd.nextInt(ops.length)], id, anchor, 0);
                    }
                }
                run.steps(200, c[1]);
            }
        }
    }

    @Test
    void positionsNearTheNumericLimitRenumberTheBand() {
        for (long seed = 1; seed <= 40; seed++) {
            Random rnd = new Random(seed);
            // 2^59 apart: a few moves to an end leave the ±2^62 range, so the band is renumbered.
            new Run(seed, randomTree(rnd, 3), 59, rnd).steps(300, 6);
        }
    }

    @Test
    void squeezingBehindAFrontNearTheLimitRenumbers() {
        Run run = new Run(0, GroupTree.builder().root("only", 1).build(), 59, new Random(0));
        for (int i = 0; i < 7; i++) {
            run.apply("submit", "j" + i, "only", 0); // j0 runs, j1..j6 wait
        }
        for (String id : List.of("j6", "j5", "j4", "j3", "j2", "j1", "j6", "j5")) {
            run.apply("top", id, null, 0); // the front walks down to -2^62
        }
        String front = run.s.snapshot().queuedIds().get(0);
        for (int i = 0; i < 80; i++) {
            List<String> q = run.s.snapshot().queuedIds();
            run.apply("after", q.get(q.size() - 2), front, 0); // halves the gap behind the front
        }
        run.steps(50, 6);
    }

    @Test
    void isBlockedAndQueuedCount() {
        Scheduler s = new Scheduler(GroupTreeTest.reference());
        s.submit("b1", "Backups", 0);
        s.submit("b2", "Backups", 0);
        s.submit("b3", "Backups", 0);
        assertEquals(2, s.queuedCount());
        s.setBlocked("b2", true);
        assertTrue(s.isBlocked("b2"));
        assertFalse(s.isBlocked("b3"));
        assertFalse(s.isBlocked("b1"), "running");
        assertFalse(s.isBlocked("nope"), "unknown");
        s.moveToBottom("b2");
        assertTrue(s.isBlocked("b2"), "a move keeps the flag");
        assertEquals(List.of("b3", "b2"), s.snapshot().queuedIds());
        s.finished("b1");
        assertEquals(1, s.queuedCount());
        assertEquals(List.of("b2"), s.snapshot().queuedIds());
    }

    /** One scheduler, its oracle and the random source. */
    private static final class Run {
        final long seed;
        final GroupTree tree;
        final List<String> groups;
        final Scheduler s;
        final ListScheduler oracle;
        final Random rnd;
        int nextId;
        int step;

        Run(long seed, GroupTree tree, int gapBits, Random rnd) {
            this.seed = seed;
            this.tree = tree;
            this.groups = tree.names();
            this.s = new Scheduler(tree, gapBits);
            this.oracle = new ListScheduler(tree);
            this.rnd = rnd;
            this.nextId = 1000;
        }

        /** Random steps; maxQueued > 0 stops submitting while that many jobs wait. */
        void steps(int count, int maxQueued) {
            for (int i = 0; i < count; i++) {
                Snapshot now = oracle.snapshot();
                List<String> waiting = now.queuedIds();
                List<String> running = now.running();
                int op = rnd.nextInt(100);
                boolean full = maxQueued > 0 && waiting.size() >= maxQueued;
                if (op < 25 && !full || waiting.isEmpty() && running.isEmpty()) {
                    int p = rnd.nextInt(10) == 0 ? -1 - rnd.nextInt(2) : rnd.nextInt(4);
                    apply("submit", "j" + nextId++, groups.get(rnd.nextInt(groups.size())), p);
                } else if (op < 45 && !running.isEmpty()) {
                    apply("finished", pick(running), null, 0);
                } else if (op < 52) {
                    List<String> any = new ArrayList<>(waiting);
                    any.addAll(running);
                    apply("cancel", any.isEmpty() ? "ghost" : pick(any), null, 0);
                } else if (op < 75 && !waiting.isEmpty()) {
                    String[] kinds = {"top", "bottom", "before", "after"};
                    apply(kinds[rnd.nextInt(4)], pick(waiting), pick(waiting), 0);
                } else if (op < 87 && !waiting.isEmpty()) {
                    apply(rnd.nextBoolean() ? "block" : "unblock", pick(waiting), null, 0);
                } else if (op < 97) {
                    apply("limit", groups.get(rnd.nextInt(groups.size())), null, 1 + rnd.nextInt(4));
                } else {
                    apply(rnd.nextBoolean() ? "finished" : "top", waiting.isEmpty() ? "ghost" : pick(waiting), null, 0);
                }
            }
        }

        void apply(String op, String a, String b, int n) {
            String where = "seed " + seed + ", step " + step++ + ": " + op + " " + a + " " + b + " " + n;
            Map<String, Integer> before = new HashMap<>();
            groups.forEach(g -> before.put(g, s.inUse(g)));
            Object expected = outcome(() -> onOracle(op, a, b, n));
            Object actual = outcome(() -> onScheduler(op, a, b, n));
            assertEquals(expected, actual, where);
            Snapshot snap = s.snapshot();
            assertEquals(oracle.snapshot(), snap, where + ": snapshot");
            try {
                s.checkInternals();
            } catch (IllegalStateException e) {
                fail(where + ": " + e.getMessage());
            }
            assertEquals(snap.queued().size(), s.queuedCount(), where);
            for (Snapshot.QueuedJob q : snap.queued()) {
                assertEquals(q.blocked(), s.isBlocked(q.id()), where);
            }
            checkInvariants(snap, before, where);
        }

        private void checkInvariants(Snapshot snap, Map<String, Integer> before, String where) {
            for (String g : groups) {
                int now = s.inUse(g);
                long holders = snap.running().stream().filter(id -> tree.path(runningGroup(id)).contains(g)).count();
                assertEquals(holders, now, where + ": tokens of " + g + " leak");
                if (now > before.get(g)) {
                    assertTrue(now <= s.limit(g), where + ": " + g + " rose above its limit");
                }
            }
            for (Snapshot.QueuedJob q : snap.queued()) {
                if (!q.blocked() && tree.path(q.group()).stream().allMatch(g -> s.inUse(g) < s.limit(g))) {
                    fail(where + ": " + q.id() + " could start but waits");
                }
            }
        }

        private final Map<String, String> startedIn = new HashMap<>();

        private String runningGroup(String id) {
            return startedIn.get(id);
        }

        private Decision onScheduler(String op, String a, String b, int n) {
            return switch (op) {
                case "submit" -> s.submit(a, b, n);
                case "finished" -> s.finished(a);
                case "cancel" -> s.cancel(a);
                case "top" -> s.moveToTop(a);
                case "bottom" -> s.moveToBottom(a);
                case "before" -> s.moveBefore(a, b);
                case "after" -> s.moveAfter(a, b);
                case "block" -> s.setBlocked(a, true);
                case "unblock" -> s.setBlocked(a, false);
                case "limit" -> s.setLimit(a, n);
                default -> throw new IllegalStateException(op);
            };
        }

        private Decision onOracle(String op, String a, String b, int n) {
            Map<String, String> groupOf = new HashMap<>();
            oracle.snapshot().queued().forEach(q -> groupOf.put(q.id(), q.group()));
            Decision d = switch (op) {
                case "submit" -> oracle.submit(a, b, n);
                case "finished" -> oracle.finished(a);
                case "cancel" -> oracle.cancel(a);
                case "top" -> oracle.moveToTop(a);
                case "bottom" -> oracle.moveToBottom(a);
                case "before" -> oracle.moveBefore(a, b);
                case "after" -> oracle.moveAfter(a, b);
                case "block" -> oracle.setBlocked(a, true);
                case "unblock" -> oracle.setBlocked(a, false);
                case "limit" -> oracle.setLimit(a, n);
                default -> throw new IllegalStateException(op);
            };
            if (op.equals("submit")) {
                groupOf.put(a, b);
            }
            d.start().forEach(id -> startedIn.put(id, groupOf.get(id)));
            return d;
        }

        private String pick(List<String> ids) {
            return ids.get(rnd.nextInt(ids.size()));
        }
    }

    /** The decision, or the refusal's message: both implementations must agree on either. */
    private static Object outcome(java.util.function.Supplier<Decision> call) {
        try {
            return call.get();
        } catch (IllegalArgumentException e) {
            return "refused: " + e.getMessage();
        }
    }

    /** Up to n groups, several roots possible, depth and fan-out varying with the seed. */
    static GroupTree randomTree(Random rnd, int n) {
        List<GroupSpec> specs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String parent = i == 0 || rnd.nextInt(8) == 0 ? null
                    : "g" + (rnd.nextBoolean() ? i - 1 : rnd.nextInt(i));
            specs.add(new GroupSpec("g" + i, parent, 1 + rnd.nextInt(4)));
        }
        return GroupTree.of(specs);
    }
}

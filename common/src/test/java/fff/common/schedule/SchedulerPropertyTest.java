package fff.common.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Seeded random operations against the scheduler, checking invariants after every step. The test
 * keeps its own model of the queue order (sort keys priority, position) and of the running jobs,
 * independent of the scheduler's list. A failure message names the seed and step to replay.
 */
class SchedulerPropertyTest {

    private static final int SEEDS = 200;
    private static final int STEPS = 300;

    @Test
    void invariantsHoldAfterEveryStep() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            run(seed);
        }
    }

    /** A job of the model: its group and its queue sort key. */
    private static final class Job {
        final String group;
        int priority;
        long position;
        boolean blocked;

        Job(String group, int priority, long position) {
            this.group = group;
            this.priority = priority;
            this.position = position;
        }
    }

    private static final Comparator<Map.Entry<String, Job>> ORDER = Comparator
            .<Map.Entry<String, Job>>comparingInt(e -> -e.getValue().priority)
            .thenComparingLong(e -> e.getValue().position);

    private static void run(long seed) {
        Random rnd = new Random(seed);
        GroupTree tree = seed % 2 == 0 ? GroupTreeTest.reference() : randomTree(rnd);
        List<String> groups = tree.names();
        Scheduler s = new Scheduler(tree);
        Map<String, Job> queued = new HashMap<>();
        Map<String, String> running = new LinkedHashMap<>();
        Map<String, Integer> limits = new HashMap<>();
        groups.forEach(g -> limits.put(g, tree.limit(g)));
        int nextId = 0;

        for (int step = 0; step < STEPS; step++) {
            String where = "seed " + seed + ", step " + step;
            Map<String, Integer> before = new HashMap<>();
            groups.forEach(g -> before.put(g, s.inUse(g)));
            List<String> order = sorted(queued);
            List<String> expectedStop = List.of();
            Decision d;
            int op = rnd.nextInt(100);
            if (op < 35 || queued.isEmpty() && running.isEmpty()) {
                String id = "j" + nextId++;
                String g = groups.get(rnd.nextInt(groups.size()));
                int p = rnd.nextInt(3);
                long last = queued.values().stream().mapToLong(j -> j.position).max().orElse(0);
                queued.put(id, new Job(g, p, last + 4));
                where += " submit " + id + " " + g + " " + p;
                d = s.submit(id, g, p);
            } else if (op < 60 && !running.isEmpty()) {
                String id = pick(rnd, running.keySet());
                where += " finished " + id;
                releaseModel(tree, before, running.remove(id));
                d = s.finished(id);
            } else if (op < 68) {
                boolean runningOne = queued.isEmpty() || !running.isEmpty() && rnd.nextBoolean();
                String id = runningOne ? pick(rnd, running.keySet()) : pick(rnd, queued.keySet());
                where += " cancel " + id;
                if (runningOne) {
                    releaseModel(tree, before, running.remove(id));
                    expectedStop = List.of(id);
                } else {
                    queued.remove(id);
                }
                d = s.cancel(id);
            } else if (op < 80 && queued.size() >= 2) {
                String id = pick(rnd, queued.keySet());
                Job j = queued.get(id);
                int kind = rnd.nextInt(4);
                List<String> others = new ArrayList<>(order);
                others.remove(id);
                if (kind == 0) {
                    Job head = queued.get(others.get(0));
                    j.priority = head.priority;
                    j.position = head.position - 1;
                    where += " top " + id;
                    d = s.moveToTop(id);
                } else if (kind == 1) {
                    Job tail = queued.get(others.get(others.size() - 1));
                    j.priority = tail.priority;
                    j.position = tail.position + 1;
                    where += " bottom " + id;
                    d = s.moveToBottom(id);
                } else {
                    String otherId = others.get(rnd.nextInt(others.size()));
                    Job other = queued.get(otherId);
                    j.priority = other.priority;
                    j.position = other.position + (kind == 2 ? -1 : 1);
                    where += (kind == 2 ? " before " : " after ") + id + " " + otherId;
                    d = kind == 2 ? s.moveBefore(id, otherId) : s.moveAfter(id, otherId);
                }
            } else if (op < 88 && !queued.isEmpty()) {
                String id = pick(rnd, queued.keySet());
                boolean b = rnd.nextInt(3) != 0;
                queued.get(id).blocked = b;
                where += " blocked " + id + " " + b;
                d = s.setBlocked(id, b);
            } else {
                String g = groups.get(rnd.nextInt(groups.size()));
                int n = 1 + rnd.nextInt(5);
                limits.put(g, n);
                where += " limit " + g + " " + n;
                d = s.setLimit(g, n);
            }
            renumber(queued);
            order = sorted(queued);

            // Started jobs were queued, start in queue order, and leave the queue.
            assertEquals(expectedStop, d.stop(), where);
            List<String> startedInOrder = order.stream().filter(d.start()::contains).toList();
            assertEquals(startedInOrder, d.start(), where + ": started out of queue order or not queued");
            for (String id : d.start()) {
                running.put(id, queued.remove(id).group);
            }
            renumber(queued);
            Snapshot snap = s.snapshot();
            assertEquals(sorted(queued), snap.queuedIds(), where + ": queue order");
            assertEquals(running.keySet(), new HashSet<>(snap.running()), where + ": running set");

            for (String g : groups) {
                long holders = running.values().stream().filter(rg -> tree.path(rg).contains(g)).count();
                int now = s.inUse(g);
                assertEquals(holders, now, where + ": inUse of " + g + " must equal running jobs under it");
                assertEquals(limits.get(g), s.limit(g), where);
                if (now > before.get(g)) {
                    assertTrue(now <= limits.get(g), where + ": " + g + " rose to " + now + " above limit");
                }
            }
            // Dispatch is complete: every unblocked queued job has a full group on its path.
            for (String id : snap.queuedIds()) {
                Job j = queued.get(id);
                if (j.blocked) {
                    continue;
                }
                boolean full = tree.path(j.group).stream().anyMatch(g -> s.inUse(g) >= s.limit(g));
                if (!full) {
                    fail(where + ": " + id + " could start but waits");
                }
            }
        }
    }

    /** The model's "before" usage drops for tokens released by the operation itself. */
    private static void releaseModel(GroupTree tree, Map<String, Integer> before, String group) {
        for (String g : tree.path(group)) {
            before.merge(g, -1, Integer::sum);
        }
    }

    private static List<String> sorted(Map<String, Job> queued) {
        return queued.entrySet().stream().sorted(ORDER).map(Map.Entry::getKey).toList();
    }

    /** Spreads positions four apart so "just before/after" (±1) never collides. */
    private static void renumber(Map<String, Job> queued) {
        long pos = 0;
        for (String id : sorted(queued)) {
            queued.get(id).position = pos += 4;
        }
    }

    private static String pick(Random rnd, Set<String> ids) {
        List<String> list = new ArrayList<>(ids);
        list.sort(Comparator.naturalOrder());
        return list.get(rnd.nextInt(list.size()));
    }

    private static GroupTree randomTree(Random rnd) {
        int n = 1 + rnd.nextInt(8);
        List<GroupSpec> specs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String parent = i == 0 || rnd.nextInt(6) == 0 ? null : "g" + rnd.nextInt(i);
            specs.add(new GroupSpec("g" + i, parent, 1 + rnd.nextInt(4)));
        }
        return GroupTree.of(specs);
    }
}

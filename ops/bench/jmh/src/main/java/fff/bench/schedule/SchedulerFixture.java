package fff.bench.schedule;

import fff.common.schedule.GroupSpec;
import fff.common.schedule.GroupTree;
import fff.common.schedule.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The scheduler workload the benchmarks share: a 1,000-group tree and a queue filled with
 * seeded random jobs until every token the tree hands out is taken and {@code queued} jobs wait.
 *
 * <p>Shapes: {@code sites} is {@code total(200) → 9 sites(40) → 110 leaves(2) each} (depth 3, the
 * layout a node is expected to have); {@code flat} is {@code total(200) → 999 leaves(2)}, the
 * widest fan-out. Jobs go to random leaves; one in eight gets priority 1..3, the rest 0, so the
 * queue has several priority bands.
 */
final class SchedulerFixture {

    static final int GROUPS = 1_000;

    final Scheduler scheduler;
    final List<String> leaves;
    final List<String> queuedIds = new ArrayList<>();
    final List<String> runningIds = new ArrayList<>();
    private final SplittableRandom rnd;
    private long nextId;

    SchedulerFixture(String shape, int queued, long seed) {
        rnd = new SplittableRandom(seed);
        List<GroupSpec> specs = new ArrayList<>();
        specs.add(GroupSpec.root("total", 200));
        leaves = new ArrayList<>();
        if (shape.equals("sites")) {
            for (int s = 0; s < 9; s++) {
                specs.add(new GroupSpec("site" + s, "total", 40));
                for (int l = 0; l < 110; l++) {
                    leaves.add("site" + s + "/leaf" + l);
                    specs.add(new GroupSpec(leaves.get(leaves.size() - 1), "site" + s, 2));
                }
            }
        } else if (shape.equals("flat")) {
            for (int l = 0; l < GROUPS - 1; l++) {
                leaves.add("leaf" + l);
                specs.add(new GroupSpec("leaf" + l, "total", 2));
            }
        } else {
            throw new IllegalArgumentException("shape '" + shape + "': expected sites or flat");
        }
        if (specs.size() != GROUPS) {
            throw new IllegalStateException(specs.size() + " groups instead of " + GROUPS);
        }
        scheduler = new Scheduler(GroupTree.of(specs));
        while (scheduler.queuedCount() < queued) {
            String id = newId();
            if (scheduler.submit(id, randomLeaf(), randomPriority()).start().isEmpty()) {
                queuedIds.add(id);
            } else {
                runningIds.add(id);
            }
        }
    }

    String newId() {
        return "job-" + nextId++;
    }

    String randomLeaf() {
        return leaves.get(rnd.nextInt(leaves.size()));
    }

    int randomPriority() {
        return rnd.nextInt(8) == 0 ? 1 + rnd.nextInt(3) : 0;
    }

    int nextInt(int bound) {
        return rnd.nextInt(bound);
    }
}

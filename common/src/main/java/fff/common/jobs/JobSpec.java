package fff.common.jobs;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What a new job is to do: move one source file to a destination. The pair ({@code rule}, {@code relative})
 * names the file across restarts; with {@code size} and {@code mtimeMillis} it is the file's identity, so
 * the same unchanged file is never queued twice.
 *
 * @param rule        the watch rule that found it ("send" for ad-hoc jobs)
 * @param source      absolute path of the file
 * @param relative    its path under the rule's folder, '/'-separated
 * @param destination destination name from the config
 * @param remotePath  path at the destination, '/'-separated
 * @param group       scheduling group
 * @param priority    higher goes first
 * @param size        bytes, as seen when the file became stable
 * @param mtimeMillis modification time, as seen when the file became stable
 * @param after       what to do with the source once the destination verified it: {@code keep},
 *                    {@code delete} or {@code move:DIR}
 */
public record JobSpec(String rule, Path source, String relative, String destination, String remotePath,
        String group, int priority, long size, long mtimeMillis, String after) {

    public JobSpec {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(relative, "relative");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(remotePath, "remotePath");
        Objects.requireNonNull(group, "group");
        after = after == null || after.isEmpty() ? "keep" : after;
        if (!after.equals("keep") && !after.equals("delete") && !after.startsWith("move:")) {
            throw new IllegalArgumentException("after: '" + after + "' is not keep, delete or move:DIR");
        }
        if (size < 0) {
            throw new IllegalArgumentException("size " + size + " < 0");
        }
    }

    /** Same file, unchanged: same place, size and modification time. */
    boolean sameFileAs(JobSpec o) {
        return size == o.size && mtimeMillis == o.mtimeMillis && destination.equals(o.destination)
                && remotePath.equals(o.remotePath);
    }
}

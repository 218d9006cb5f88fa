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
 * @param op          what happens at the destination: the file is sent, or (mirroring the source) removed or
 *                    renamed there
 * @param renameFrom  for {@link Op#RENAME}: the remote path renamed from; else null
 */
public record JobSpec(String rule, Path source, String relative, String destination, String remotePath,
        String group, int priority, long size, long mtimeMillis, String after, Op op, String renameFrom) {

    /** What a job does at its destination. */
    public enum Op { SEND, REMOVE, RENAME }

    /** A job that sends the file. */
    public JobSpec(String rule, Path source, String relative, String destination, String remotePath,
            String group, int priority, long size, long mtimeMillis, String after) {
        this(rule, source, relative, destination, remotePath, group, priority, size, mtimeMillis, after, Op.SEND,
                null);
    }

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
        op = op == null ? Op.SEND : op;
        if ((op == Op.RENAME) != (renameFrom != null)) {
            throw new IllegalArgumentException("renameFrom is for RENAME jobs only, and needed there");
        }
        if (op != Op.SEND && !after.equals("keep")) {
            throw new IllegalArgumentException(op + " job: after must be keep");
        }
        if (size < 0) {
            throw new IllegalArgumentException("size " + size + " < 0");
        }
    }

    /** This job, turned into one that renames {@code fromRemotePath} to its remote path. */
    public JobSpec asRenameFrom(String fromRemotePath) {
        return new JobSpec(rule, source, relative, destination, remotePath, group, priority, size, mtimeMillis,
                after, Op.RENAME, fromRemotePath);
    }

    /** This job, turned into one that removes its remote path. */
    public JobSpec asRemove() {
        return new JobSpec(rule, source, relative, destination, remotePath, group, priority, 0, 0, "keep",
                Op.REMOVE, null);
    }

    /**
     * Same file, unchanged, at the same place: what a send or a rename left there has the size and
     * modification time of this one. Two removals of the same path are the same too.
     */
    boolean sameFileAs(JobSpec o) {
        if ((op == Op.REMOVE) || (o.op == Op.REMOVE)) {
            return op == o.op && destination.equals(o.destination) && remotePath.equals(o.remotePath);
        }
        return size == o.size && mtimeMillis == o.mtimeMillis && destination.equals(o.destination)
                && remotePath.equals(o.remotePath);
    }
}

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
 * @param profile     transcode profile the file goes through on its way, or null for a plain copy ("" reads
 *                    as null); {@link Op#SEND} jobs only. {@code remotePath} is then the profile's output path
 * @param returnTo    where the result comes back to on this node, absolute, or null when the destination keeps
 *                    it: the destination converts the file with {@code profile} (a whole-file one) and returns
 *                    it (a watch rule's {@code via}); {@link Op#SEND} jobs with a profile only. {@code remotePath}
 *                    is then the result's path below the rule's {@code out}, for people
 */
public record JobSpec(String rule, Path source, String relative, String destination, String remotePath,
        String group, int priority, long size, long mtimeMillis, String after, Op op, String renameFrom,
        String profile, Path returnTo) {

    /** What a job does at its destination. */
    public enum Op { SEND, REMOVE, RENAME }

    /** A job that sends the file. */
    public JobSpec(String rule, Path source, String relative, String destination, String remotePath,
            String group, int priority, long size, long mtimeMillis, String after) {
        this(rule, source, relative, destination, remotePath, group, priority, size, mtimeMillis, after, Op.SEND,
                null, null);
    }

    /** A job without a transcode profile. */
    public JobSpec(String rule, Path source, String relative, String destination, String remotePath,
            String group, int priority, long size, long mtimeMillis, String after, Op op, String renameFrom) {
        this(rule, source, relative, destination, remotePath, group, priority, size, mtimeMillis, after, op,
                renameFrom, null, null);
    }

    /** A job whose result, if any, the destination keeps. */
    public JobSpec(String rule, Path source, String relative, String destination, String remotePath,
            String group, int priority, long size, long mtimeMillis, String after, Op op, String renameFrom,
            String profile) {
        this(rule, source, relative, destination, remotePath, group, priority, size, mtimeMillis, after, op,
                renameFrom, profile, null);
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
        profile = profile == null || profile.isEmpty() ? null : profile;
        if (op != Op.SEND && profile != null) {
            throw new IllegalArgumentException(op + " job: no transcode profile ('" + profile + "')");
        }
        if (returnTo != null && (op != Op.SEND || profile == null)) {
            throw new IllegalArgumentException(op + " job" + (op == Op.SEND ? " without a profile" : "")
                    + ": no result comes back ('" + returnTo + "')");
        }
        if (returnTo != null && !returnTo.isAbsolute()) {
            throw new IllegalArgumentException("returnTo: '" + returnTo + "' is not absolute");
        }
        if (size < 0) {
            throw new IllegalArgumentException("size " + size + " < 0");
        }
    }

    /** This job going through transcode profile {@code name} (null: a plain copy, and no result returned). */
    public JobSpec withProfile(String name) {
        return new JobSpec(rule, source, relative, destination, remotePath, group, priority, size, mtimeMillis,
                after, op, renameFrom, name, name == null || name.isEmpty() ? null : returnTo);
    }

    /** This job with its profile's result returned to {@code path} here (null: kept at the destination). */
    public JobSpec withReturnTo(Path path) {
        return new JobSpec(rule, source, relative, destination, remotePath, group, priority, size, mtimeMillis,
                after, op, renameFrom, profile, path);
    }

    /** This job, turned into one that renames {@code fromRemotePath} to its remote path (without a profile). */
    public JobSpec asRenameFrom(String fromRemotePath) {
        return new JobSpec(rule, source, relative, destination, remotePath, group, priority, size, mtimeMillis,
                after, Op.RENAME, fromRemotePath);
    }

    /** This job, turned into one that removes its remote path (without a profile). */
    public JobSpec asRemove() {
        return new JobSpec(rule, source, relative, destination, remotePath, group, priority, 0, 0, "keep",
                Op.REMOVE, null);
    }

    /**
     * Same file, unchanged, at the same place, made the same way: what a send or a rename left there has the
     * size and modification time of this one, and went through the same profile (or none), returned to the same
     * place (or kept). Two removals of the same path are the same too.
     */
    boolean sameFileAs(JobSpec o) {
        if ((op == Op.REMOVE) || (o.op == Op.REMOVE)) {
            return op == o.op && destination.equals(o.destination) && remotePath.equals(o.remotePath);
        }
        return size == o.size && mtimeMillis == o.mtimeMillis && destination.equals(o.destination)
                && remotePath.equals(o.remotePath) && Objects.equals(profile, o.profile)
                && Objects.equals(returnTo, o.returnTo);
    }
}

package fff.common.config;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/**
 * One entry of the {@code watch:} list: a local folder whose finished files become jobs. A file is a job once
 * it has not changed for {@code stableFor}; the same unchanged file is never queued twice.
 *
 * <p>Errors from the constructor name the key inside the rule ({@code include[1]: ...}); the config reader
 * prefixes them with {@code watch[i].}. Checks across rules, groups and destinations are {@link NodeConfig}'s.
 *
 * @param name          key {@code name}: the rule's identity in the job journal, kept across restarts; unique.
 *                      Default (when null): the path as written in the file ({@code path.toString()} in code)
 * @param path          key {@code path}: the watched folder, required. Relative paths in a file are resolved
 *                      against the file's directory; if it exists it must be a directory
 * @param include       key {@code include}: globs ({@link java.nio.file.FileSystem#getPathMatcher} syntax)
 *                      matched against the file's '/'-separated path below {@code path}; a file must match
 *                      one. Default (when null) {@code ["**"]}, every file
 * @param exclude       key {@code exclude}: globs as {@code include}; a file matching one is skipped. Default
 *                      (when null) none
 * @param recursive     key {@code recursive}: also watch sub-folders. Default true
 * @param stableFor     key {@code stable-for}: how long a file must stay unchanged (size and modification time)
 *                      before it is queued; at least 0. Default (when null) {@link #DEFAULT_STABLE_FOR} (5s)
 * @param rescan        key {@code rescan}: interval of a full listing of the folder, for network mounts whose
 *                      changes raise no events; 0 = events only. Default (when null) {@link #DEFAULT_RESCAN} (30s)
 * @param includeHidden key {@code include-hidden}: also send files and folders whose name starts with '.'.
 *                      Default false
 * @param group         key {@code group}: the group of the jobs, a name in {@code groups:}. Default (when
 *                      null): the first root group, filled in by {@link NodeConfig}
 * @param to            key {@code to}: where the files go, {@code DEST:subpath}; required unless {@code via}
 *                      is given (the two are exclusive)
 * @param after         key {@code after}: what happens to a source file once it is verified at the
 *                      destination. Default (when null) {@link After#KEEP}
 * @param mirror        key {@code mirror}: changes besides new files that are repeated at the destination,
 *                      opt-in: {@code [renames, deletes]}. Needs {@code after: keep}. Default (when null) none
 * @param priority      key {@code priority}: higher is queued first; ties keep their order. Default 0
 * @param profile       key {@code profile}: the transcode profile files go through on their way, a name in
 *                      {@code profiles:} or a built-in ({@code imx30}, {@code proxy}); a peer destination
 *                      transcodes the receive side itself, for FTP and local destinations this node runs both
 *                      sides before delivering. {@code mirror} is not supported with it yet. Default (when
 *                      null) none: a plain copy
 * @param via           key {@code via}: a peer destination that converts the files with {@code profile} and
 *                      returns the results to {@code out} here, instead of keeping them ({@code to}). Needs
 *                      {@code profile} (a whole-file profile the receiver converts, checked by {@link NodeConfig})
 *                      and {@code out}; not with {@code to} or {@code mirror}. Default (when null) none
 * @param out           key {@code out}: with {@code via}, the folder the results land in, at the file's relative
 *                      path with the profile's extension; relative paths in a file are resolved against the
 *                      file's directory; created when the node starts; not the watched folder nor (when
 *                      {@code recursive}) inside it: the results would be sent again. Default (when null) none
 */
public record WatchRule(
        String name,
        Path path,
        List<String> include,
        List<String> exclude,
        boolean recursive,
        Duration stableFor,
        Duration rescan,
        boolean includeHidden,
        String group,
        Route to,
        After after,
        Set<Mirror> mirror,
        int priority,
        String profile,
        String via,
        Path out) {

    public static final List<String> DEFAULT_INCLUDE = List.of("**");
    public static final Duration DEFAULT_STABLE_FOR = Duration.ofSeconds(5);
    public static final Duration DEFAULT_RESCAN = Duration.ofSeconds(30);

    /** Changes at the source that {@code mirror:} repeats at the destination. */
    public enum Mirror {
        /** A file renamed or moved within the watched folder is renamed at the destination. */
        RENAMES,
        /** A file deleted from the watched folder is deleted at the destination. */
        DELETES;

        /** The word in config: {@code renames}, {@code deletes}. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A rule without a transcode profile. */
    public WatchRule(String name, Path path, List<String> include, List<String> exclude, boolean recursive,
            Duration stableFor, Duration rescan, boolean includeHidden, String group, Route to, After after,
            Set<Mirror> mirror, int priority) {
        this(name, path, include, exclude, recursive, stableFor, rescan, includeHidden, group, to, after, mirror,
                priority, null);
    }

    /** A rule that keeps what it sends at {@code to} (no {@code via}). */
    public WatchRule(String name, Path path, List<String> include, List<String> exclude, boolean recursive,
            Duration stableFor, Duration rescan, boolean includeHidden, String group, Route to, After after,
            Set<Mirror> mirror, int priority, String profile) {
        this(name, path, include, exclude, recursive, stableFor, rescan, includeHidden, group, to, after, mirror,
                priority, profile, null, null);
    }

    public WatchRule {
        if (path == null) {
            throw new IllegalArgumentException("path: required");
        }
        if (via != null && via.isBlank()) {
            throw new IllegalArgumentException("via: empty; leave it out and give to: to keep the files there");
        }
        if (to == null && via == null) {
            throw new IllegalArgumentException("to: required (DEST:subpath)");
        }
        if (to != null && via != null) {
            throw new IllegalArgumentException("via: '" + via + "' and to: '" + to + "' are exclusive; via brings "
                    + "the converted files back to out, to keeps them at the destination");
        }
        name = name == null ? path.toString() : name;
        if (name.isBlank()) {
            throw new IllegalArgumentException("name: empty");
        }
        include = include == null ? DEFAULT_INCLUDE : List.copyOf(include);
        exclude = exclude == null ? List.of() : List.copyOf(exclude);
        if (include.isEmpty()) {
            throw new IllegalArgumentException("include: an empty list matches no file; leave it out for every file");
        }
        checkGlobs("include", include);
        checkGlobs("exclude", exclude);
        stableFor = nonNegative("stable-for", stableFor, DEFAULT_STABLE_FOR);
        rescan = nonNegative("rescan", rescan, DEFAULT_RESCAN);
        after = after == null ? After.KEEP : after;
        mirror = mirror == null || mirror.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(mirror));
        if (!mirror.isEmpty() && after.action() != After.Action.KEEP) {
            throw new IllegalArgumentException("mirror: needs after: keep, not '" + after
                    + "'; the node's own " + (after.action() == After.Action.MOVE ? "moves" : "deletes")
                    + " would be repeated at the destination");
        }
        if (profile != null && profile.isBlank()) {
            throw new IllegalArgumentException("profile: empty; leave it out for a plain copy");
        }
        if (via != null) {
            checkVia(path, recursive, via, profile, out, mirror);
        } else if (out != null) {
            throw new IllegalArgumentException("out: '" + out + "' is only for via (where converted files come "
                    + "back); to: '" + to + "' keeps them at the destination");
        }
        if (profile != null && !mirror.isEmpty()) {
            throw new IllegalArgumentException("mirror: mirror is not supported with profile yet (profile '"
                    + profile + "')");
        }
        if (after.dir() != null && catches(path, recursive, after.dir())) {
            throw new IllegalArgumentException("after: '" + after + "' moves files into the watched folder "
                    + path + (recursive ? " (recursive)" : "") + "; they would be sent again");
        }
    }

    private static void checkVia(Path path, boolean recursive, String via, String profile, Path out,
            Set<Mirror> mirror) {
        if (profile == null) {
            throw new IllegalArgumentException("profile: required with via: '" + via + "' (a whole-file profile "
                    + "the peer converts, e.g. h265-mkv, h264-mkv, webp)");
        }
        if (out == null) {
            throw new IllegalArgumentException("out: required with via: '" + via + "' (the folder the converted "
                    + "files come back to)");
        }
        if (!mirror.isEmpty()) {
            throw new IllegalArgumentException("mirror: not supported with via: '" + via + "'; the results come "
                    + "back to out, nothing is kept at the destination");
        }
        if (catches(path, recursive, out)) {
            boolean same = out.toAbsolutePath().normalize().equals(path.toAbsolutePath().normalize());
            throw new IllegalArgumentException("out: '" + out + "' is " + (same ? "" : "inside ") + "the watched "
                    + "folder " + path + (recursive && !same ? " (recursive)" : "") + "; the results would be sent "
                    + "again");
        }
    }

    /** A rule with every default: all files of {@code path}, to {@code to}. */
    public static WatchRule of(Path path, Route to) {
        return new WatchRule(null, path, null, null, true, null, null, false, null, to, null, null, 0, null);
    }

    /** This rule with its group set; {@link NodeConfig} fills in the default group this way. */
    public WatchRule withGroup(String group) {
        return new WatchRule(name, path, include, exclude, recursive, stableFor, rescan, includeHidden, group, to,
                after, mirror, priority, profile, via, out);
    }

    /** The destination the rule's jobs go to: {@code via}'s, else {@code to}'s. */
    public String destination() {
        return via != null ? via : to.destination();
    }

    /** Where the rule's files go, for the log: {@code DEST:subpath}, or {@code via DEST back to OUT}. */
    public String target() {
        return via != null ? "via " + via + " (" + profile + ") back to " + out : to.toString();
    }

    /** Whether a file put into {@code dir} (or below it) would be seen by this rule. */
    boolean catches(Path dir) {
        return catches(path, recursive, dir);
    }

    private static boolean catches(Path path, boolean recursive, Path dir) {
        Path folder = path.toAbsolutePath().normalize();
        Path other = dir.toAbsolutePath().normalize();
        return other.equals(folder) || (recursive && other.startsWith(folder));
    }

    static void checkGlobs(String key, List<String> globs) {
        for (int i = 0; i < globs.size(); i++) {
            String glob = globs.get(i);
            if (glob == null || glob.isBlank()) {
                throw new IllegalArgumentException(key + "[" + i + "]: empty pattern");
            }
            try {
                FileSystems.getDefault().getPathMatcher("glob:" + glob);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(
                        key + "[" + i + "]: '" + glob + "' is not a glob: " + e.getDescription(), e);
            }
        }
    }

    private static Duration nonNegative(String key, Duration value, Duration defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        if (value.isNegative()) {
            throw new IllegalArgumentException(
                    key + ": '-" + Durations.format(value.negated()) + "' must not be negative");
        }
        return value;
    }
}

package fff.sender.watch;

import fff.common.config.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What one watch folder looks at and when a file in it counts as finished: the settings of one
 * {@code watch:} entry as far as the {@link FolderWatcher} needs them. Validated when built; a null
 * component takes the default written beside it. Boolean components cannot be null; their defaults are
 * those of {@link #of(Path)}.
 *
 * <p>Globs match '/'-separated paths relative to {@code root} (see {@link Glob}): {@code *} stays within one
 * name, {@code **} crosses names, and a leading {@code **}{@code /} also matches nothing, so
 * {@code **}{@code /*.mxf} matches {@code a.mxf} as well as {@code x/y/a.mxf}. A glob without '/' only
 * matches at the top level.
 *
 * @param root          key {@code path}: the watched folder, absolute. No default
 * @param include       key {@code include}: a file is watched when its relative path matches one of these.
 *                      Default (when null or empty) {@link #DEFAULT_INCLUDE}, everything at any depth
 * @param exclude       key {@code exclude}: a file matching one of these is ignored even if included.
 *                      Default (when null) empty
 * @param recursive     key {@code recursive}: watch subfolders too. Default true
 * @param stableFor     key {@code stable-for}: how long size and modification time must stay unchanged
 *                      before a file counts as finished. Zero reports a file at first sight, fit only for
 *                      writers that rename finished files into place. Default {@link #DEFAULT_STABLE_FOR}
 * @param rescanEvery   key {@code rescan-every}: period of the full rescan that finds what file events miss
 *                      (network mounts deliver none). Zero means events only. Default
 *                      {@link #DEFAULT_RESCAN_EVERY}
 * @param includeHidden key {@code include-hidden}: also watch names starting with '.' (files and folders)
 *                      and names matching {@link #TEMP_NAME_PATTERNS}. Default false
 */
public record WatchSpec(
        Path root,
        List<String> include,
        List<String> exclude,
        boolean recursive,
        Duration stableFor,
        Duration rescanEvery,
        boolean includeHidden) {

    public static final List<String> DEFAULT_INCLUDE = List.of("**");
    public static final Duration DEFAULT_STABLE_FOR = Duration.ofSeconds(5);
    public static final Duration DEFAULT_RESCAN_EVERY = Duration.ofSeconds(30);

    /**
     * File names that writers use while a file is still being written, matched against the last name of a
     * path and ignored unless {@code includeHidden} is set: editor and download leftovers, and the partial
     * files FileFlowFaster's own receiver and local mover write.
     */
    public static final List<String> TEMP_NAME_PATTERNS =
            List.of("*.tmp", "*.part", "*.partial", "*~", "*.swp", ".*.fff-partial");

    public WatchSpec {
        if (root == null) {
            throw new IllegalArgumentException("watch.path: missing");
        }
        if (!root.isAbsolute()) {
            throw new IllegalArgumentException("watch.path: '" + root + "' is not absolute");
        }
        root = root.normalize();
        include = include == null || include.isEmpty() ? DEFAULT_INCLUDE : List.copyOf(include);
        exclude = exclude == null ? List.of() : List.copyOf(exclude);
        include.forEach(g -> Glob.compile("watch.include", g));
        exclude.forEach(g -> Glob.compile("watch.exclude", g));
        stableFor = orDefault("watch.stable-for", stableFor, DEFAULT_STABLE_FOR);
        rescanEvery = orDefault("watch.rescan-every", rescanEvery, DEFAULT_RESCAN_EVERY);
    }

    /** Watches everything under {@code root}, recursively, with every other setting at its default. */
    public static WatchSpec of(Path root) {
        return new WatchSpec(root, null, null, true, null, null, false);
    }

    public WatchSpec withInclude(List<String> globs) {
        return new WatchSpec(root, globs, exclude, recursive, stableFor, rescanEvery, includeHidden);
    }

    public WatchSpec withExclude(List<String> globs) {
        return new WatchSpec(root, include, globs, recursive, stableFor, rescanEvery, includeHidden);
    }

    public WatchSpec withRecursive(boolean value) {
        return new WatchSpec(root, include, exclude, value, stableFor, rescanEvery, includeHidden);
    }

    public WatchSpec withStableFor(Duration value) {
        return new WatchSpec(root, include, exclude, recursive, value, rescanEvery, includeHidden);
    }

    public WatchSpec withRescanEvery(Duration value) {
        return new WatchSpec(root, include, exclude, recursive, stableFor, value, includeHidden);
    }

    public WatchSpec withIncludeHidden(boolean value) {
        return new WatchSpec(root, include, exclude, recursive, stableFor, rescanEvery, value);
    }

    private static Duration orDefault(String key, Duration value, Duration fallback) {
        if (value == null) {
            return fallback;
        }
        if (value.isNegative()) {
            throw new IllegalArgumentException(key + ": '-" + Durations.format(value.negated()) + "' is negative");
        }
        return value;
    }
}

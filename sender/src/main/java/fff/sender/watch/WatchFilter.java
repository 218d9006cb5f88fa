package fff.sender.watch;

import java.util.List;

/**
 * Which paths below a watched folder are of interest, from a {@link WatchSpec}: its include and exclude globs
 * and, unless hidden files are included, no name starting with '.' and no temporary file name
 * ({@link WatchSpec#TEMP_NAME_PATTERNS}). Paths are relative and '/'-separated.
 */
public final class WatchFilter {

    private static final List<Glob> TEMP_NAMES =
            WatchSpec.TEMP_NAME_PATTERNS.stream().map(g -> Glob.compile("temp name", g)).toList();

    private final List<Glob> include;
    private final List<Glob> exclude;
    private final boolean includeHidden;

    public WatchFilter(WatchSpec spec) {
        include = spec.include().stream().map(g -> Glob.compile("watch.include", g)).toList();
        exclude = spec.exclude().stream().map(g -> Glob.compile("watch.exclude", g)).toList();
        includeHidden = spec.includeHidden();
    }

    /** Whether a regular file at {@code relative} is watched. */
    public boolean acceptsFile(String relative) {
        if (!includeHidden) {
            String name = relative.substring(relative.lastIndexOf('/') + 1);
            if (hasHiddenName(relative) || TEMP_NAMES.stream().anyMatch(g -> g.matches(name))) {
                return false;
            }
        }
        return include.stream().anyMatch(g -> g.matches(relative))
                && exclude.stream().noneMatch(g -> g.matches(relative));
    }

    /** Whether the folder at {@code relative} is worth watching and scanning: not hidden, unless wanted. */
    boolean entersDirectory(String relative) {
        return includeHidden || !hasHiddenName(relative);
    }

    private static boolean hasHiddenName(String relative) {
        return relative.startsWith(".") || relative.contains("/.");
    }
}

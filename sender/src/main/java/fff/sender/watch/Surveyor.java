package fff.sender.watch;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Looks at a watched tree for a {@link FolderWatcher}: either the paths that file events named or the whole
 * tree, registering every folder it walks for events and reporting folders it cannot read. The result is
 * what {@link TrackedFiles#reconcile} takes. Used on the watcher's timer thread only.
 */
final class Surveyor {

    /** The watched files found and the part of the tree the look covered. */
    record Look(Map<String, FileStat> seen, TrackedFiles.Scope scope) {}

    static final String EVENTS = "events";
    private static final String FOLDER = "folder:";

    private final WatchSpec spec;
    private final WatchFilter filter;
    private final Problems problems;
    private DirectoryEvents events;
    private int registerFailures;

    Surveyor(WatchSpec spec, WatchFilter filter, Problems problems) {
        this.spec = spec;
        this.filter = filter;
        this.problems = problems;
    }

    /** From now on, folders walked are registered with {@code events}. */
    void useEvents(DirectoryEvents events) {
        this.events = events;
    }

    /**
     * Looks at paths named by events. A folder among them is walked (it may be new, moved in, or readable
     * again); anything else is looked at as a file, and as a folder that may have gone, taking what was below
     * it along.
     */
    Look paths(Collection<String> changed) {
        Map<String, FileStat> seen = new HashMap<>();
        Set<String> trees = new HashSet<>();
        Map<String, String> unreadable = new HashMap<>();
        for (String relative : changed) {
            BasicFileAttributes a = TreeScan.attributes(resolve(relative));
            if (a != null && a.isDirectory()) {
                if (spec.recursive() && filter.entersDirectory(relative)) {
                    TreeScan scan = walk(relative);
                    seen.putAll(scan.files());
                    unreadable.putAll(scan.unreadable());
                    trees.add(relative);
                }
            } else {
                if (events != null) {
                    events.dropGone(relative);
                }
                trees.add(relative);
                if (a != null && a.isRegularFile() && filter.acceptsFile(relative)) {
                    seen.put(relative, FileStat.of(a));
                }
            }
        }
        return new Look(seen, new TrackedFiles.Scope(false, Set.copyOf(changed), trees, unreadable.keySet()));
    }

    /** Walks the whole tree; clears problems of folders now readable or gone. */
    Look whole() {
        registerFailures = 0;
        TreeScan scan = walk("");
        if (events != null) {
            events.dropAllGone();
            if (registerFailures == 0) {
                problems.clear(EVENTS);
            }
        }
        problems.clearAll(key -> key.startsWith(FOLDER) && !scan.unreadable().containsKey(key.substring(FOLDER.length())));
        return new Look(scan.files(), TrackedFiles.Scope.everything(scan.unreadable().keySet()));
    }

    private TreeScan walk(String start) {
        TreeScan scan = TreeScan.walk(spec.root(), start, filter, spec.recursive(), this::register);
        scan.listed().forEach(folder -> problems.clear(FOLDER + folder));
        scan.unreadable().forEach((folder, why) ->
                problems.report(FOLDER + folder, "cannot read " + resolve(folder) + ": " + why));
        return scan;
    }

    private void register(String folder) {
        if (events == null) {
            return;
        }
        try {
            events.register(folder);
        } catch (IOException e) {
            // typically the inotify watch limit (fs.inotify.max_user_watches)
            registerFailures++;
            problems.report(EVENTS, "cannot watch " + resolve(folder) + " for file events (" + e
                    + "); changes there are found by rescans only");
        }
    }

    private Path resolve(String relative) {
        return relative.isEmpty() ? spec.root() : spec.root().resolve(relative);
    }
}

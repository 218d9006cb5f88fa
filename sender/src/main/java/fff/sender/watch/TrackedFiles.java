package fff.sender.watch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;

/**
 * The files a {@link FolderWatcher} has seen under its root and what it last saw of each, with the
 * bookkeeping that turns a fresh look at part of the tree into changes: files that moved, appeared or
 * changed, and files that are gone. No I/O and no timers; times are {@link System#nanoTime()} values passed
 * in. Used on the watcher's timer thread only.
 */
final class TrackedFiles {

    /** One file as last seen. Mutable; owned by the timer thread. */
    static final class Entry {
        String relative;
        FileStat stat;
        /** When a change (or first sight) was last noticed, in nanoTime. */
        long changedAt;
        /** Whether this exact size and mtime were reported stable. */
        boolean reported;
        /** The pending one-shot stability check, if any. */
        ScheduledFuture<?> check;

        Entry(String relative, FileStat stat, long changedAt) {
            this.relative = relative;
            this.stat = stat;
            this.changedAt = changedAt;
        }

        /** Takes a new look; returns whether size or mtime changed, which makes the file unreported again. */
        boolean update(FileStat seen, long now) {
            boolean changed = seen.size() != stat.size() || seen.mtimeMillis() != stat.mtimeMillis();
            stat = seen;
            if (changed) {
                changedAt = now;
                reported = false;
            }
            return changed;
        }
    }

    /** What a look changed. */
    sealed interface Change {}

    /** New or changed: wants a stability check. */
    record Pending(Entry entry) implements Change {}

    /** The file {@code entry} was at {@code from} and is now at {@code entry.relative}. */
    record Moved(Entry entry, String from) implements Change {}

    /** The file is no longer there (or no longer a regular file). */
    record Gone(Entry entry) implements Change {}

    /**
     * Which part of the tree a look covered: the paths themselves, whole folders, minus folders that could
     * not be read (what was known below them stays as it was).
     */
    record Scope(boolean everything, Set<String> paths, Set<String> trees, Set<String> unreadable) {

        static Scope everything(Set<String> unreadable) {
            return new Scope(true, Set.of(), Set.of(), unreadable);
        }

        boolean covers(String relative) {
            if (unreadable.contains("") || within(relative, unreadable)) {
                return false;
            }
            return everything || paths.contains(relative) || within(relative, trees);
        }

        private static boolean within(String relative, Set<String> folders) {
            if (folders.isEmpty()) {
                return false;
            }
            for (int slash = relative.indexOf('/'); slash >= 0; slash = relative.indexOf('/', slash + 1)) {
                if (folders.contains(relative.substring(0, slash))) {
                    return true;
                }
            }
            return false;
        }
    }

    private record Identity(Object fileKey, long size, long mtimeMillis) {}

    private final Map<String, Entry> entries = new HashMap<>();

    Entry get(String relative) {
        return entries.get(relative);
    }

    Collection<Entry> all() {
        return entries.values();
    }

    int size() {
        return entries.size();
    }

    /**
     * Applies a look at {@code scope}: {@code seen} holds every watched regular file found there. A tracked
     * file in scope but not seen is gone, unless a seen file under a new name has its file key, size and mtime,
     * in which case it moved.
     */
    List<Change> reconcile(Map<String, FileStat> seen, Scope scope, long now) {
        Map<String, Entry> vanished = new LinkedHashMap<>();
        Collection<Entry> candidates = scope.everything() || !scope.trees().isEmpty()
                ? entries.values()
                : scope.paths().stream().map(entries::get).filter(Objects::nonNull).toList();
        for (Entry e : candidates) {
            if (!seen.containsKey(e.relative) && scope.covers(e.relative)) {
                vanished.put(e.relative, e);
            }
        }
        Map<Identity, Entry> byIdentity = new HashMap<>();
        for (Entry e : vanished.values()) {
            if (e.stat.fileKey() != null) {
                byIdentity.put(identity(e.stat), e);
            }
        }
        List<Change> changes = new ArrayList<>();
        for (Map.Entry<String, FileStat> s : seen.entrySet()) {
            Entry known = entries.get(s.getKey());
            if (known != null) {
                if (known.update(s.getValue(), now)) {
                    changes.add(new Pending(known));
                }
                continue;
            }
            Entry moved = s.getValue().fileKey() == null ? null : byIdentity.remove(identity(s.getValue()));
            if (moved != null) {
                vanished.remove(moved.relative);
                entries.remove(moved.relative);
                String from = moved.relative;
                moved.relative = s.getKey();
                moved.stat = s.getValue();
                entries.put(moved.relative, moved);
                changes.add(new Moved(moved, from));
            } else {
                Entry fresh = new Entry(s.getKey(), s.getValue(), now);
                entries.put(fresh.relative, fresh);
                changes.add(new Pending(fresh));
            }
        }
        for (Entry e : vanished.values()) {
            entries.remove(e.relative);
            changes.add(new Gone(e));
        }
        return changes;
    }

    private static Identity identity(FileStat s) {
        return new Identity(s.fileKey(), s.size(), s.mtimeMillis());
    }
}

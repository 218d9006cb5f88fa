package fff.sender.watch;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link FolderWatcher.Listener} that writes down every call, as text and, for stable files, in full. */
final class RecordingListener implements FolderWatcher.Listener {

    private final List<String> log = new CopyOnWriteArrayList<>();
    private final List<WatchedFile> stable = new CopyOnWriteArrayList<>();
    private final List<Long> stableAtNanos = new CopyOnWriteArrayList<>();

    @Override
    public void stable(WatchedFile f) {
        stable.add(f);
        stableAtNanos.add(System.nanoTime());
        log.add("stable " + f.relative() + " " + f.size());
    }

    @Override
    public void removed(String relative) {
        log.add("removed " + relative);
    }

    @Override
    public void renamed(String fromRelative, String toRelative) {
        log.add("renamed " + fromRelative + " -> " + toRelative);
    }

    @Override
    public void error(String message) {
        log.add("error " + message);
    }

    @Override
    public void recovered(String message) {
        log.add("recovered " + message);
    }

    /** Every call so far, sorted, so files reported in any order compare equal. */
    List<String> sorted() {
        List<String> copy = new ArrayList<>(log);
        copy.sort(null);
        return copy;
    }

    List<String> log() {
        return List.copyOf(log);
    }

    boolean has(String line) {
        return log.contains(line);
    }

    long count(String prefix) {
        return log.stream().filter(l -> l.startsWith(prefix)).count();
    }

    Optional<WatchedFile> stable(String relative) {
        return stable.stream().filter(f -> f.relative().equals(relative)).findFirst();
    }

    long firstStableAtNanos() {
        return stableAtNanos.get(0);
    }
}

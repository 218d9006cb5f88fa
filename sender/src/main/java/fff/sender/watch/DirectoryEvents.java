package fff.sender.watch;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The {@link WatchService} side of a {@link FolderWatcher}: registers folders below the root and hands each
 * batch of events, named by '/'-separated relative paths, to the watcher's timer.
 *
 * <p>Threading: one daemon thread blocks in {@link WatchService#take()} and only drains and resets keys; it
 * hands every batch to the timer executor. The key-to-folder maps and {@link Sink} calls are used on the
 * timer thread only. {@link #close()} may be called from any thread.
 */
final class DirectoryEvents implements AutoCloseable {

    /** Receives events on the timer thread. */
    interface Sink {
        /** Something happened to these paths (entries of a watched folder). */
        void changed(List<String> relatives);

        /** Events were lost; only a full rescan can tell what happened. */
        void overflow();

        /** The folder at {@code relative} is no longer watched: deleted, moved away or unmounted. */
        void lost(String relative);
    }

    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final Path root;
    private final WatchService service;
    private final Executor timer;
    private final Sink sink;
    private final Thread poller;
    private final Map<WatchKey, String> folderOf = new HashMap<>();
    private final Map<String, WatchKey> keyOf = new HashMap<>();

    DirectoryEvents(Path root, Executor timer, Sink sink) throws IOException {
        this.root = root;
        this.service = root.getFileSystem().newWatchService();
        this.timer = timer;
        this.sink = sink;
        this.poller = new Thread(this::poll, "fff-watch " + root);
        poller.setDaemon(true);
        poller.start();
    }

    /** Watches the folder at {@code relative}; call before listing it so nothing created meanwhile is missed. */
    void register(String relative) throws IOException {
        Path dir = resolve(relative);
        WatchKey key = dir.register(service, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
        String known = folderOf.get(key);
        if (known != null && !known.equals(relative)) {
            // Same inode as a folder that moved: the service hands back the old key, which still names the
            // old path. Drop it and watch afresh under the new name.
            key.cancel();
            forget(known);
            key = dir.register(service, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
        }
        WatchKey previous = keyOf.put(relative, key);
        if (previous != null && previous != key) {
            previous.cancel();
            folderOf.remove(previous);
        }
        folderOf.put(key, relative);
    }

    /** Stops watching {@code relative} and folders below it that are no longer folders. */
    void dropGone(String relative) {
        if (!keyOf.containsKey(relative)) {
            return;
        }
        List<String> gone = new ArrayList<>();
        for (String folder : keyOf.keySet()) {
            boolean below = folder.equals(relative) || folder.startsWith(relative + "/");
            if (below && !Files.isDirectory(resolve(folder), NOFOLLOW)) {
                gone.add(folder);
            }
        }
        gone.forEach(this::cancel);
    }

    /** Stops watching every folder that is no longer a folder. */
    void dropAllGone() {
        List<String> gone = new ArrayList<>();
        for (String folder : keyOf.keySet()) {
            if (!Files.isDirectory(resolve(folder), folder.isEmpty() ? new LinkOption[0] : NOFOLLOW)) {
                gone.add(folder);
            }
        }
        gone.forEach(this::cancel);
    }

    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException ignored) {
            // closing releases the inotify instance; nothing else to do if that fails
        }
        poller.interrupt();
    }

    private void cancel(String relative) {
        WatchKey key = keyOf.remove(relative);
        if (key != null) {
            key.cancel();
            folderOf.remove(key);
        }
    }

    private void forget(String relative) {
        WatchKey key = keyOf.remove(relative);
        if (key != null) {
            folderOf.remove(key);
        }
    }

    private Path resolve(String relative) {
        return relative.isEmpty() ? root : root.resolve(relative);
    }

    private void poll() {
        try {
            while (true) {
                WatchKey key = service.take();
                List<WatchEvent<?>> events = key.pollEvents();
                boolean valid = key.reset();
                timer.execute(() -> deliver(key, events, valid));
            }
        } catch (InterruptedException | ClosedWatchServiceException | RejectedExecutionException e) {
            // closed: the watcher or its timer is shutting down
        }
    }

    private void deliver(WatchKey key, List<WatchEvent<?>> events, boolean valid) {
        String folder = folderOf.get(key);
        if (folder == null) {
            return; // cancelled meanwhile; whoever cancelled it rescans what it covered
        }
        List<String> changed = new ArrayList<>(events.size());
        boolean overflow = false;
        for (WatchEvent<?> event : events) {
            if (event.kind() == OVERFLOW) {
                overflow = true;
            } else {
                String name = event.context().toString();
                changed.add(folder.isEmpty() ? name : folder + "/" + name);
            }
        }
        if (!changed.isEmpty()) {
            sink.changed(changed);
        }
        if (overflow) {
            sink.overflow();
        }
        if (!valid && keyOf.get(folder) == key) {
            forget(folder);
            sink.lost(folder);
        }
    }
}

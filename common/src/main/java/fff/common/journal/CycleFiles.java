package fff.common.journal;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.RollingResourcesCache;
import net.openhft.chronicle.queue.impl.StoreFileListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The roll-cycle files of one journal directory: their size on disk, and retention (deleting whole files that
 * are no longer needed). A file's cycle comes from its name, parsed by Chronicle's own
 * {@link RollingResourcesCache}, so no date format is repeated here.
 *
 * <p>Also the queue's {@link StoreFileListener}: a cycle Chronicle has acquired (mapped, for an appender or a
 * tailer) and not yet released is never deleted. Listener calls may come from Chronicle's background
 * releaser thread, hence the concurrent map.
 */
final class CycleFiles implements StoreFileListener {

    private static final Logger log = LoggerFactory.getLogger(CycleFiles.class);
    static final String SUFFIX = ".cq4";

    private final Path dir;
    private final Map<Integer, Integer> held = new ConcurrentHashMap<>();
    private RollingResourcesCache names;

    CycleFiles(Path dir) {
        this.dir = dir;
    }

    /** Called once the queue is built and its epoch known. */
    void bind(RollCycle rollCycle, long epoch) {
        this.names = new RollingResourcesCache(rollCycle, epoch,
                name -> dir.resolve(name + SUFFIX).toFile(),
                file -> file.getName().substring(0, file.getName().length() - SUFFIX.length()));
    }

    @Override
    public void onAcquired(int cycle, File file) {
        held.merge(cycle, 1, Integer::sum);
    }

    @Override
    public void onReleased(int cycle, File file) {
        held.computeIfPresent(cycle, (c, n) -> n > 1 ? n - 1 : null);
    }

    /**
     * Deletes every cycle file whose cycle is below {@code cutoffCycle} and that Chronicle does not hold.
     * Returns how many were deleted; failures are logged and left for the next checkpoint.
     */
    int deleteBelow(int cutoffCycle) {
        int deleted = 0;
        for (Path p : list()) {
            Long cycle = cycleOf(p);
            if (cycle == null || cycle >= cutoffCycle) {
                continue;
            }
            if (held.containsKey(cycle.intValue())) {
                log.debug("journal retention keeps {}: still mapped", p.getFileName());
                continue;
            }
            try {
                Files.deleteIfExists(p);
                deleted++;
            } catch (IOException e) {
                log.warn("journal retention could not delete {}: {}", p, e.toString());
            }
        }
        return deleted;
    }

    /** Bytes of all journal files (roll cycles, Chronicle's metadata, the checkpoint file); apparent size. */
    long bytesOnDisk() {
        long total = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                try {
                    total += Files.size(p);
                } catch (IOException ignored) {
                    // deleted under us by retention: counts as nothing
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list journal directory " + dir, e);
        }
        return total;
    }

    private Long cycleOf(Path p) {
        try {
            return names.toLong(p.toFile());
        } catch (RuntimeException e) {
            return null; // not named like one of ours: leave it alone
        }
    }

    private List<Path> list() {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            List<Path> out = new ArrayList<>();
            ds.forEach(out::add);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list journal directory " + dir, e);
        }
    }
}

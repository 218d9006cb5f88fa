package fff.receiver.storage;

import fff.common.paths.DurableFiles;
import fff.common.paths.SafePaths;
import fff.proto.Reason;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Applies a source's deletes and renames to files already delivered into a {@link LandingArea}. Paths are
 * checked as for incoming files ({@link SafePath}); only regular files are touched, never directories, and no
 * symlink is followed out of the root. While an operation runs it claims its final paths in the landing area,
 * so it never races a stream receiving one of them: either side then gets {@code BUSY}.
 *
 * <p>Every method does blocking file I/O and must run on a disk executor, never on a Netty event loop.
 */
public final class MirrorEdits {

    private final LandingArea area;

    public MirrorEdits(LandingArea area) {
        this.area = area;
    }

    /**
     * Deletes the file at {@code wirePath} and any partial (and stripe sidecar) kept for it; returns false when there was no file
     * (nothing to do; a partial alone does not count). Refuses a directory or other non-file with
     * {@link Reason#BAD_PATH}.
     */
    public boolean remove(String wirePath) throws StorageRefusal, IOException {
        Path target = SafePath.resolve(area.root(), wirePath);
        claimOrBusy(target, wirePath);
        try {
            SafePath.checkNoSymlinkEscape(area.root(), target);
            BasicFileAttributes attrs = attributesOrNull(target);
            if (attrs != null) {
                requireRegularFile(attrs, wirePath, "removed");
            }
            boolean removed = attrs != null && Files.deleteIfExists(target);
            // holding the claim, no stream is writing this partial
            Path partial = SafePaths.partialFor(target);
            BasicFileAttributes p = attributesOrNull(partial);
            boolean partialRemoved = p != null && !p.isDirectory() && Files.deleteIfExists(partial);
            partialRemoved |= RangesFile.delete(SafePaths.rangesFor(target));
            if (removed || partialRemoved) {
                DurableFiles.fsyncDirectory(target.getParent());
            }
            return removed;
        } finally {
            area.release(target);
        }
    }

    /**
     * Moves the file at {@code fromWirePath} to {@code toWirePath} atomically, replacing a file there and
     * making parent directories; returns false when the two paths are the same (nothing to do). A missing source
     * is refused with {@link Reason#NOT_FOUND}.
     */
    public boolean rename(String fromWirePath, String toWirePath) throws StorageRefusal, IOException {
        Path from = SafePath.resolve(area.root(), fromWirePath);
        Path to = SafePath.resolve(area.root(), toWirePath);
        if (from.equals(to)) {
            claimOrBusy(from, fromWirePath);
            try {
                SafePath.checkNoSymlinkEscape(area.root(), from);
                requireSource(from, fromWirePath);
                return false;
            } finally {
                area.release(from);
            }
        }
        claimOrBusy(from, fromWirePath);
        try {
            claimOrBusy(to, toWirePath);
            try {
                SafePath.checkNoSymlinkEscape(area.root(), from);
                requireSource(from, fromWirePath);
                area.createDirectoriesSafely(to.getParent(), toWirePath);
                SafePath.checkNoSymlinkEscape(area.root(), to);
                BasicFileAttributes existing = attributesOrNull(to);
                if (existing != null && existing.isDirectory()) {
                    throw new StorageRefusal(Reason.BAD_PATH,
                            "cannot rename onto " + SafePath.quote(toWirePath) + ": it is a directory");
                }
                try {
                    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (NoSuchFileException e) {
                    throw notFound(fromWirePath); // deleted locally since the check
                } catch (AtomicMoveNotSupportedException e) {
                    throw new StorageRefusal(Reason.IO_ERROR, "cannot rename " + SafePath.quote(fromWirePath)
                            + " to " + SafePath.quote(toWirePath) + " atomically (different filesystems?)");
                }
                DurableFiles.fsyncDirectory(to.getParent());
                if (!to.getParent().equals(from.getParent())) {
                    DurableFiles.fsyncDirectory(from.getParent());
                }
                return true;
            } finally {
                area.release(to);
            }
        } finally {
            area.release(from);
        }
    }

    private void claimOrBusy(Path finalPath, String wirePath) throws StorageRefusal {
        if (!area.claim(finalPath)) {
            throw new StorageRefusal(Reason.BUSY, SafePath.quote(wirePath) + " is being received");
        }
    }

    private static void requireSource(Path from, String wirePath) throws StorageRefusal, IOException {
        BasicFileAttributes attrs = attributesOrNull(from);
        if (attrs == null) {
            throw notFound(wirePath);
        }
        requireRegularFile(attrs, wirePath, "renamed");
    }

    private static void requireRegularFile(BasicFileAttributes attrs, String wirePath, String verb)
            throws StorageRefusal {
        if (!attrs.isRegularFile()) {
            String what = attrs.isDirectory() ? "a directory" : attrs.isSymbolicLink() ? "a symlink" : "not a file";
            throw new StorageRefusal(Reason.BAD_PATH,
                    SafePath.quote(wirePath) + " is " + what + "; only files are " + verb);
        }
    }

    private static StorageRefusal notFound(String wirePath) {
        return new StorageRefusal(Reason.NOT_FOUND, "cannot rename " + SafePath.quote(wirePath) + ": no such file");
    }

    /** The attributes of {@code p} itself (a link is not followed), or null when nothing is there. */
    private static BasicFileAttributes attributesOrNull(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return null; // also when an ancestor is a file, where reading would fail with "not a directory"
        }
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}

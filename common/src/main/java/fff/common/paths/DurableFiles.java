package fff.common.paths;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;

/**
 * How a file written under a temporary name becomes visible only once it is whole and durable: positional
 * writes into the partial, then {@link #publish} (force, mtime, atomic rename, folder sync). Blocking file I/O:
 * call from a disk executor, never a Netty event loop.
 */
public final class DurableFiles {

    private DurableFiles() {}

    /** Writes all remaining bytes of {@code data} at {@code pos} of {@code ch}; the buffer's position is kept. */
    public static void writeAt(FileChannel ch, ByteBuffer data, long pos) throws IOException {
        ByteBuffer src = data.duplicate();
        while (src.hasRemaining()) {
            pos += ch.write(src, pos);
        }
    }

    /**
     * Makes {@code partial} durable through {@code ch} (closed here), gives it {@code mtimeMillis} (when &ge; 0)
     * and moves it atomically to {@code finalPath}, replacing a file there; then syncs the folder.
     */
    public static void publish(FileChannel ch, Path partial, Path finalPath, long mtimeMillis) throws IOException {
        try (ch) {
            ch.force(true);
        }
        if (mtimeMillis >= 0) {
            Files.setLastModifiedTime(partial, FileTime.fromMillis(mtimeMillis));
        }
        Files.move(partial, finalPath, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(finalPath.getParent());
    }

    /** Makes a rename or creation in {@code dir} durable; best effort. */
    public static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some filesystems (vfat on a USB stick among them) refuse to open or sync a directory; the rename happened
        }
    }
}

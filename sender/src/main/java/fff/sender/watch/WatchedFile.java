package fff.sender.watch;

import java.nio.file.Path;

/**
 * A file in a watch folder that has stopped changing, as the {@link FolderWatcher} last saw it.
 *
 * @param absolute    where the file is
 * @param relative    its path below the watched folder, names separated by '/'
 * @param size        its size in bytes
 * @param mtimeMillis its last-modified time, milliseconds since the epoch
 * @param fileKey     the file system's identity of the file (on Unix device and inode), or null where the
 *                    file system has none
 */
public record WatchedFile(Path absolute, String relative, long size, long mtimeMillis, Object fileKey) {}

package fff.sender.watch;

import java.nio.file.attribute.BasicFileAttributes;

/** What the watcher compares between two looks at a file: size and modification time, plus its identity. */
record FileStat(long size, long mtimeMillis, Object fileKey) {

    static FileStat of(BasicFileAttributes attributes) {
        return new FileStat(attributes.size(), attributes.lastModifiedTime().toMillis(), attributes.fileKey());
    }
}

package fff.sender.local;

import fff.common.hash.ContentHasher;
import fff.common.hash.FileDigests;
import fff.common.jobs.Delivery;
import fff.common.jobs.JobSpec;
import fff.common.paths.DurableFiles;
import fff.common.paths.SafePaths;
import fff.common.rate.RateLimiter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.function.LongConsumer;

/**
 * One attempt of a SEND job to a local folder, with the landing area's discipline: the bytes go to a hidden
 * partial ({@code .<name>.fff-partial}) beside the final path, hashed as read from the source and copied by the
 * kernel ({@link FileChannel#transferTo}); the partial gets the source's mtime, is forced to disk, re-read and
 * hashed, and only when both digests agree is it renamed over the final path (atomically, replacing a different
 * file there) and the folder synced.
 *
 * <p>A partial left by an interrupted attempt is continued from its last whole {@link ContentHasher#BLOCK_SIZE
 * block} when that prefix hashes the same as the source's (rsync's {@code --append-verify}), else started over.
 * A final file of the same size and digest is left as it is ("already present"). The source must keep the size
 * and mtime the job saw; it is checked before, during and after the copy.
 *
 * <p>Each buffer is copied only when the destination's {@link RateLimiter} allows it (its hashing reads are not
 * paced: they send nothing).
 *
 * <p>Blocking throughout; runs on the mover's threads. {@code buf} is the calling thread's direct buffer.
 */
final class LocalCopy {

    /** Stops a copy between two buffers: throws when the attempt was cancelled or the mover is closing. */
    interface Stop {
        void check() throws LocalFailure;
    }

    /** Copies at least this long check the free space first rather than fill the device and fail. */
    static final long SPACE_CHECK_BYTES = 16L << 20;

    private final Path root;
    private final JobSpec spec;
    private final ByteBuffer buf;
    private final Stop stop;
    private final LongConsumer progress;
    private final long progressEveryNanos;
    private final RateLimiter rate;

    LocalCopy(Path root, JobSpec spec, ByteBuffer buf, Stop stop, LongConsumer progress, long progressEveryNanos,
            RateLimiter rate) {
        this.rate = rate;
        this.root = root;
        this.spec = spec;
        this.buf = buf;
        this.stop = stop;
        this.progress = progress;
        this.progressEveryNanos = progressEveryNanos;
    }

    Delivery run() throws LocalFailure, IOException {
        Path finalPath = LocalPath.resolve(root, spec.remotePath());
        Path folder = finalPath.getParent();
        try {
            return copy(finalPath);
        } catch (IOException e) {
            if (diskFull(e)) {
                Files.deleteIfExists(SafePaths.partialFor(finalPath)); // room for others; a retry starts over
                throw LocalFailure.of("DISK_FULL", "no space left on the device of " + folder, true);
            }
            throw e;
        }
    }

    private Delivery copy(Path finalPath) throws LocalFailure, IOException {
        long size = spec.size();
        BasicFileAttributes source = sourceAttributes();
        LocalPath.createDirectories(root, finalPath.getParent(), spec.remotePath());
        LocalPath.checkNoSymlinkEscape(root, finalPath);
        BasicFileAttributes existing = attributesOrNull(finalPath);
        if (existing != null && existing.isDirectory()) {
            throw LocalFailure.of("BAD_PATH", SafePaths.quote(spec.remotePath()) + " exists and is a directory", false);
        }
        Path partial = SafePaths.partialFor(finalPath);
        BasicFileAttributes kept = attributesOrNull(partial);
        if (kept != null && kept.isSymbolicLink()) {
            Files.delete(partial); // a link planted at the partial's name must not redirect the write
        } else if (kept != null && !kept.isRegularFile()) {
            throw LocalFailure.of("BAD_PATH", "the partial file for " + SafePaths.quote(spec.remotePath())
                    + " is in the way (not a regular file)", false);
        }
        try (FileChannel in = openSource()) {
            if (existing != null && existing.isRegularFile() && existing.size() == size && samePresent(in, finalPath)) {
                Files.deleteIfExists(partial);
                return new Delivery(0, size, true);
            }
            long from;
            try (FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                ContentHasher read = new ContentHasher();
                ContentHasher written = new ContentHasher();
                from = resumable(in, out, read, written);
                // the store lookup reads the mount table: worth it before a big copy, not for every small file
                if (size - from >= SPACE_CHECK_BYTES
                        && Files.getFileStore(finalPath.getParent()).getUsableSpace() < size - from) {
                    throw new FileSystemException(partial.toString(), null, "No space left on device");
                }
                write(in, out, from, read, source);
                Files.setLastModifiedTime(partial, source.lastModifiedTime());
                out.force(true);
                feed(out, written, size);
                checkUnchanged(source);
                if (!ContentHasher.same(read.digest(), written.digest())) {
                    throw LocalFailure.of("HASH_MISMATCH", "written " + partial + " has digest "
                            + ContentHasher.hex(written.digest()) + ", source " + ContentHasher.hex(read.digest()), true);
                }
            }
            Files.move(partial, finalPath, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            DurableFiles.fsyncDirectory(finalPath.getParent());
            return new Delivery(size - from, from, false);
        } catch (LocalFailure f) {
            // these leave nothing worth continuing; after a plain I/O error or a shutdown the partial stays,
            // and the next attempt verifies and continues it
            String r = f.failure().reason();
            if (r.equals("CANCELLED") || r.equals("SOURCE_CHANGED") || r.equals("SOURCE_GONE")
                    || r.equals("HASH_MISMATCH")) {
                Files.deleteIfExists(partial);
            }
            throw f;
        }
    }

    /**
     * Offset to continue from: the block-aligned prefix of the kept partial when it hashes as the source's, with
     * both hashers fed up to it; else 0. The partial is cut to that offset.
     */
    private long resumable(FileChannel in, FileChannel out, ContentHasher read, ContentHasher written)
            throws LocalFailure, IOException {
        long have = out.size();
        long from = ContentHasher.blockFloor(Math.min(have, spec.size()));
        if (from > 0) {
            feed(out, written, from);
            feed(in, read, from);
            if (!ContentHasher.same(read.digest(), written.digest())) {
                read.reset();
                written.reset();
                from = 0;
            }
        }
        if (have > from) {
            out.truncate(from);
        }
        return from;
    }

    /** Copies source bytes {@code [from, size)} to the partial, hashing them as read; reports progress. */
    private void write(FileChannel in, FileChannel out, long from, ContentHasher read, BasicFileAttributes source)
            throws LocalFailure, IOException {
        long size = spec.size();
        long pos = from;
        long reported = System.nanoTime();
        while (pos < size) {
            stop.check();
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), size - pos));
            if (!rate.acquire(buf.limit(), this::stopping)) {
                stop.check();
                throw new InterruptedIOException("copy interrupted while waiting for the rate limit");
            }
            int n = in.read(buf, pos);
            if (n < 0) {
                throw changed("it ended at byte " + pos + " of " + size);
            }
            buf.flip();
            read.update(buf);
            // the kernel copies the range just hashed (sendfile): writing it from our buffer instead cost up to
            // 2.8 CPU s per GiB on a VM (docs/BENCHMARKS.md, #6). Should the source change between the hash and
            // the copy, the read-back after fsync no longer matches and nothing is renamed.
            long end = pos + n;
            while (pos < end) {
                out.position(pos);
                long t = in.transferTo(pos, end - pos, out);
                if (t <= 0) {
                    throw changed("it ended at byte " + pos + " of " + size);
                }
                pos += t;
            }
            long now = System.nanoTime();
            if (now - reported >= progressEveryNanos) {
                reported = now;
                checkUnchanged(source);
                progress.accept(pos);
            }
        }
        progress.accept(pos);
    }

    /** Whether the attempt was told to stop (for the rate limiter's wait, which cannot throw). */
    private boolean stopping() {
        try {
            stop.check();
            return false;
        } catch (LocalFailure stopped) {
            return true;
        }
    }

    /** True when the present final file has the source's digest. */
    private boolean samePresent(FileChannel in, Path finalPath) throws LocalFailure, IOException {
        ContentHasher theirs = new ContentHasher();
        ContentHasher ours = new ContentHasher();
        try (FileChannel ch = FileChannel.open(finalPath, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            feed(ch, theirs, spec.size());
        }
        feed(in, ours, spec.size());
        return ContentHasher.same(theirs.digest(), ours.digest());
    }

    /** Feeds bytes {@code [hasher.length(), end)} of {@code ch}, stoppable between buffers. */
    private void feed(FileChannel ch, ContentHasher hasher, long end) throws LocalFailure, IOException {
        for (long pos = hasher.length(); pos < end; pos = hasher.length()) {
            stop.check();
            FileDigests.feed(ch, hasher, Math.min(end, pos + buf.capacity()), buf);
        }
    }

    private FileChannel openSource() throws LocalFailure, IOException {
        try {
            return FileChannel.open(spec.source(), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw gone();
        }
    }

    /** The source's attributes, refused when they are not what the job saw. */
    private BasicFileAttributes sourceAttributes() throws LocalFailure, IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(spec.source(), BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw gone();
        }
        if (!a.isRegularFile()) {
            throw LocalFailure.of("SOURCE_GONE", "source " + spec.source() + " is no longer a file", false);
        }
        if (a.size() != spec.size() || a.lastModifiedTime().toMillis() != spec.mtimeMillis()) {
            throw changed("it now has " + a.size() + " bytes, mtime " + a.lastModifiedTime());
        }
        return a;
    }

    private void checkUnchanged(BasicFileAttributes before) throws LocalFailure, IOException {
        BasicFileAttributes now;
        try {
            now = Files.readAttributes(spec.source(), BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw gone();
        }
        if (now.size() != before.size() || !now.lastModifiedTime().equals(before.lastModifiedTime())) {
            throw changed("it now has " + now.size() + " bytes, mtime " + now.lastModifiedTime());
        }
    }

    private LocalFailure changed(String how) {
        return LocalFailure.of("SOURCE_CHANGED", "source " + spec.source() + " changed since the job saw it ("
                + spec.size() + " bytes, mtime " + FileTime.fromMillis(spec.mtimeMillis()) + "): " + how, true);
    }

    private LocalFailure gone() {
        return LocalFailure.of("SOURCE_GONE", "source " + spec.source() + " no longer exists", false);
    }

    static boolean diskFull(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("No space left on device")) {
                return true;
            }
        }
        return false;
    }

    /** The attributes of {@code p} itself (a link is not followed), or null when nothing is there. */
    static BasicFileAttributes attributesOrNull(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}

package fff.receiver.storage;

import fff.common.hash.ContentHasher;
import fff.common.hash.FileDigests;
import fff.common.paths.DurableFiles;
import fff.common.paths.SafePaths;
import fff.proto.Reason;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Where received files land. A file is written to a hidden partial next to its final path
 * ({@code .<name>.fff-partial}), hashed while written, and renamed into place only after the size and content
 * digest match the sender's; a partial kept after an interruption is resumed from its last whole
 * {@link ContentHasher#BLOCK_SIZE block}.
 *
 * <p>A large file may also arrive striped: its parts on several streams at once ({@link #beginStripe}), written
 * into the one partial at their offsets, with a sidecar ({@link RangesFile}) saying which ranges are held and
 * verified, and renamed into place when verified parts cover it ({@link StripedFile}).
 *
 * <p>Every method does blocking file I/O (including hashing whole files) and must run on a disk executor,
 * never on a Netty event loop. Instances are thread-safe; each {@link Incoming} is used by one thread at a time.
 */
public final class LandingArea {

    private final Path root;
    private final long reserveBytes;
    /** The root's filesystem, looked up once: the lookup reads the mount table, too slow for every file. */
    private final FileStore store;
    /** Final paths with an open {@link Incoming}, {@link Claim}, mirror edit or {@link StripedFile}. */
    private final Set<Path> claims = ConcurrentHashMap.newKeySet();
    /** Files with open part streams; its monitor guards it and each file's {@link StripedFile#openStarts}. */
    private final Map<Path, StripedFile> striped = new HashMap<>();
    /** Starts writeback of large files while they arrive, so the fsync before the rename finds little left. */
    private static final ExecutorService FLUSHER =
            Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "fff-writeback");
                t.setDaemon(true);
                return t;
            });

    /** Asks for the written part of {@code ch} to reach the disk, off the writing thread; best effort. */
    void writeBackSoon(FileChannel ch, AtomicBoolean pending) {
        if (pending.compareAndSet(false, true)) {
            FLUSHER.execute(() -> {
                try {
                    ch.force(false);
                } catch (IOException e) {
                    // closed meanwhile, or the disk refused: the fsync before the rename decides
                } finally {
                    pending.set(false);
                }
            });
        }
    }

    public LandingArea(Path root, long reserveBytes) throws IOException {
        if (reserveBytes < 0) {
            throw new IllegalArgumentException("reserveBytes must be >= 0, was " + reserveBytes);
        }
        Files.createDirectories(root);
        this.root = root.toAbsolutePath().normalize();
        this.reserveBytes = reserveBytes;
        this.store = Files.getFileStore(this.root);
    }

    public Path root() {
        return root;
    }

    public long reserveBytes() {
        return reserveBytes;
    }

    /**
     * Claims {@code wirePath} for one incoming stream and finds where it can start: the whole file if it is
     * already present with this size, the block-aligned prefix of a kept partial, or nothing.
     */
    public Incoming begin(String wirePath, long size, long mtimeMillis) throws StorageRefusal, IOException {
        if (size < 0) {
            throw new StorageRefusal(Reason.PROTOCOL_ERROR, "negative size " + size + " for " + SafePath.quote(wirePath));
        }
        Path finalPath = claimFinal(wirePath);
        FileChannel channel = null;
        try {
            Path partial = SafePaths.partialFor(finalPath);
            StripedFile.foldIntoPrefix(finalPath, size);
            boolean present = Files.isRegularFile(finalPath, LinkOption.NOFOLLOW_LINKS)
                    && Files.size(finalPath) == size;
            long partialLen = present ? -1 : existingPartialLength(partial, wirePath);
            long resumable = partialLen < 0 ? 0 : ContentHasher.blockFloor(Math.min(partialLen, size));
            checkSpace(present ? 0 : size - resumable);

            ContentHasher hasher = new ContentHasher();
            if (present) {
                try (FileChannel ch = FileChannel.open(finalPath, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                    FileDigests.feed(ch, hasher, size);
                }
                return new Incoming(this, finalPath, partial, size, mtimeMillis, true, null, hasher);
            }
            channel = Incoming.openPartial(partial);
            if (partialLen >= 0) {
                channel.truncate(resumable);
                FileDigests.feed(channel, hasher, resumable);
            }
            return new Incoming(this, finalPath, partial, size, mtimeMillis, false, channel, hasher);
        } catch (StorageRefusal | IOException | RuntimeException | Error e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            release(finalPath);
            throw e;
        }
    }

    /**
     * Claims part [offset, offset + length) of {@code wirePath} (whole size {@code size}) for one incoming stream
     * and finds where it can start: the part's end when the final file is present with this size, what is held
     * of the part in the file's partial, or its offset. Parts of one file (same path and size) may be open at once
     * on different threads and share one partial; a second stream for the same part, a part of a file being
     * received unstriped (or with another size) and an unstriped {@link #begin} of a file with open parts are
     * {@code BUSY}.
     */
    public StreamSink beginStripe(String wirePath, long size, long mtimeMillis, long offset, long length)
            throws StorageRefusal, IOException {
        checkStripe(wirePath, size, offset, length);
        Path finalPath = SafePath.resolve(root, wirePath);
        StripedFile file = joinStripe(finalPath, wirePath, size, offset);
        try {
            return file.open(offset, offset + length, mtimeMillis);
        } catch (StorageRefusal | IOException | RuntimeException | Error e) {
            try {
                leaveStripe(file, offset);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static void checkStripe(String wirePath, long size, long offset, long length) throws StorageRefusal {
        String problem = null;
        long end = offset + length;
        if (size < 0) {
            problem = "negative size " + size;
        } else if (offset < 0 || offset % ContentHasher.BLOCK_SIZE != 0) {
            problem = "offset " + offset + " is not a multiple of the block size " + ContentHasher.BLOCK_SIZE;
        } else if (length <= 0) {
            problem = "length " + length + " is not positive";
        } else if (end < 0 || end > size) {
            problem = "[" + offset + ", " + offset + " + " + length + ") goes beyond the size " + size;
        } else if (end % ContentHasher.BLOCK_SIZE != 0 && end != size) {
            problem = "end " + end + " is neither a multiple of the block size " + ContentHasher.BLOCK_SIZE
                    + " nor the size " + size;
        }
        if (problem != null) {
            throw new StorageRefusal(Reason.PROTOCOL_ERROR,
                    "bad stripe of " + SafePath.quote(wirePath) + ": " + problem);
        }
    }

    private StripedFile joinStripe(Path finalPath, String wirePath, long size, long offset)
            throws StorageRefusal, IOException {
        synchronized (striped) {
            StripedFile file = striped.get(finalPath);
            if (file == null) {
                claimFinal(wirePath);
                try {
                    file = StripedFile.load(this, finalPath, size, wirePath);
                } catch (StorageRefusal | IOException | RuntimeException | Error e) {
                    release(finalPath);
                    throw e;
                }
                striped.put(finalPath, file);
            } else if (file.size != size) {
                throw new StorageRefusal(Reason.BUSY, SafePath.quote(wirePath) + " is being received with size "
                        + file.size + ", not " + size);
            } else if (!file.joinable()) {
                throw new StorageRefusal(Reason.BUSY, SafePath.quote(wirePath)
                        + " is being cancelled or completed by its other parts");
            }
            if (!file.openStarts.add(offset)) {
                throw new StorageRefusal(Reason.BUSY, "the part at " + offset + " of " + SafePath.quote(wirePath)
                        + " is already being received");
            }
            return file;
        }
    }

    /** One part stream of {@code file} ended; the last one closes the file and releases its claim. */
    void leaveStripe(StripedFile file, long offset) throws IOException {
        synchronized (striped) {
            if (!file.openStarts.remove(offset) || !file.openStarts.isEmpty()) {
                return;
            }
            striped.remove(file.finalPath, file);
            try {
                file.closeLast();
            } finally {
                release(file.finalPath);
            }
        }
    }

    /**
     * Resolves {@code wirePath} safely under the root, claims it (BUSY while another stream has it), makes its
     * folders and checks nothing there leads out of the root and it is not a directory. Released on refusal.
     */
    private Path claimFinal(String wirePath) throws StorageRefusal, IOException {
        Path finalPath = SafePath.resolve(root, wirePath);
        if (!claims.add(finalPath)) {
            throw new StorageRefusal(Reason.BUSY, SafePath.quote(wirePath) + " is already being received");
        }
        try {
            createDirectoriesSafely(finalPath.getParent(), wirePath);
            SafePath.checkNoSymlinkEscape(root, finalPath);
            if (Files.isDirectory(finalPath, LinkOption.NOFOLLOW_LINKS)) {
                throw new StorageRefusal(Reason.BAD_PATH, SafePath.quote(wirePath) + " exists and is a directory");
            }
            return finalPath;
        } catch (StorageRefusal | IOException | RuntimeException | Error e) {
            release(finalPath);
            throw e;
        }
    }

    /**
     * Claims {@code wirePath} for a file another program writes (a receiving ffmpeg): makes its folders, checks
     * room for {@code expectedBytes}, removes a leftover partial (such output is never resumed), and returns
     * where to write and how to publish it.
     */
    public Claim claimOutput(String wirePath, long expectedBytes) throws StorageRefusal, IOException {
        Path finalPath = claimFinal(wirePath);
        try {
            Path partial = SafePaths.partialFor(finalPath);
            existingPartialLength(partial, wirePath); // refuses a directory or device in the way
            Files.deleteIfExists(partial); // a link planted there is removed, not followed
            RangesFile.delete(SafePaths.rangesFor(finalPath));
            deleteRegularFile(SafePaths.sourceFor(finalPath)); // a conversion's source from an earlier run
            checkSpace(expectedBytes);
            return new Claim(finalPath, partial);
        } catch (StorageRefusal | IOException | RuntimeException | Error e) {
            release(finalPath);
            throw e;
        }
    }

    /** Deletes {@code p} when it is a regular file (a link there is removed, not followed); anything else stays. */
    private static void deleteRegularFile(Path p) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if (a.isRegularFile() || a.isSymbolicLink()) {
            Files.deleteIfExists(p);
        }
    }

    /** A final path claimed for output written by another program into {@link #partial()}. */
    public final class Claim {
        private final Path finalPath;
        private final Path partial;
        private boolean released;

        private Claim(Path finalPath, Path partial) {
            this.finalPath = finalPath;
            this.partial = partial;
        }

        public Path finalPath() {
            return finalPath;
        }

        public Path partial() {
            return partial;
        }

        /** Makes the partial durable and moves it to the final path (replacing a file there); releases. */
        public void publish(long mtimeMillis) throws IOException {
            try {
                DurableFiles.publish(FileChannel.open(partial, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), partial,
                        finalPath, mtimeMillis);
            } finally {
                releaseOnce();
            }
        }

        /** Deletes the partial and releases; the final path is never touched. */
        public void discard() throws IOException {
            try {
                Files.deleteIfExists(partial);
            } finally {
                releaseOnce();
            }
        }

        private synchronized void releaseOnce() {
            if (!released) {
                released = true;
                release(finalPath);
            }
        }
    }

    /** Creates the directory {@code wirePath} (and its parents) under the root. */
    public void makeDirectory(String wirePath) throws StorageRefusal, IOException {
        createDirectoriesSafely(SafePath.resolve(root, wirePath), wirePath);
    }

    /**
     * Deletes partial files (and stripe sidecars, {@link SafePaths#rangesFor}) last modified longer than
     * {@code olderThan} ago and not being received; returns how many. A sidecar goes with its partial: while the
     * partial is there, only the partial's age counts, so a partial is never left without its sidecar.
     */
    public int cleanStalePartials(Duration olderThan) throws IOException {
        long cutoff = System.currentTimeMillis() - olderThan.toMillis();
        int[] deleted = {0};
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                String name = file.getFileName().toString();
                if (attrs.isRegularFile() && SafePaths.isPartialName(name)
                        && attrs.lastModifiedTime().toMillis() < cutoff) {
                    Path owner = SafePaths.ownerOf(file);
                    Path partial = SafePaths.partialFor(owner);
                    if (claims.contains(owner)
                            || (!file.equals(partial) && Files.exists(partial, LinkOption.NOFOLLOW_LINKS))) {
                        return FileVisitResult.CONTINUE;
                    }
                    try {
                        if (Files.deleteIfExists(file)) {
                            deleted[0]++;
                        }
                        if (file.equals(partial) && RangesFile.delete(SafePaths.rangesFor(owner))) {
                            deleted[0]++;
                        }
                    } catch (IOException e) {
                        // Left for the next sweep; one unreadable corner must not stop the rest.
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                return FileVisitResult.CONTINUE;
            }
        });
        return deleted[0];
    }

    /** Claims {@code finalPath} for one operation; false when an incoming stream or another operation holds it. */
    boolean claim(Path finalPath) {
        return claims.add(finalPath);
    }

    void release(Path finalPath) {
        claims.remove(finalPath);
    }

    void createDirectoriesSafely(Path dir, String wirePath) throws StorageRefusal, IOException {
        SafePath.checkNoSymlinkEscape(root, dir);
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException | NotDirectoryException e) {
            throw new StorageRefusal(Reason.BAD_PATH,
                    "cannot make directories for " + SafePath.quote(wirePath) + ": a file is in the way");
        }
        // Again after creating: a link could have appeared between the check and the mkdir.
        SafePath.checkNoSymlinkEscape(root, dir);
    }

    /** Length of a usable partial, or -1 when there is none; a stray non-file at the partial's name is refused. */
    static long existingPartialLength(Path partial, String wirePath) throws StorageRefusal, IOException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(partial, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return -1;
        }
        if (attrs.isSymbolicLink()) {
            Files.delete(partial);
            return -1;
        }
        if (!attrs.isRegularFile()) {
            throw new StorageRefusal(Reason.BAD_PATH,
                    "the partial file for " + SafePath.quote(wirePath) + " is in the way (not a regular file)");
        }
        return attrs.size();
    }

    void checkSpace(long bytesStillNeeded) throws StorageRefusal, IOException {
        long usable = store.getUsableSpace();
        if (usable - bytesStillNeeded < reserveBytes) {
            throw new StorageRefusal(Reason.DISK_FULL, "needs " + humanBytes(bytesStillNeeded) + ", "
                    + humanBytes(usable) + " free, reserve " + humanBytes(reserveBytes));
        }
    }

    /** Decimal units, one decimal place: "1.2 GB", "800 MB", "17 B". */
    static String humanBytes(long bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
        double v = bytes;
        int u = 0;
        while (Math.abs(v) >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        String s = u == 0 ? Long.toString(bytes) : String.format(Locale.ROOT, "%.1f", v);
        if (s.endsWith(".0")) {
            s = s.substring(0, s.length() - 2);
        }
        return s + " " + units[u];
    }
}

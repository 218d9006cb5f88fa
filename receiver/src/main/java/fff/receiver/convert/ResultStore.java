package fff.receiver.convert;

import fff.common.config.ByteSize;
import fff.common.config.Durations;
import fff.common.hash.ContentHasher;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Conversion results kept for a while, so that the same request again (a retry, another job of the same
 * source) is answered without converting. One file per result, named {@code KEYID.DIGEST.result}
 * ({@link ResultKey#id}, the result's content digest in hex): renamed in whole, so a file of that form is a
 * complete result and its digest comes with it. Conversions write {@code .partial-KEYID-N} files here first;
 * those are removed at start-up. The modification time is the last use.
 *
 * <p>Budget: results unused for longer than {@code maxAge}, then the least recently used beyond
 * {@code maxBytes} in all, are removed when a result is added and at start-up; never one that is
 * {@linkplain #lease leased} (being returned).
 *
 * <p>Blocking (file-system work): call from disk or convert threads, never an event loop. Thread-safe.
 */
public final class ResultStore {

    private static final Logger LOG = LoggerFactory.getLogger(ResultStore.class);
    static final String PARTIAL_PREFIX = ".partial-";
    private static final Pattern RESULT = Pattern.compile("([0-9a-f]{64})\\.([0-9a-f]{32,128})\\.result");

    private final Path dir;
    private final long maxBytes;
    private final Duration maxAge;
    private final Clock clock;
    private final AtomicLong partials = new AtomicLong();
    /** By key id; guarded by {@code this}. */
    private final Map<String, Entry> entries = new HashMap<>();

    private static final class Entry {
        final String id;
        final Path path;
        final long size;
        final byte[] digest;
        long lastUse;
        int leases;

        Entry(String id, Path path, long size, byte[] digest, long lastUse) {
            this.id = id;
            this.path = path;
            this.size = size;
            this.digest = digest;
            this.lastUse = lastUse;
        }
    }

    private ResultStore(Path dir, long maxBytes, Duration maxAge, Clock clock) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    /** Opens the store in {@code dir} (made if missing): removes partials left behind, indexes, applies the budget. */
    public static ResultStore open(Path dir, long maxBytes, Duration maxAge, Clock clock) throws IOException {
        ResultStore s = new ResultStore(dir, maxBytes, maxAge, clock);
        Files.createDirectories(dir);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                Matcher m = RESULT.matcher(name);
                if (name.startsWith(PARTIAL_PREFIX)) {
                    Files.deleteIfExists(f);
                    LOG.info("removed the unfinished conversion result {}", f);
                } else if (m.matches() && Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                    s.entries.put(m.group(1), new Entry(m.group(1), f, Files.size(f),
                            HexFormat.of().parseHex(m.group(2)),
                            Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS).toMillis()));
                }
            }
        }
        s.prune();
        return s;
    }

    /** The stored result of {@code key}, held against removal until the lease is closed; null when none. */
    public Lease lease(ResultKey key) {
        Entry e;
        synchronized (this) {
            e = entries.get(key.id());
            if (e == null) {
                return null;
            }
            if (!Files.isRegularFile(e.path, LinkOption.NOFOLLOW_LINKS)) {
                entries.remove(e.id);
                LOG.warn("conversion result {} was removed from the store by someone else", e.path);
                return null;
            }
            e.leases++;
            e.lastUse = clock.millis();
        }
        touch(e);
        return new Lease(e);
    }

    /** A fresh name for a conversion's output before it is {@link #add}ed. */
    public Path partial(ResultKey key) {
        return dir.resolve(PARTIAL_PREFIX + key.id() + "-" + partials.incrementAndGet());
    }

    /**
     * Makes {@code partial} (whose content digest is {@code digest}) durable and the stored result of
     * {@code key}, then applies the budget. When the key has a result already (a conversion of the same source
     * finished first), that one stays and {@code partial} is deleted. Returns a lease on the stored result.
     */
    public Lease add(ResultKey key, Path partial, byte[] digest) throws IOException {
        String id = key.id();
        Path target = dir.resolve(id + "." + ContentHasher.hex(digest) + ".result");
        try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            ch.force(true);
        }
        Lease lease;
        synchronized (this) {
            lease = lease(key);
            if (lease == null) {
                move(partial, target);
                Entry e = new Entry(id, target, Files.size(target), digest.clone(), clock.millis());
                e.leases = 1;
                entries.put(id, e);
                lease = new Lease(e);
            } else {
                Files.deleteIfExists(partial);
            }
        }
        touch(lease.entry);
        prune();
        return lease;
    }

    /** Removes the result of {@code key} (its file proved bad), leased or not. */
    public void remove(ResultKey key) {
        Entry e;
        synchronized (this) {
            e = entries.remove(key.id());
        }
        if (e != null) {
            delete(e, "it proved bad");
        }
    }

    /** Bytes of all stored results. */
    public synchronized long bytes() {
        return entries.values().stream().mapToLong(e -> e.size).sum();
    }

    public synchronized int count() {
        return entries.size();
    }

    /** Removes results unused for longer than the maximum age, then the least recently used beyond the size. */
    public void prune() {
        List<Entry> gone = new ArrayList<>();
        synchronized (this) {
            long oldest = clock.millis() - maxAge.toMillis();
            List<Entry> byUse = new ArrayList<>(entries.values());
            byUse.sort(Comparator.comparingLong((Entry e) -> e.lastUse).thenComparing(e -> e.id));
            long total = bytes();
            for (Entry e : byUse) {
                if (e.leases > 0) {
                    continue;
                }
                if (e.lastUse < oldest || total > maxBytes) {
                    entries.remove(e.id);
                    total -= e.size;
                    gone.add(e);
                }
            }
        }
        for (Entry e : gone) {
            delete(e, "over the store's budget of " + ByteSize.format(maxBytes) + " and "
                    + Durations.format(maxAge));
        }
    }

    private void release(Entry e) {
        synchronized (this) {
            e.leases--;
        }
    }

    private void touch(Entry e) {
        try {
            Files.setLastModifiedTime(e.path, FileTime.fromMillis(clock.millis()));
        } catch (IOException ex) {
            LOG.debug("cannot mark {} as used: {}", e.path, ex.toString());
        }
    }

    private static void delete(Entry e, String why) {
        try {
            Files.deleteIfExists(e.path);
            LOG.info("removed the conversion result {} ({})", e.path.getFileName(), why);
        } catch (IOException ex) {
            LOG.warn("cannot remove the conversion result {}: {}", e.path, ex.toString());
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** A stored result held against removal while it is returned. Close once; idempotent. */
    public final class Lease implements AutoCloseable {
        private final Entry entry;
        private boolean closed;

        private Lease(Entry entry) {
            this.entry = entry;
        }

        public Path path() {
            return entry.path;
        }

        public long size() {
            return entry.size;
        }

        public byte[] digest() {
            return entry.digest.clone();
        }

        @Override
        public void close() {
            synchronized (ResultStore.this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            release(entry);
        }
    }
}

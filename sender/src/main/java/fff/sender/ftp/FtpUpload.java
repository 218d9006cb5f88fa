package fff.sender.ftp;

import fff.common.hash.ContentHasher;
import fff.common.jobs.Delivery;
import fff.common.jobs.Failure;
import fff.common.jobs.JobSpec;
import fff.common.rate.RateLimiter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt to upload one file: into the target's folder under {@code .NAME.fff-part}, continued with REST
 * where an earlier attempt left that file (when the server can), checked (size, and a server-side hash where
 * FEAT offers one), then renamed to NAME. Every byte read is hashed on its way out (the project's content hash,
 * plus the server's kind when there is one). Each chunk goes only when the destination's {@link RateLimiter}
 * allows it.
 */
final class FtpUpload {

    private static final Logger log = LoggerFactory.getLogger(FtpUpload.class);
    static final String PART_SUFFIX = ".fff-part";
    private static final int CHUNK = 256 * 1024;
    /** A chunk sent from direct memory: one block of the content hash. */
    private static final int DIRECT_CHUNK = ContentHasher.BLOCK_SIZE;
    private static final long PROGRESS_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** An attempt that ends without an FTP problem: the source, a check, or a cancel. */
    static final class Refused extends Exception {
        final Failure failure;
        /** The partial upload is worthless: remove it. */
        final boolean dropPart;

        Refused(Failure failure, boolean dropPart) {
            super(failure.message(), null, false, false);
            this.failure = failure;
            this.dropPart = dropPart;
        }
    }

    private final FtpSession session;
    private final JobSpec spec;
    private final BooleanSupplier cancelled;
    private final LongConsumer progress;
    private final LongConsumer sent;
    private final RateLimiter rate;
    final String target;
    final String part;

    /** {@code sent} hears every chunk that went out; {@code progress} the bytes on the server, every ~100 ms. */
    FtpUpload(FtpSession session, JobSpec spec, BooleanSupplier cancelled, LongConsumer progress, LongConsumer sent,
            RateLimiter rate) {
        this.rate = rate;
        this.session = session;
        this.spec = spec;
        this.cancelled = cancelled;
        this.progress = progress;
        this.sent = sent;
        this.target = session.location().resolve(spec.remotePath());
        int slash = target.lastIndexOf('/');
        this.part = target.substring(0, slash + 1) + "." + target.substring(slash + 1) + PART_SUFFIX;
    }

    /** Bytes this attempt put on the wire so far. */
    private long wire;

    long wireBytes() {
        return wire;
    }

    Delivery run() throws IOException, Refused {
        checkSource("before the upload");
        session.mkdirs(FtpSession.parent(target));
        ServerHash hash = ServerHash.offered(session);
        if (hash != null && session.size(target) == spec.size()) {
            ServerHash.Local whole = hash.local();
            try (FileChannel ch = FileChannel.open(spec.source(), StandardOpenOption.READ)) {
                feed(ch, spec.size(), whole, null);
            }
            String remote = hash.remote(session, target);
            if (whole.hex().equals(remote)) {
                progress.accept(spec.size());
                return new Delivery(0, 0, true);
            }
        }
        long partSize = session.size(part);
        long from = partSize > 0 && partSize <= spec.size() && session.restStream() ? partSize : 0;
        ContentHasher content = new ContentHasher();
        ServerHash.Local local = hash == null ? null : hash.local();
        long pos;
        try (FileChannel ch = FileChannel.open(spec.source(), StandardOpenOption.READ)) {
            feed(ch, from, local, content);
            pos = send(ch, from, local, content);
        }
        if (cancelled.getAsBoolean()) {
            throw new Refused(Failure.of("CANCELLED", "cancelled", false), true);
        }
        checkSource("during the upload");
        if (pos != spec.size()) {
            throw new Refused(Failure.of("SOURCE_CHANGED", spec.source() + " ended at " + pos + " of "
                    + spec.size() + " bytes during the upload", true), true);
        }
        long remoteSize = session.size(part);
        if (remoteSize != spec.size()) {
            throw new Refused(Failure.of("SIZE_MISMATCH", session.location() + ": " + part + " holds " + remoteSize
                    + " bytes after the upload, expected " + spec.size(), true), true);
        }
        if (hash != null) {
            String remote = hash.remote(session, part);
            String mine = local.hex();
            if (remote == null) {
                log.debug("{}: {} gave no hash of {}", session.location(), hash.describe(), part);
            } else if (!remote.equals(mine)) {
                throw new Refused(Failure.of("HASH_MISMATCH", session.location() + ": " + hash.describe() + " of "
                        + part + " is " + remote + ", the source's is " + mine, true), true);
            }
        } else {
            log.debug("{}: server offers no HASH, XMD5, MD5 or XCRC; {} checked by size only", session.location(),
                    target);
        }
        moveIntoPlace();
        log.debug("{} -> {}{}: {} bytes, content {}", spec.source(), session.location(), target, spec.size(),
                ContentHasher.hex(content.digest()));
        return new Delivery(wire, from, false);
    }

    /**
     * Sends {@code [from, size)} of {@code ch}; returns where it stopped (short of the size when cancelled). Each
     * chunk is read once into memory of our own, hashed there and sent from there, so the bytes sent are the
     * bytes hashed. With a data channel the chunk is a direct buffer written to the socket as it is (no copy
     * into and out of a heap array), read in {@link ContentHasher#BLOCK_SIZE} pieces on block boundaries so that
     * the content hash reads it in place.
     */
    private long send(FileChannel ch, long from, ServerHash.Local local, ContentHasher content) throws IOException {
        long pos = from;
        long lastReport = System.nanoTime();
        progress.accept(pos);
        OutputStream out = session.store(part, from);
        SocketChannel channel = session.dataChannel();
        ByteBuffer bb = channel != null ? ByteBuffer.allocateDirect(DIRECT_CHUNK) : ByteBuffer.allocate(CHUNK);
        try {
            while (pos < spec.size() && !cancelled.getAsBoolean()) {
                int want = channel != null ? DIRECT_CHUNK - (int) (pos % DIRECT_CHUNK) : CHUNK;
                bb.clear().limit((int) Math.min(want, spec.size() - pos));
                if (!rate.acquire(bb.limit(), cancelled)) {
                    if (cancelled.getAsBoolean()) {
                        break;
                    }
                    throw new InterruptedIOException("upload interrupted while waiting for the rate limit");
                }
                int n = ch.read(bb, pos);
                if (n < 0) {
                    break;
                }
                bb.flip();
                if (local != null) {
                    local.update(bb);
                }
                content.update(bb);
                if (channel != null) {
                    while (bb.hasRemaining()) {
                        channel.write(bb);
                    }
                } else {
                    out.write(bb.array(), 0, n);
                }
                pos += n;
                wire += n;
                sent.accept(n);
                long now = System.nanoTime();
                if (pos - n == from || now - lastReport >= PROGRESS_EVERY_NANOS) { // the first chunk, then paced
                    lastReport = now;
                    progress.accept(pos);
                }
            }
            out.close();
        } catch (IOException e) {
            throw session.dropped("STOR", part, e);
        }
        session.finish("STOR", part);
        progress.accept(pos);
        return pos;
    }

    /** RNFR/RNTO onto the final name; a server that will not overwrite gets the old file deleted first. */
    private void moveIntoPlace() throws IOException {
        try {
            session.rename(part, target);
        } catch (FtpProblem first) {
            if (session.size(target) < 0) {
                throw first;
            }
            log.debug("{}: rename onto existing {} refused ({}); deleting it first", session.location(), target,
                    first.getMessage());
            session.delete(target);
            session.rename(part, target);
        }
    }

    /** Feeds the first {@code end} bytes of {@code ch} into the digests that are not null. */
    private static void feed(FileChannel ch, long end, ServerHash.Local local, ContentHasher content)
            throws IOException {
        byte[] buf = new byte[CHUNK];
        ByteBuffer bb = ByteBuffer.wrap(buf);
        for (long pos = 0; pos < end; ) {
            bb.clear().limit((int) Math.min(CHUNK, end - pos));
            int n = ch.read(bb, pos);
            if (n < 0) {
                throw new IOException("source ended at " + pos + " while hashing up to " + end);
            }
            if (local != null) {
                local.update(buf, 0, n);
            }
            if (content != null) {
                content.update(buf, 0, n);
            }
            pos += n;
        }
    }

    private void checkSource(String when) throws Refused, IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(spec.source(), BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new Refused(Failure.of("SOURCE_GONE", "source " + spec.source() + " no longer exists", false),
                    false);
        }
        if (a.size() != spec.size() || a.lastModifiedTime().toMillis() != spec.mtimeMillis()) {
            throw new Refused(Failure.of("SOURCE_CHANGED", "source " + spec.source() + " changed " + when + " ("
                    + a.size() + " bytes, modified " + a.lastModifiedTime() + "; queued as " + spec.size()
                    + " bytes)", true), true);
        }
    }
}

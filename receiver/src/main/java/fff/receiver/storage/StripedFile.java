package fff.receiver.storage;

import fff.common.hash.ContentHasher;
import fff.common.hash.FileDigests;
import fff.common.paths.DurableFiles;
import fff.common.paths.SafePaths;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * One file arriving as parts on several streams ({@link StripeIncoming}s, usually on different threads): the one
 * partial they all write with positional writes, which bytes of it are held and verified (kept in the
 * {@link RangesFile sidecar}), and the move to the final path once verified parts cover the whole file.
 *
 * <p>Created by {@link LandingArea#beginStripe} for the first part stream of a path and dropped with the last,
 * holding the path's claim meanwhile. Its monitor guards the bookkeeping (and the sidecar, the one-time copy of a
 * present file, the move); data is written and hashed outside it. Lock order: the area's stripe table, then this.
 */
final class StripedFile {

    final LandingArea area;
    final Path finalPath;
    final Path partial;
    final Path ranges;
    final long size;

    /** Part starts with an open stream; guarded by the area's stripe table. */
    final Set<Long> openStarts = new HashSet<>();

    // guarded by this
    private FileChannel channel;
    /** The final path held this file (no partial, no sidecar) and nothing has been copied from it yet. */
    private boolean present;
    /** Parts of a present file whose digest matched, before any copy: verified once the copy is made. */
    private final ByteRanges presentMatched = new ByteRanges();
    private ByteRanges held;
    private ByteRanges verified;
    private boolean discarded;
    private boolean completed;

    private StripedFile(LandingArea area, Path finalPath, long size, boolean present, FileChannel channel,
            ByteRanges held, ByteRanges verified) {
        this.area = area;
        this.finalPath = finalPath;
        this.partial = SafePaths.partialFor(finalPath);
        this.ranges = SafePaths.rangesFor(finalPath);
        this.size = size;
        this.present = present;
        this.channel = channel;
        this.held = held;
        this.verified = verified;
    }

    /** Reads what is kept for {@code finalPath} (claimed by the caller): a present file, a partial and sidecar, or nothing. */
    static StripedFile load(LandingArea area, Path finalPath, long size, String wirePath)
            throws StorageRefusal, IOException {
        Path partial = SafePaths.partialFor(finalPath);
        Path rangesPath = SafePaths.rangesFor(finalPath);
        long partialLen = LandingArea.existingPartialLength(partial, wirePath);
        RangesFile.State state = RangesFile.read(rangesPath);
        if (partialLen < 0 && state != null) {
            // left by a crash between the move into place and the sidecar's deletion, or by a sweep
            RangesFile.delete(rangesPath);
            state = null;
        }
        if (partialLen < 0 && state == null && Files.isRegularFile(finalPath, LinkOption.NOFOLLOW_LINKS)
                && Files.size(finalPath) == size) {
            return new StripedFile(area, finalPath, size, true, null, new ByteRanges(), new ByteRanges());
        }
        ByteRanges held = new ByteRanges();
        ByteRanges verified = new ByteRanges();
        FileChannel ch = Incoming.openPartial(partial);
        try {
            if (partialLen > size) {
                ch.truncate(size);
            }
            long len = Math.max(0, Math.min(partialLen, size));
            long usable = len == size ? size : ContentHasher.blockFloor(len);
            if (state == null) {
                held.add(0, usable); // an unstriped transfer's partial: a contiguous prefix
            } else if (state.size() == size) {
                held = state.held();
                verified = state.verified();
                // a sidecar may lag the data, never lead it, unless the partial was cut short behind its back
                held.clip(usable);
                verified.clip(usable);
            }
            StripedFile file = new StripedFile(area, finalPath, size, false, ch, held, verified);
            synchronized (file) {
                file.saveRanges();
            }
            return file;
        } catch (IOException | RuntimeException | Error e) {
            ch.close();
            throw e;
        }
    }

    /**
     * For an unstriped {@link LandingArea#begin}: when a sidecar is there, cuts the partial to the bytes held
     * from offset 0 and deletes the sidecar, so the partial is again a contiguous prefix.
     */
    static void foldIntoPrefix(Path finalPath, long size) throws IOException {
        Path rangesPath = SafePaths.rangesFor(finalPath);
        RangesFile.State state = RangesFile.read(rangesPath);
        if (state == null) {
            return;
        }
        Path partial = SafePaths.partialFor(finalPath);
        if (Files.isRegularFile(partial, LinkOption.NOFOLLOW_LINKS)) {
            long keep = state.size() == size ? ContentHasher.blockFloor(state.held().runEnd(0)) : 0;
            try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                if (ch.size() > keep) {
                    ch.truncate(keep);
                }
                ch.force(true);
            }
        }
        RangesFile.delete(rangesPath);
        DurableFiles.fsyncDirectory(finalPath.getParent());
    }

    /** A new stream for part [offset, end): where it resumes, with the digest of what is held there. */
    StripeIncoming open(long offset, long end, long mtimeMillis) throws StorageRefusal, IOException {
        boolean keepPresent;
        long resume;
        FileChannel ch;
        synchronized (this) {
            checkUsable();
            keepPresent = present;
            ch = channel;
            long run = Math.min(end, held.runEnd(offset));
            resume = present || run == end ? end : ContentHasher.blockFloor(run);
        }
        area.checkSpace(keepPresent ? 0 : end - resume);
        ContentHasher hasher = new ContentHasher();
        if (keepPresent) {
            try (FileChannel f = FileChannel.open(finalPath, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                FileDigests.feedFrom(f, offset, hasher, end);
            }
        } else {
            FileDigests.feedFrom(ch, offset, hasher, resume);
        }
        return new StripeIncoming(this, offset, end, mtimeMillis, keepPresent, hasher);
    }

    /**
     * The stream for [offset, end) starts that part over: nothing of it counts as held any more (recorded before
     * it is overwritten). A present file is first copied whole into the partial, once. Returns the channel to
     * write to.
     */
    synchronized FileChannel restart(long offset, long end) throws IOException {
        checkUsable();
        if (present) {
            copyPresent();
        }
        held.remove(offset, end);
        verified.remove(offset, end);
        saveRanges();
        return channel;
    }

    /** Bytes [offset, heldEnd) were written and forced: recorded as held. */
    synchronized void recordHeld(long offset, long heldEnd) throws IOException {
        if (discarded || completed) {
            return;
        }
        held.add(offset, heldEnd);
        saveRanges();
    }

    /** The part [offset, end) did not match: none of it counts as held; the other parts are kept. */
    synchronized void partFailed(long offset, long end) throws IOException {
        if (discarded || completed || present) {
            return;
        }
        held.remove(offset, end);
        verified.remove(offset, end);
        saveRanges();
    }

    /**
     * The part [offset, end) matched the sender's digest (its bytes forced, or those of the present file). Returns
     * the outcome for it: the file moved into place when verified parts now cover it, otherwise a part verified,
     * or for a present file nothing has been copied from yet, already present.
     */
    synchronized Verdict.Outcome partMatched(long offset, long end, long mtimeMillis) throws IOException {
        checkUsable();
        if (present) {
            presentMatched.add(offset, end);
            return Verdict.Outcome.ALREADY_PRESENT;
        }
        held.add(offset, end);
        verified.add(offset, end);
        if (!verified.covers(0, size)) {
            saveRanges();
            return Verdict.Outcome.PART_VERIFIED;
        }
        if (channel.size() > size) {
            channel.truncate(size);
        }
        FileChannel ch = channel;
        channel = null;
        DurableFiles.publish(ch, partial, finalPath, mtimeMillis);
        // after the move: a crash in between leaves a stale sidecar without a partial, which is ignored
        RangesFile.delete(ranges);
        completed = true;
        return Verdict.Outcome.VERIFIED;
    }

    synchronized long verifiedBytes() {
        return verified.total();
    }

    /** The sender cancelled the file: the partial and sidecar go when the last part stream ends. */
    synchronized void markDiscarded() {
        discarded = true;
    }

    synchronized boolean joinable() {
        return !discarded && !completed;
    }

    synchronized FileChannel channel() throws IOException {
        checkUsable();
        return channel;
    }

    /** The last part stream ended (called under the area's stripe table lock). */
    synchronized void closeLast() throws IOException {
        boolean empty = false;
        try {
            if (channel != null) {
                empty = channel.size() == 0 && held.total() == 0;
                channel.close();
                channel = null;
            }
        } finally {
            if (discarded || empty) { // an empty partial (e.g. after a refusal) is not worth keeping
                Files.deleteIfExists(partial);
                RangesFile.delete(ranges);
                DurableFiles.fsyncDirectory(finalPath.getParent());
            }
        }
    }

    private void copyPresent() throws IOException {
        FileChannel ch = Incoming.openPartial(partial);
        try (FileChannel src = FileChannel.open(finalPath, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            if (src.size() != size) {
                throw new IOException(finalPath + " changed size while being received (" + src.size()
                        + " bytes, expected " + size + ")");
            }
            ch.truncate(0);
            long pos = 0;
            while (pos < size) {
                long n = ch.transferFrom(src, pos, size - pos);
                if (n <= 0) {
                    throw new IOException(finalPath + " ended at " + pos + " while copying it to its partial");
                }
                pos += n;
            }
            ch.force(false);
        } catch (IOException | RuntimeException | Error e) {
            ch.close();
            Files.deleteIfExists(partial);
            throw e;
        }
        channel = ch;
        present = false;
        held = new ByteRanges();
        held.add(0, size);
        verified = presentMatched.copy();
    }

    private void checkUsable() throws IOException {
        if (discarded) {
            throw new IOException(finalPath + " was cancelled");
        }
        if (completed) {
            throw new IOException(finalPath + " is already complete");
        }
    }

    /** Holding this monitor, with the data it records already forced. */
    private void saveRanges() throws IOException {
        RangesFile.write(ranges, size, held, verified);
    }
}

package fff.sender;

import fff.common.hash.ContentHasher;
import fff.proto.Reason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A large file sent in parts, each on its own stream and, as far as there are connections, each on its own
 * connection: one TCP stream on a long, lossy link cannot fill it, several can. The receiver writes the parts
 * into one partial file and moves it into place when every part is verified; each part resumes on its own.
 *
 * <p>The split depends only on the file's size and the number of parts asked for, so every attempt splits the
 * same way and the receiver's per-part progress stays usable. Part boundaries fall on whole hash blocks.
 * The whole file's result completes once every part has ended, so no part is still sending when the owner
 * starts another attempt.
 */
final class Striping {

    /** A file is split only into parts of at least this many bytes. */
    static final long MIN_PART = 16L << 20;

    private final Transfer whole;
    private final List<Transfer> parts = new ArrayList<>();
    /** Bytes of each part the receiver has persisted; guarded by {@code this}. */
    private final long[] persisted;

    private Striping(Transfer whole, int count) {
        this.whole = whole;
        long block = ContentHasher.BLOCK_SIZE;
        long partLength = (whole.size / count + block - 1) / block * block;
        List<Transfer.Stripe> stripes = new ArrayList<>();
        for (long offset = 0; offset < whole.size; offset += partLength) {
            stripes.add(new Transfer.Stripe(offset, Math.min(partLength, whole.size - offset)));
        }
        this.persisted = new long[stripes.size()];
        for (int i = 0; i < stripes.size(); i++) {
            int index = i;
            Transfer.Stripe stripe = stripes.get(i);
            parts.add(Transfer.part(whole, stripe, (at, end) -> progress(index, at - stripe.offset())));
        }
    }

    /** How many parts {@code size} bytes are sent in over {@code connections} connections; 1 means unsplit. */
    static int partsFor(long size, int connections) {
        return (int) Math.max(1, Math.min(connections, size / MIN_PART));
    }

    /**
     * Splits {@code whole} (a FILE of {@link #partsFor} ≥ 2 parts) and ties its result to theirs; returns the
     * parts, in file order, for the caller to queue.
     */
    static List<Transfer> split(Transfer whole, int count) {
        if (whole.kind != Transfer.Kind.FILE || whole.stripe != null || count < 2) {
            throw new IllegalArgumentException("cannot split " + whole.describe() + " in " + count + " parts");
        }
        Striping s = new Striping(whole, count);
        whole.striping = s;
        CompletableFuture.allOf(s.parts.stream().map(p -> p.result).toArray(CompletableFuture[]::new))
                .whenComplete((x, err) -> s.finish());
        return List.copyOf(s.parts);
    }

    List<Transfer> parts() {
        return parts;
    }

    /** Unfinished parts of this file on {@code session}. Called by the client under its lock. */
    long on(SenderSession session) {
        return parts.stream().filter(p -> p.session == session && !p.result.isDone()).count();
    }

    private void progress(int part, long bytes) {
        long sum = 0;
        synchronized (this) {
            persisted[part] = bytes;
            for (long p : persisted) {
                sum += p;
            }
        }
        whole.listener.progress(sum, whole.size);
    }

    /** Every part has ended: the file is done when all are verified and the receiver completed it. */
    private void finish() {
        TransferException failure = null;
        long sent = 0;
        long resumed = 0;
        int attempts = 0;
        boolean allPresent = true;
        boolean complete = false;
        for (Transfer p : parts) {
            attempts = Math.max(attempts, p.attempts);
            try {
                TransferResult r = p.result.join();
                sent += r.bytesSent();
                resumed += r.resumedFrom();
                allPresent &= r.alreadyPresent();
                complete |= p.fileComplete;
            } catch (CompletionException e) {
                TransferException te = e.getCause() instanceof TransferException t ? t
                        : new TransferException(Reason.IO_ERROR, String.valueOf(e.getCause()), true);
                if (failure == null || (failure.retryable() && !te.retryable())) {
                    failure = te;
                }
            }
        }
        whole.attempts = attempts;
        if (failure != null) {
            whole.result.completeExceptionally(whole.cancelled
                    ? new TransferException(Reason.CANCELLED, failure.getMessage(), false) : failure);
        } else if (!complete && !allPresent) {
            whole.result.completeExceptionally(new TransferException(Reason.IO_ERROR, "the receiver verified every "
                    + "part of " + whole.describe() + " but did not complete the file", true));
        } else {
            whole.listener.progress(whole.size, whole.size);
            whole.result.complete(new TransferResult(whole.remotePath, whole.size, sent, resumed, allPresent, attempts,
                    Duration.ofNanos(System.nanoTime() - whole.startedNanos)));
        }
    }
}

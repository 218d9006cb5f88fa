package fff.sender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.hash.ContentHasher;
import fff.proto.Reason;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** How a file is split into parts and how the parts' outcomes make the whole file's. */
class StripingTest {

    private static final long MIB = 1 << 20;

    private static Transfer file(long size, TransferListener listener) {
        return new Transfer(Path.of("/src/big.mxf"), "in/big.mxf", false, size, 1_000L, listener);
    }

    private static TransferResult ok(Transfer part, long sent, long resumed, boolean present) {
        return new TransferResult(part.remotePath, part.size, sent, resumed, present, 1, Duration.ZERO);
    }

    @Test
    void partsCoverTheFileOnWholeBlocksAndSplitTheSameWayEveryTime() {
        long size = 200_000_000L;
        assertEquals(4, Striping.partsFor(size, 4));
        List<Transfer> parts = Striping.split(file(size, TransferListener.NONE), 4);
        assertEquals(4, parts.size());
        long next = 0;
        for (Transfer p : parts) {
            assertEquals(next, p.stripe.offset(), "parts follow each other");
            assertEquals(0, p.stripe.offset() % ContentHasher.BLOCK_SIZE, "a part starts on a hash block");
            assertTrue(p.stripe.length() > 0);
            assertEquals(size, p.size, "a part's offer names the whole file's size");
            next = p.stripe.end();
        }
        assertEquals(size, next, "the parts end where the file ends");
        assertEquals(parts.stream().map(p -> p.stripe).toList(),
                Striping.split(file(size, TransferListener.NONE), 4).stream().map(p -> p.stripe).toList());
    }

    @Test
    void smallFilesAndSingleConnectionsAreNotSplit() {
        assertEquals(1, Striping.partsFor(31 * MIB, 4), "parts of at least 16 MiB");
        assertEquals(2, Striping.partsFor(32 * MIB, 4));
        assertEquals(1, Striping.partsFor(1L << 40, 1));
        assertEquals(8, Striping.partsFor(1L << 40, 8));
        assertThrows(IllegalArgumentException.class, () -> Striping.split(file(64 * MIB, TransferListener.NONE), 1));
    }

    @Test
    void progressIsTheSumOfTheParts() {
        AtomicLong seen = new AtomicLong();
        Transfer whole = file(64 * MIB, (persisted, size) -> seen.set(persisted));
        List<Transfer> parts = Striping.split(whole, 2);
        parts.get(1).listener.progress(parts.get(1).stripe.offset() + 5 * MIB, parts.get(1).stripe.end());
        assertEquals(5 * MIB, seen.get());
        parts.get(0).listener.progress(3 * MIB, parts.get(0).stripe.end());
        assertEquals(8 * MIB, seen.get());
    }

    @Test
    void theFileIsDoneWhenEveryPartIsVerifiedAndOneCompletedIt() throws Exception {
        Transfer whole = file(64 * MIB, TransferListener.NONE);
        List<Transfer> parts = Striping.split(whole, 2);
        parts.get(0).result.complete(ok(parts.get(0), 32 * MIB, 0, false));
        assertFalse(whole.result.isDone(), "one part still going");
        parts.get(1).fileComplete = true;
        parts.get(1).result.complete(ok(parts.get(1), 20 * MIB, 12 * MIB, false));
        TransferResult r = whole.result.get();
        assertEquals(52 * MIB, r.bytesSent());
        assertEquals(12 * MIB, r.resumedFrom());
        assertEquals(64 * MIB, r.size());
        assertFalse(r.alreadyPresent());
    }

    @Test
    void allPartsPresentMeansTheFileWasPresent() throws Exception {
        Transfer whole = file(64 * MIB, TransferListener.NONE);
        List<Transfer> parts = Striping.split(whole, 2);
        parts.forEach(p -> p.result.complete(ok(p, 0, p.stripe.length(), true)));
        assertTrue(whole.result.get().alreadyPresent());
    }

    @Test
    void verifiedPartsThatNeverCompletedTheFileAreAFailure() {
        Transfer whole = file(64 * MIB, TransferListener.NONE);
        List<Transfer> parts = Striping.split(whole, 2);
        parts.forEach(p -> p.result.complete(ok(p, p.stripe.length(), 0, false)));
        ExecutionException e = assertThrows(ExecutionException.class, whole.result::get);
        TransferException te = assertInstanceOf(TransferException.class, e.getCause());
        assertTrue(te.retryable());
        assertTrue(te.getMessage().contains("did not complete the file"), te.getMessage());
    }

    @Test
    void aFailedPartFailsTheFileOnlyAfterTheOthersEndedAndANonRetryableFailureWins() {
        Transfer whole = file(96 * MIB, TransferListener.NONE);
        List<Transfer> parts = Striping.split(whole, 3);
        parts.get(0).result.completeExceptionally(TransferException.connection("connection lost"));
        parts.get(1).result.completeExceptionally(new TransferException(Reason.DISK_FULL, "disk full", false));
        assertFalse(whole.result.isDone(), "the third part is still sending");
        parts.get(2).result.complete(ok(parts.get(2), 32 * MIB, 0, false));
        ExecutionException e = assertThrows(ExecutionException.class, whole.result::get);
        TransferException te = assertInstanceOf(TransferException.class, e.getCause());
        assertEquals(Reason.DISK_FULL, te.reason());
        assertFalse(te.retryable());
    }
}

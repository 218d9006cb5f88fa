package fff.sender;

import java.util.concurrent.CompletableFuture;

/** A queued or running transfer: its outcome, and a way to stop it. */
public interface TransferHandle {

    CompletableFuture<TransferResult> result();

    /**
     * Stops the transfer wherever it is: a queued one is dropped, a running one is cancelled on the wire and
     * the receiver discards its partial. The result then fails with reason CANCELLED. Idempotent.
     */
    void cancel(String why);
}

package fff.receiver;

import fff.common.identity.NodeId;
import java.util.concurrent.CompletableFuture;

/**
 * Decides whether an offered file may start now: in a node, through its own group tree (the group named by
 * {@code receive.group} and its ancestors, shared with the node's outbound work). A refusal makes the
 * receiver answer {@code BUSY} with a retry-after, so the sender waits without holding anything.
 */
public interface Admission {

    /**
     * Completes, on any thread, with a ticket to hold while the stream lives, or with null when the node is
     * busy. Must not block.
     */
    CompletableFuture<Ticket> admit(NodeId peer, String path, long size);

    /** How long a refused sender should wait before offering again. */
    default int retryAfterMillis() {
        return 2_000;
    }

    /** Held by one admitted stream; released exactly once when the stream ends, however it ends. */
    interface Ticket {
        void release();
    }

    /** Admits everything (the receiver's stream cap still applies). */
    Admission ALWAYS = (peer, path, size) -> CompletableFuture.completedFuture(() -> { });
}

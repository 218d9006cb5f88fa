package fff.sender;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * One file or directory to deliver, across attempts. Attempt bookkeeping is guarded by the owning
 * {@link PeerClient}; byte counters are updated from network threads.
 */
final class Transfer {

    final Path source;
    final String remotePath;
    final boolean directory;
    final long size;
    final long mtimeMillis;
    final TransferListener listener;
    final CompletableFuture<TransferResult> result = new CompletableFuture<>();
    /** When the first attempt started; set by the client, read by the session. */
    volatile long startedNanos;
    int attempts;
    /** Where the current attempt runs, or null; guarded by the client. */
    SenderSession session;
    boolean cancelled;
    volatile long bytesSent;

    Transfer(Path source, String remotePath, boolean directory, long size, long mtimeMillis,
            TransferListener listener) {
        this.source = source;
        this.remotePath = remotePath;
        this.directory = directory;
        this.size = size;
        this.mtimeMillis = mtimeMillis;
        this.listener = listener;
    }
}

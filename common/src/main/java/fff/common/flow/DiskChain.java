package fff.common.flow;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;

/**
 * One stream's blocking work (file I/O, hashing, fsync), run in submission order on a shared executor, with
 * each result handed back on the stream's event loop. A failed step does not stop later ones; its callback
 * gets the error.
 *
 * <p>{@link #then} is called from the event loop only.
 */
public final class DiskChain {

    private final Executor disk;
    private final Executor loop;
    /** The last step; never completes exceptionally. */
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

    public DiskChain(Executor disk, Executor loop) {
        this.disk = disk;
        this.loop = loop;
    }

    /** Runs {@code work} on the disk executor after every earlier step; {@code then} on the loop. */
    public <T> void then(Callable<T> work, BiConsumer<T, Throwable> then) {
        CompletableFuture<T> f = tail.thenApplyAsync(ignored -> {
            try {
                return work.call();
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, disk);
        tail = f.handle((r, e) -> null);
        f.whenCompleteAsync((r, e) -> then.accept(r,
                e instanceof CompletionException && e.getCause() != null ? e.getCause() : e), loop);
    }
}

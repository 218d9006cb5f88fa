package fff.common.rate;

import fff.common.jobs.JobControl;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the web UI may see of and do to the node's rate limits; {@link RateLimits} backs it. A destination is
 * named by its config name; {@code null} names the node-wide limit.
 *
 * <p>Thread-safe; reads answer at once. A change is kept (journalled) before it takes effect, so its future
 * completes once both happened. An unknown destination is refused with {@link JobControl.NotFoundException}.
 */
public interface RateControl {

    /** Every limit now: the node's, then each destination's in config order. */
    Rates rates();

    /** One limit now. */
    RateStatus status(String destination);

    /** Replaces a limit's schedule at run time; kept across restarts until changed or {@linkplain #reset}. */
    CompletableFuture<RateStatus> set(String destination, RateSchedule schedule);

    /** Goes back to the schedule the config file gives. */
    CompletableFuture<RateStatus> reset(String destination);

    /** What {@code GET /api/rates} answers. */
    record Rates(RateStatus node, List<RateStatus> destinations) {
        public Rates {
            destinations = List.copyOf(destinations);
        }
    }
}

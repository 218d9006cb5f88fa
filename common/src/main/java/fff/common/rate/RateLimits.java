package fff.common.rate;

import fff.common.jobs.JobControl;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * A node's rate limits: one node-wide {@link RateLimiter} and one per destination chained to it, each
 * starting on the config's schedule. Run-time changes go to a {@link Store} (the journal) and take effect on
 * its thread right after they are kept, so the order of changes is the journal's; at start the kept ones are
 * {@linkplain #restore restored}.
 */
public final class RateLimits implements RateControl {

    /** Where run-time changes are kept. */
    public interface Store {
        /**
         * Keeps {@code lines} (null: back to the config) for {@code scope} (a destination's name, or {@code ""}
         * for the node), then runs {@code apply}, both on one thread in call order.
         */
        CompletableFuture<Void> save(String scope, List<String> lines, Runnable apply);

        /** Keeps nothing: changes last until the process ends (tests). */
        Store NONE = (scope, lines, apply) -> {
            apply.run();
            return CompletableFuture.completedFuture(null);
        };
    }

    private static final class Limit {
        final String name;
        final RateSchedule config;
        final RateLimiter limiter;
        volatile boolean changedAtRunTime;

        Limit(String name, RateSchedule config, RateLimiter limiter) {
            this.name = name;
            this.config = config;
            this.limiter = limiter;
        }
    }

    private final Limit node;
    private final Map<String, Limit> destinations = new LinkedHashMap<>();
    private final Store store;

    /**
     * @param node         the node-wide schedule ({@code node.rate})
     * @param destinations each destination's schedule ({@code destinations.NAME.rate}), in config order
     */
    public RateLimits(RateSchedule node, Map<String, RateSchedule> destinations, Store store, Clock wall,
            LongSupplier nanos) {
        this.store = store;
        this.node = new Limit(null, node, new RateLimiter(node, null, wall, nanos));
        destinations.forEach((name, schedule) -> this.destinations.put(name,
                new Limit(name, schedule, new RateLimiter(schedule, this.node.limiter, wall, nanos))));
    }

    /** On the system clocks, in the node's time zone. */
    public RateLimits(RateSchedule node, Map<String, RateSchedule> destinations, Store store) {
        this(node, destinations, store, Clock.systemDefaultZone(), System::nanoTime);
    }

    /** The limiter every send to {@code destination} asks (it asks the node's too). */
    public RateLimiter limiter(String destination) {
        return limit(destination).limiter;
    }

    /** Re-applies a change kept in the journal; no store. Unknown scopes and bad lines are refused. */
    public void restore(String scope, List<String> lines) {
        Limit l = scope.isEmpty() ? node : destinations.get(scope);
        if (l == null) {
            throw new IllegalArgumentException("destination '" + scope + "' is no longer in the config");
        }
        RateSchedule s = lines == null ? l.config : RateSchedule.parse("rate", lines, true);
        apply(l, s, lines != null);
    }

    @Override
    public Rates rates() {
        List<RateStatus> out = new ArrayList<>();
        destinations.values().forEach(l -> out.add(status(l)));
        return new Rates(status(node), out);
    }

    @Override
    public RateStatus status(String destination) {
        return status(limit(destination));
    }

    @Override
    public CompletableFuture<RateStatus> set(String destination, RateSchedule schedule) {
        Limit l = limit(destination);
        return store.save(scope(l), schedule.lines(), () -> apply(l, schedule, true)).thenApply(x -> status(l));
    }

    @Override
    public CompletableFuture<RateStatus> reset(String destination) {
        Limit l = limit(destination);
        return store.save(scope(l), null, () -> apply(l, l.config, false)).thenApply(x -> status(l));
    }

    private static void apply(Limit l, RateSchedule s, boolean runTime) {
        l.changedAtRunTime = runTime;
        l.limiter.setSchedule(s);
    }

    private static String scope(Limit l) {
        return l.name == null ? "" : l.name;
    }

    private Limit limit(String destination) {
        if (destination == null) {
            return node;
        }
        Limit l = destinations.get(destination);
        if (l == null) {
            throw new JobControl.NotFoundException("no destination '" + destination + "' (destinations: "
                    + String.join(", ", destinations.keySet()) + ")");
        }
        return l;
    }

    private static RateStatus status(Limit l) {
        RateLimiter r = l.limiter;
        RateSchedule s = r.schedule();
        Instant now = r.wall().instant();
        Rate rate = s.rateAt(now, r.wall().getZone());
        Instant next = s.nextChange(now, r.wall().getZone());
        return new RateStatus(l.name, s.lines(), rate.bitsPerSecond(), next == null ? null : next.toEpochMilli(),
                next == null ? null : s.rateAt(next, r.wall().getZone()).bitsPerSecond(), l.changedAtRunTime,
                l.config.lines());
    }
}

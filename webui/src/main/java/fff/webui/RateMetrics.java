package fff.webui;

import static fff.common.metrics.MetricNames.DESTINATION_RATE_LIMIT;
import static fff.common.metrics.MetricNames.NODE_RATE_LIMIT;
import static fff.common.metrics.MetricNames.TAG_DESTINATION;

import fff.common.rate.RateControl;
import fff.common.rate.RateStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** The rate-limit gauges, read from {@link RateControl} at each scrape; 0 means unlimited. */
final class RateMetrics {

    private RateMetrics() {
    }

    /** Registers the node's gauge and one per destination (the config's destinations, fixed while it runs). */
    static void register(RateControl rates, MeterRegistry registry) {
        Gauge.builder(NODE_RATE_LIMIT, rates, r -> r.status(null).bitsPerSecond()).strongReference(true)
                .description("The node-wide rate limit now, bits per second; 0 = unlimited").register(registry);
        for (RateStatus d : rates.rates().destinations()) {
            String name = d.name();
            Gauge.builder(DESTINATION_RATE_LIMIT, rates, r -> r.status(name).bitsPerSecond()).strongReference(true)
                    .tags(TAG_DESTINATION, name)
                    .description("The destination's rate limit now, bits per second; 0 = unlimited")
                    .register(registry);
        }
    }
}

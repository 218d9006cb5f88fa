package fff.webui;

import static fff.common.metrics.MetricNames.CREDIT_STALLS;
import static fff.common.metrics.MetricNames.JOURNAL_SIZE;
import static fff.common.metrics.MetricNames.PEER_CONGESTION;
import static fff.common.metrics.MetricNames.PEER_CONNECTIONS;
import static fff.common.metrics.MetricNames.PEER_ONLINE;
import static fff.common.metrics.MetricNames.PEER_RATE;
import static fff.common.metrics.MetricNames.PEER_RECEIVED_BYTES;
import static fff.common.metrics.MetricNames.PEER_RTT;
import static fff.common.metrics.MetricNames.TAG_ALGORITHM;
import static fff.common.metrics.MetricNames.TAG_DIRECTION;
import static fff.common.metrics.MetricNames.TAG_PEER;
import static fff.common.metrics.MetricNames.TRANSFER_RESUMES;

import fff.common.peers.PeerDirectory;
import fff.common.peers.PeerStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The per-peer meters ({@link fff.common.metrics.MetricNames}) over a {@link PeerDirectory}, tagged with the
 * peer's name and direction, and the journal size. {@link #refresh()} takes one listing just before each
 * scrape and registers peers it sees for the first time; a peer that leaves the listing keeps its last values,
 * so its counters never go back. The owner keeps this object referenced while it serves (Micrometer holds
 * function counters weakly).
 */
final class PeerMetrics {

    private final PeerDirectory directory;
    private final MeterRegistry registry;
    /** The last status of every peer seen, by {@link #key}; replaced whole by each refresh. */
    private volatile Map<String, PeerStatus> last = Map.of();
    /** Bytes received by sender name (senders that share a name are summed); replaced whole by each refresh. */
    private volatile Map<String, Long> receivedByName = Map.of();
    /** Peer key and algorithm of every congestion gauge registered. */
    private final Set<String> congestionGauges = new HashSet<>();

    /** {@code journalBytes} may be null: then there is no journal gauge. */
    PeerMetrics(PeerDirectory directory, LongSupplier journalBytes, MeterRegistry registry) {
        this.directory = directory;
        this.registry = registry;
        if (journalBytes != null) {
            Gauge.builder(JOURNAL_SIZE, journalBytes, LongSupplier::getAsLong).strongReference(true)
                    .baseUnit(BaseUnits.BYTES).description("Size of the node's journal files").register(registry);
        }
    }

    /** Lists the peers (on a worker thread; the directory answers from counters) and registers new ones. */
    synchronized void refresh() {
        Map<String, PeerStatus> now = new HashMap<>(last);
        for (PeerStatus p : directory.peers()) {
            now.put(key(p), p);
        }
        Map<String, Long> received = new HashMap<>();
        now.values().stream().filter(p -> p.direction().equals(PeerStatus.IN))
                .forEach(p -> received.merge(p.name(), p.receivedBytes(), Long::sum));
        Map<String, PeerStatus> before = last;
        Map<String, Long> receivedBefore = receivedByName;
        last = Map.copyOf(now);
        receivedByName = Map.copyOf(received);
        now.forEach((key, p) -> {
            if (!before.containsKey(key)) {
                register(key, p);
            }
            p.congestion().keySet().stream().filter(a -> congestionGauges.add(key + "\n" + a)).forEach(a ->
                    Gauge.builder(PEER_CONGESTION, this, m -> m.last.get(key).congestion().getOrDefault(a, 0))
                            .strongReference(true).tags(TAG_PEER, p.name(), TAG_DIRECTION, p.direction(), TAG_ALGORITHM, a)
                            .description("Connections open now that use this TCP congestion control").register(registry));
        });
        received.keySet().stream().filter(name -> !receivedBefore.containsKey(name)).forEach(name ->
                FunctionCounter.builder(PEER_RECEIVED_BYTES, this, m -> m.receivedByName.getOrDefault(name, 0L))
                        .baseUnit(BaseUnits.BYTES).tags(TAG_PEER, name)
                        .description("Payload bytes received from a sending node").register(registry));
    }

    private static String key(PeerStatus p) {
        return p.direction() + "\n" + p.name();
    }

    private void register(String key, PeerStatus p) {
        String[] tags = {TAG_PEER, p.name(), TAG_DIRECTION, p.direction()};
        gauge(PEER_RTT, key, tags, "seconds", "Smoothed round-trip time from Ping/Pong",
                s -> s.rttMillis() == null ? Double.NaN : s.rttMillis() / 1000);
        gauge(PEER_ONLINE, key, tags, null, "1 while a connection to or from the peer is up",
                s -> s.online() ? 1 : 0);
        gauge(PEER_CONNECTIONS, key, tags, null, "Connections open now", PeerStatus::connections);
        gauge(PEER_RATE, key, tags, null, "Payload throughput over the last few seconds",
                PeerStatus::rateBytesPerSecond);
        FunctionCounter.builder(TRANSFER_RESUMES, this, m -> m.last.get(key).resumes()).tags(tags)
                .description("Files continued from an offset above 0").register(registry);
        FunctionCounter.builder(CREDIT_STALLS, this, m -> m.last.get(key).creditStalls()).tags(tags)
                .description("Times a stream or connection had data to send and no credit left").register(registry);
    }

    private void gauge(String name, String key, String[] tags, String unit, String description,
            ToDoubleFunction<PeerStatus> f) {
        Gauge.builder(name, this, m -> f.applyAsDouble(m.last.get(key))).strongReference(true).tags(tags)
                .baseUnit(unit).description(description).register(registry);
    }
}

package fff.webui;

import static fff.common.metrics.MetricNames.JOB_DURATION;
import static fff.common.metrics.MetricNames.JOB_FAILURES;
import static fff.common.metrics.MetricNames.PEER_SENT_BYTES;
import static fff.common.metrics.MetricNames.TAG_GROUP;
import static fff.common.metrics.MetricNames.TAG_PEER;
import static fff.common.metrics.MetricNames.TAG_REASON;
import static fff.common.metrics.MetricNames.TAG_STATE;

import fff.common.jobs.Job;
import fff.common.jobs.JobEngine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * Counters and timers fed by the job engine's events (on its thread; Micrometer meters are thread-safe):
 * bytes delivered per destination, job run time by group and end state, failed attempts by group and reason.
 */
public final class JobEventMetrics implements JobEngine.Events {

    private final MeterRegistry registry;

    public JobEventMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void job(Job j, String what) {
        String group = j.spec().group();
        switch (what) {
            case "done" -> {
                Counter.builder(PEER_SENT_BYTES).baseUnit("bytes").tags(TAG_PEER, j.spec().destination())
                        .description("Payload bytes that crossed the link for delivered jobs").register(registry)
                        .increment(j.bytesSent());
                ended(j, group, "DONE");
            }
            case "retry", "failed" -> {
                Counter.builder(JOB_FAILURES).tags(TAG_GROUP, group, TAG_REASON, reason(j.lastError()))
                        .description("Failed attempts, retried or given up").register(registry).increment();
                if (what.equals("failed")) {
                    ended(j, group, "FAILED");
                }
            }
            case "cancelled" -> ended(j, group, "CANCELLED");
            default -> { }
        }
    }

    private void ended(Job j, String group, String state) {
        if (j.startedMillis() <= 0 || j.endedMillis() < j.startedMillis()) {
            return; // never ran (cancelled while queued)
        }
        Timer.builder(JOB_DURATION).tags(TAG_GROUP, group, TAG_STATE, state).publishPercentileHistogram()
                .description("Run time of the last attempt of ended jobs").register(registry)
                .record(Duration.ofMillis(j.endedMillis() - j.startedMillis()));
    }

    /** "HASH_MISMATCH: receiver: ..." → "HASH_MISMATCH". */
    static String reason(String lastError) {
        if (lastError == null) {
            return "UNKNOWN";
        }
        int colon = lastError.indexOf(':');
        String r = colon > 0 ? lastError.substring(0, colon) : lastError;
        return r.matches("[A-Z_]+") ? r : "OTHER";
    }
}

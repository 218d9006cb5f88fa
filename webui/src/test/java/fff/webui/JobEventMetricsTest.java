package fff.webui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import fff.common.jobs.Job;
import fff.common.jobs.JobSpec;
import fff.common.jobs.JobState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class JobEventMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final JobEventMetrics metrics = new JobEventMetrics(registry);

    private static Job job(long id, JobState state, String error, long sent, long started, long ended) {
        JobSpec spec = new JobSpec("r", Path.of("/in/f" + id), "f" + id, "siteB", "f" + id, "NAS", 0, 100, 1, "keep");
        return new Job(id, spec, state, false, 1, error, 0, 100, sent, 1, started, ended, null);
    }

    @Test
    void deliveredBytesAddUpPerDestinationAndRunTimesAreTimed() {
        metrics.job(job(1, JobState.DONE, null, 100, 1_000, 1_500), "done");
        metrics.job(job(2, JobState.DONE, null, 40, 2_000, 4_000), "done");
        assertEquals(140.0, registry.get("fff.peer.sent.bytes").tag("peer", "siteB").counter().count());
        var timer = registry.get("fff.job.duration").tags("group", "NAS", "state", "DONE").timer();
        assertEquals(2, timer.count());
        assertEquals(2.5, timer.totalTime(java.util.concurrent.TimeUnit.SECONDS), 1e-9);
    }

    @Test
    void failedAttemptsAreCountedByReasonAndGivingUpIsTimed() {
        metrics.job(job(3, JobState.QUEUED, "HASH_MISMATCH: receiver: digest differs", 0, 1_000, 0), "retry");
        metrics.job(job(3, JobState.FAILED, "HASH_MISMATCH: receiver: digest differs", 0, 2_000, 2_100), "failed");
        metrics.job(job(4, JobState.QUEUED, "a message without a code", 0, 1_000, 0), "retry");
        assertEquals(2.0, registry.get("fff.job.failures").tags("group", "NAS", "reason", "HASH_MISMATCH").counter()
                .count());
        assertEquals(1.0, registry.get("fff.job.failures").tags("reason", "OTHER").counter().count());
        assertEquals(1, registry.get("fff.job.duration").tags("state", "FAILED").timer().count());
    }

    @Test
    void aJobCancelledBeforeItRanHasNoRunTime() {
        metrics.job(job(5, JobState.CANCELLED, null, 0, 0, 9_000), "cancelled");
        assertNull(registry.find("fff.job.duration").timer());
        metrics.job(job(6, JobState.CANCELLED, null, 0, 1_000, 1_200), "cancelled");
        assertEquals(1, registry.get("fff.job.duration").tags("state", "CANCELLED").timer().count());
    }
}

package fff.webui;

import static fff.common.metrics.MetricNames.GROUP_QUEUED;
import static fff.common.metrics.MetricNames.GROUP_TOKENS_IN_USE;
import static fff.common.metrics.MetricNames.GROUP_TOKENS_LIMIT;
import static fff.common.metrics.MetricNames.JOBS;
import static fff.common.metrics.MetricNames.JOBS_RUNNING;
import static fff.common.metrics.MetricNames.QUEUE_LENGTH;
import static fff.common.metrics.MetricNames.TAG_GROUP;
import static fff.common.metrics.MetricNames.TAG_STATE;
import static fff.common.metrics.MetricNames.TRANSCODE_FPS;

import fff.common.jobs.JobControl;
import fff.common.jobs.JobState;
import fff.common.schedule.Snapshot;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * The job and group gauges ({@link fff.common.metrics.MetricNames}) plus the JVM and process binders. Gauge
 * values come from one {@link JobControl} snapshot taken by {@link #refresh()} just before each scrape, so a
 * scrape is consistent and nothing is counted between scrapes. A group's gauges are registered the first
 * time a snapshot shows the group.
 */
final class JobMetrics implements AutoCloseable {

    private record Values(Snapshot snapshot, Map<String, Map<JobState, Long>> counts, double transcodeFps) {
        Snapshot.GroupState group(String name) {
            return snapshot.groups().stream().filter(g -> g.name().equals(name)).findFirst().orElse(null);
        }
    }

    private final JobControl control;
    private final MeterRegistry registry;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Set<String> registered = new HashSet<>();
    private volatile Values values = new Values(new Snapshot(List.of(), List.of(), List.of()), Map.of(), 0);

    JobMetrics(JobControl control, MeterRegistry registry) {
        this.control = control;
        this.registry = registry;
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        Gauge.builder(QUEUE_LENGTH, this, m -> m.values.snapshot.queued().size()).strongReference(true)
                .description("Queued jobs over all groups").register(registry);
        Gauge.builder(JOBS_RUNNING, this, m -> m.values.snapshot.running().size()).strongReference(true)
                .description("Jobs running now").register(registry);
        Gauge.builder(TRANSCODE_FPS, this, m -> m.values.transcodeFps).strongReference(true)
                .description("Frames per second over all running transcodes").register(registry);
    }

    /** Takes a fresh snapshot from the job system (blocking, on a worker thread) and registers new groups. */
    synchronized void refresh() {
        double fps = JobApi.await(control.jobs(JobApi.RUNNING)).jobs().stream().filter(j -> j.media() != null)
                .mapToDouble(j -> j.media().fps()).sum();
        Values v = new Values(JobApi.await(control.groups()), JobApi.await(control.counts()), fps);
        values = v;
        Set<String> groups = new HashSet<>(v.counts.keySet());
        v.snapshot.groups().forEach(g -> groups.add(g.name()));
        for (String g : groups) {
            if (registered.add(g)) {
                register(g);
            }
        }
    }

    private void register(String group) {
        for (JobState s : JobState.values()) {
            Gauge.builder(JOBS, this, m -> m.values.counts.getOrDefault(group, Map.of()).getOrDefault(s, 0L))
                    .strongReference(true).tags(TAG_GROUP, group, TAG_STATE, s.name())
                    .description("Jobs by group and state, history included").register(registry);
        }
        groupGauge(GROUP_TOKENS_IN_USE, group, "Tokens the group's running work holds", Snapshot.GroupState::inUse);
        groupGauge(GROUP_TOKENS_LIMIT, group, "The group's token limit", Snapshot.GroupState::limit);
        groupGauge(GROUP_QUEUED, group, "Jobs waiting in the group itself", Snapshot.GroupState::queued);
    }

    private void groupGauge(String name, String group, String description, ToDoubleFunction<Snapshot.GroupState> f) {
        Gauge.builder(name, this, m -> {
            Snapshot.GroupState g = m.values.group(group);
            return g == null ? Double.NaN : f.applyAsDouble(g);
        }).strongReference(true).tags(TAG_GROUP, group).description(description).register(registry);
    }

    @Override
    public void close() {
        gc.close();
    }
}

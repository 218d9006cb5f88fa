package fff.webui;

import fff.common.jobs.Job;
import fff.common.jobs.JobControl;
import fff.common.jobs.JobQuery;
import fff.common.jobs.JobSpec;
import fff.common.jobs.JobState;
import fff.common.schedule.Snapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * An in-memory {@link JobControl} for web tests: a fixed group tree (total > outbound > NAS) and jobs put
 * in by the test; operations follow the contract's exceptions without any scheduling.
 */
final class FakeJobControl implements JobControl {

    final Map<Long, Job> jobs = new TreeMap<>();
    final List<Long> queue = new ArrayList<>();
    final Map<String, Snapshot.GroupState> groups = new LinkedHashMap<>();

    FakeJobControl() {
        group("total", null, 6, 2, 0);
        group("outbound", "total", 4, 2, 3);
        group("NAS", "outbound", 3, 1, 1);
    }

    void group(String name, String parent, int limit, int inUse, int queued) {
        groups.put(name, new Snapshot.GroupState(name, parent, limit, inUse, queued));
    }

    synchronized void put(long id, String group, JobState state, long endedMillis, String lastError) {
        JobSpec spec = new JobSpec("send", Path.of("/in/file" + id + ".mkv"), "file" + id + ".mkv", "siteB",
                "in/file" + id + ".mkv", group, 0, 1000 * id, 0, "keep");
        jobs.put(id, new Job(id, spec, state, false, 0, lastError, 0, 0, 0, id, state == JobState.QUEUED ? 0 : id,
                endedMillis, null));
        if (state == JobState.QUEUED) {
            queue.add(id);
        }
    }

    /** A running job has moved {@code bytes} so far. */
    synchronized void progress(long id, long bytes) {
        Job j = jobs.get(id);
        jobs.put(id, new Job(id, j.spec(), j.state(), false, j.attempts(), j.lastError(), 0, bytes, bytes,
                j.createdMillis(), j.startedMillis(), j.endedMillis(), null));
    }

    private synchronized Snapshot snapshot() {
        List<Snapshot.QueuedJob> queued = queue.stream()
                .map(id -> new Snapshot.QueuedJob(Long.toString(id), jobs.get(id).spec().group(), 0, false)).toList();
        List<String> running = jobs.values().stream().filter(j -> j.state() == JobState.RUNNING)
                .map(j -> Long.toString(j.id())).toList();
        return new Snapshot(List.copyOf(groups.values()), queued, running);
    }

    @Override
    public synchronized CompletableFuture<JobPage> jobs(JobQuery query) {
        return CompletableFuture.completedFuture(query.apply(List.copyOf(jobs.values()), snapshot().queuedIds()));
    }

    @Override
    public synchronized CompletableFuture<Optional<Job>> job(long id) {
        return CompletableFuture.completedFuture(Optional.ofNullable(jobs.get(id)));
    }

    @Override
    public synchronized CompletableFuture<Void> cancel(long id, String by) {
        Job j = known(id);
        if (j.state().ended()) {
            return CompletableFuture.failedFuture(new ConflictException("job " + id + " is " + j.state()));
        }
        queue.remove(id);
        return set(j, JobState.CANCELLED);
    }

    @Override
    public synchronized CompletableFuture<Void> retry(long id) {
        Job j = known(id);
        if (j.state() != JobState.FAILED && j.state() != JobState.CANCELLED) {
            return CompletableFuture.failedFuture(new ConflictException("job " + id + " is " + j.state()));
        }
        queue.add(id);
        return set(j, JobState.QUEUED);
    }

    @Override
    public synchronized CompletableFuture<Void> move(long id, Where where, long other) {
        known(id);
        if (!queue.contains(id)) {
            return CompletableFuture.failedFuture(new ConflictException("job " + id + " is not queued"));
        }
        if ((where == Where.BEFORE || where == Where.AFTER) && !queue.contains(other)) {
            known(other);
            return CompletableFuture.failedFuture(new ConflictException("job " + other + " is not queued"));
        }
        queue.remove(id);
        switch (where) {
            case TOP -> queue.add(0, id);
            case BOTTOM -> queue.add(id);
            case BEFORE -> queue.add(queue.indexOf(other), id);
            case AFTER -> queue.add(queue.indexOf(other) + 1, id);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletableFuture<Void> setLimit(String group, int limit) {
        Snapshot.GroupState g = groups.get(group);
        if (g == null) {
            return CompletableFuture.failedFuture(new NotFoundException("unknown group '" + group + "'"));
        }
        if (limit < 1) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("limit " + limit + " must be >= 1"));
        }
        group(group, g.parent(), limit, g.inUse(), g.queued());
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Snapshot> groups() {
        return CompletableFuture.completedFuture(snapshot());
    }

    @Override
    public synchronized CompletableFuture<Map<String, Map<JobState, Long>>> counts() {
        Map<String, Map<JobState, Long>> counts = new TreeMap<>();
        jobs.values().forEach(j -> counts.computeIfAbsent(j.spec().group(), g -> new EnumMap<>(JobState.class))
                .merge(j.state(), 1L, Long::sum));
        return CompletableFuture.completedFuture(counts);
    }

    private Job known(long id) {
        Job j = jobs.get(id);
        if (j == null) {
            throw new NotFoundException("no job " + id);
        }
        return j;
    }

    private CompletableFuture<Void> set(Job j, JobState state) {
        jobs.put(j.id(), new Job(j.id(), j.spec(), state, false, j.attempts(), j.lastError(), 0, 0, 0,
                j.createdMillis(), j.startedMillis(), state.ended() ? 999 : 0, null));
        return CompletableFuture.completedFuture(null);
    }
}

package fff.webui;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import fff.common.jobs.Job;
import fff.common.jobs.JobControl;
import fff.common.jobs.JobEngine;
import fff.common.schedule.Snapshot;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.sse.ServerSentEventConnection;
import io.undertow.server.handlers.sse.ServerSentEventHandler;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/events}: a Server-Sent Events stream for the page. Two event types, JSON data:
 * <ul>
 *   <li>{@code job} — {@code {"what": "queued|started|done|retry|failed|cancelled|source", "job": JobView}}, sent
 *       as the job engine reports the change;</li>
 *   <li>{@code tick} — about once a second: {@code {"running": [JobView...], "queued": [ids in queue order, at
 *       most 1000], "queueLength": n, "groups": GroupTree}}, so progress, rate and ETA move and a reorder made
 *       elsewhere shows.</li>
 * </ul>
 * The tick also feeds {@link Progress}, whether anyone listens or not, so {@code /api/jobs} has rates too. All
 * work runs on one thread of its own: the engine's thread only hands an event over, Undertow's IO threads only
 * write the queued text (its SSE connection buffers and never blocks).
 */
final class LiveFeed implements JobEngine.Events, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LiveFeed.class);
    static final long TICK_MILLIS = 1000;
    private static final long KEEP_ALIVE_MILLIS = 15_000;
    private static final int QUEUED_IDS = 1000;

    record JobChange(String what, JobView job) {
    }

    record Tick(List<JobView> running, List<String> queued, int queueLength, JobApi.GroupTree groups) {
    }

    private final JobControl control;
    private final JobApi api;
    private final ObjectMapper json;
    private final ServerSentEventHandler handler = new ServerSentEventHandler(this::connected);
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fff-web-live");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong eventId = new AtomicLong();
    private volatile String lastTick;

    LiveFeed(JobControl control, JobApi api, ObjectMapper json) {
        this.control = control;
        this.api = api;
        this.json = json;
    }

    void start() {
        thread.scheduleWithFixedDelay(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    HttpHandler handler() {
        return handler;
    }

    @Override
    public void job(Job job, String what) {
        run(() -> broadcast("job", new JobChange(what, api.view(job))));
    }

    private void connected(ServerSentEventConnection c, String lastEventId) {
        c.setKeepAliveTime(KEEP_ALIVE_MILLIS);
        c.sendRetry(2000);
        String t = lastTick;
        if (t != null) {
            c.send(t, "tick", null, null); // a fresh page sees the groups and progress at once
        }
    }

    private void tick() {
        try {
            List<Job> running = JobApi.await(control.jobs(JobApi.RUNNING)).jobs();
            api.progress().sample(running);
            Snapshot s = JobApi.await(control.groups());
            List<String> ids = s.queuedIds();
            Tick t = new Tick(running.stream().map(api::view).toList(),
                    ids.subList(0, Math.min(QUEUED_IDS, ids.size())), ids.size(), JobApi.tree(s));
            String text = json.writeValueAsString(t);
            lastTick = text;
            for (ServerSentEventConnection c : handler.getConnections()) {
                c.send(text, "tick", null, null);
            }
        } catch (RuntimeException | JsonProcessingException e) {
            log.debug("live feed tick skipped: {}", e.toString());
        }
    }

    private void broadcast(String event, Object data) {
        if (handler.getConnections().isEmpty()) {
            return;
        }
        try {
            String text = json.writeValueAsString(data);
            String id = Long.toString(eventId.incrementAndGet());
            for (ServerSentEventConnection c : handler.getConnections()) {
                c.send(text, event, id, null);
            }
        } catch (JsonProcessingException e) {
            log.warn("live feed: {} event not serialisable: {}", event, e.toString());
        }
    }

    private void run(Runnable r) {
        try {
            thread.execute(r);
        } catch (RejectedExecutionException closed) {
            // the web server stopped; the engine may still report its last jobs
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        for (ServerSentEventConnection c : handler.getConnections()) {
            c.shutdown();
        }
    }
}

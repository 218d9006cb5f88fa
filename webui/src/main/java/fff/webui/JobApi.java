package fff.webui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fff.common.jobs.Job;
import fff.common.jobs.JobControl;
import fff.common.jobs.JobQuery;
import fff.common.jobs.JobState;
import fff.common.schedule.Snapshot;
import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The JSON endpoints under {@code /api/}: each reads its request, asks {@link JobControl} and returns the
 * object to send as JSON. Runs on Undertow worker threads (blocking is allowed there, never on IO threads);
 * a refusal is thrown as {@link ApiException} or as one of {@link JobControl}'s exceptions.
 */
final class JobApi {

    /** How long a request waits for the job system before answering 503. */
    static final long ANSWER_SECONDS = 10;
    static final int MAX_BODY = 64 * 1024;
    /** Every running job (the live feed's tick, the transcode fps gauge). */
    static final JobQuery RUNNING = new JobQuery(Set.of(JobState.RUNNING), null, null, 0, JobQuery.MAX_LIMIT);

    private final JobControl control;
    private final NodeInfo info;
    private final ObjectMapper json;
    private final Progress progress;

    JobApi(JobControl control, NodeInfo info, ObjectMapper json, Progress progress) {
        this.control = control;
        this.info = info;
        this.json = json;
        this.progress = progress;
    }

    record JobList(long total, int offset, int limit, List<JobView> jobs) {
    }

    record GroupNode(String name, int limit, int inUse, int queued, List<GroupNode> children) {
    }

    record GroupTree(int queueLength, int running, List<GroupNode> groups) {
    }

    record Node(String id, String version, long startedMillis, long uptimeSeconds) {
    }

    JobList jobs(HttpServerExchange ex) throws IOException {
        Set<JobState> states = EnumSet.noneOf(JobState.class);
        for (String list : params(ex, "state")) {
            for (String s : list.split(",")) {
                if (!s.isBlank()) {
                    states.add(state(s.trim()));
                }
            }
        }
        JobQuery q = new JobQuery(states, param(ex, "group"), param(ex, "q"), intParam(ex, "offset", 0),
                intParam(ex, "limit", JobQuery.DEFAULT_LIMIT));
        JobControl.JobPage page = await(control.jobs(q));
        return new JobList(page.total(), page.offset(), page.limit(),
                page.jobs().stream().map(this::view).toList());
    }

    JobView job(HttpServerExchange ex) {
        long id = jobId(ex);
        return await(control.job(id)).map(this::view)
                .orElseThrow(() -> new JobControl.NotFoundException("no job " + id));
    }

    Progress progress() {
        return progress;
    }

    JobView view(Job j) {
        return JobView.of(j, progress);
    }

    JobView cancel(HttpServerExchange ex) {
        long id = jobId(ex);
        await(control.cancel(id, "web"));
        return job(ex);
    }

    JobView retry(HttpServerExchange ex) {
        long id = jobId(ex);
        await(control.retry(id));
        return job(ex);
    }

    JobView move(HttpServerExchange ex) throws IOException {
        long id = jobId(ex);
        JsonNode body = body(ex, json);
        String w = body.path("where").asText("");
        JobControl.Where where;
        try {
            where = JobControl.Where.valueOf(w.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "where: '" + w + "' is not top, bottom, before or after");
        }
        long other = 0;
        if (where == JobControl.Where.BEFORE || where == JobControl.Where.AFTER) {
            JsonNode o = body.path("other");
            if (!o.canConvertToLong() || !o.isIntegralNumber()) {
                throw new ApiException(400, "other: a job id is needed with " + w);
            }
            other = o.asLong();
        }
        await(control.move(id, where, other));
        return job(ex);
    }

    Snapshot.GroupState setLimit(HttpServerExchange ex) throws IOException {
        String group = pathParam(ex, "name");
        JsonNode l = body(ex, json).path("limit");
        if (!l.isIntegralNumber() || !l.canConvertToInt()) {
            throw new ApiException(400, "limit: a whole number is needed");
        }
        await(control.setLimit(group, l.asInt()));
        return await(control.groups()).group(group);
    }

    GroupTree groups(HttpServerExchange ex) {
        return tree(await(control.groups()));
    }

    static GroupTree tree(Snapshot s) {
        return new GroupTree(s.queued().size(), s.running().size(), children(s.groups(), null));
    }

    private static List<GroupNode> children(List<Snapshot.GroupState> all, String parent) {
        List<GroupNode> out = new ArrayList<>();
        for (Snapshot.GroupState g : all) {
            if (parent == null ? g.parent() == null : parent.equals(g.parent())) {
                out.add(new GroupNode(g.name(), g.limit(), g.inUse(), g.queued(), children(all, g.name())));
            }
        }
        return out;
    }

    Node node(HttpServerExchange ex) {
        long up = Math.max(0, System.currentTimeMillis() - info.startedMillis()) / 1000;
        return new Node(info.id(), info.version(), info.startedMillis(), up);
    }

    /** The value of {@code f}, waiting on this worker thread; the job system's refusal rethrown as it is. */
    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(ANSWER_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new ApiException(503, "the job system did not answer within " + ANSWER_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted");
        }
    }

    /** The request's body, a JSON object of at most {@link #MAX_BODY} bytes. */
    static JsonNode body(HttpServerExchange ex, ObjectMapper json) throws IOException {
        byte[] bytes;
        try {
            bytes = ex.getInputStream().readNBytes(MAX_BODY + 1);
        } catch (io.undertow.server.RequestTooBigException e) {
            throw new ApiException(413, "request body over " + MAX_BODY + " bytes");
        }
        if (bytes.length > MAX_BODY) {
            throw new ApiException(413, "request body over " + MAX_BODY + " bytes");
        }
        JsonNode node;
        try {
            node = json.readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ApiException(400, "request body is not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new ApiException(400, "request body must be a JSON object");
        }
        return node;
    }

    private static JobState state(String s) {
        try {
            return JobState.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "state: '" + s + "' is not one of " + EnumSet.allOf(JobState.class));
        }
    }

    private static long jobId(HttpServerExchange ex) {
        String id = pathParam(ex, "id");
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw new ApiException(400, "job id '" + id + "' is not a number");
        }
    }

    /** RoutingHandler adds template values to the query parameters, after any the client sent. */
    static String pathParam(HttpServerExchange ex, String name) {
        return ex.getQueryParameters().get(name).getLast();
    }

    private static List<String> params(HttpServerExchange ex, String name) {
        Deque<String> d = ex.getQueryParameters().get(name);
        return d == null ? List.of() : List.copyOf(d);
    }

    private static String param(HttpServerExchange ex, String name) {
        Deque<String> d = ex.getQueryParameters().get(name);
        return d == null ? null : d.getFirst();
    }

    private static int intParam(HttpServerExchange ex, String name, int otherwise) {
        String v = param(ex, name);
        if (v == null || v.isEmpty()) {
            return otherwise;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ApiException(400, name + ": '" + v + "' is not a whole number");
        }
    }

    static Map<String, String> error(String message) {
        return Map.of("error", message == null ? "error" : message);
    }
}

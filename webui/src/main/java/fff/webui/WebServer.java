package fff.webui;

import com.fasterxml.jackson.databind.ObjectMapper;
import fff.common.jobs.JobControl;
import fff.common.peers.PeerDirectory;
import fff.common.wire.HostPort;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP side on Undertow: the JSON API under {@code /api/} ({@link JobApi}), {@code /healthz} and
 * {@code /metrics} (Prometheus text, {@link JobMetrics}). All routes run behind a {@link BlockingHandler},
 * on worker threads, so waiting for the job system never holds an IO thread.
 *
 * <p>Mutations (POST, PUT) need {@code Authorization: Bearer <ui token>}, compared in constant time; they are
 * refused when an {@code Origin} header names another origin or {@code Sec-Fetch-Site} says cross-site, and a
 * body must be {@code application/json}. Errors are {@code {"error": "message"}} with the status: 400 bad
 * input, 401 missing or wrong token, 403 cross-site, 404 unknown job, group or path, 405 wrong method, 409
 * state conflict, 413 body too large, 415 not JSON, 503 job system not answering.
 */
public final class WebServer {

    private static final Logger log = LoggerFactory.getLogger(WebServer.class);
    static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final HttpString SEC_FETCH_SITE = new HttpString("Sec-Fetch-Site");

    /** One endpoint: returns the object to send as JSON. */
    private interface Endpoint {
        Object answer(HttpServerExchange ex) throws Exception;
    }

    private final ObjectMapper json = new ObjectMapper();
    private Undertow server;
    private JobMetrics metrics;
    private PeerMetrics peerMetrics;
    private byte[] tokenHash;

    /** Starts serving on {@code listen} (port 0: any free port); returns the address bound. */
    public synchronized HostPort start(HostPort listen, JobControl control, PeerDirectory peers, NodeInfo info,
            String uiToken, PrometheusMeterRegistry registry) {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        if (uiToken == null || uiToken.isBlank()) {
            throw new IllegalArgumentException("web UI token is missing");
        }
        tokenHash = sha256(uiToken);
        JobApi api = new JobApi(control, info, json);
        metrics = new JobMetrics(control, registry);
        peerMetrics = new PeerMetrics(peers, info.journalBytes(), registry);
        RoutingHandler routes = new RoutingHandler()
                .get("/healthz", ex -> health(ex, control))
                .get("/metrics", ex -> scrape(ex, registry))
                .get("/api/node", read(api::node))
                .get("/api/jobs", read(api::jobs))
                .get("/api/jobs/{id}", read(api::job))
                .post("/api/jobs/{id}/cancel", mutation(api::cancel))
                .post("/api/jobs/{id}/retry", mutation(api::retry))
                .post("/api/jobs/{id}/move", mutation(api::move))
                .get("/api/groups", read(api::groups))
                .get("/api/peers", read(ex -> new PeerList(peers.peers())))
                .put("/api/groups/{name}/limit", mutation(api::setLimit))
                .setInvalidMethodHandler(ex -> send(ex, 405, JobApi.error("method " + ex.getRequestMethod()
                        + " is not allowed on " + ex.getRequestPath())))
                .setFallbackHandler(ex -> send(ex, 404, JobApi.error("no such path: " + ex.getRequestPath())));
        Undertow u = Undertow.builder()
                .addHttpListener(listen.port(), listen.host())
                .setIoThreads(2)
                .setWorkerThreads(8)
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, (long) JobApi.MAX_BODY)
                .setHandler(new BlockingHandler(routes))
                .build();
        u.start();
        server = u;
        InetSocketAddress bound = (InetSocketAddress) u.getListenerInfo().get(0).getAddress();
        HostPort at = new HostPort(bound.getAddress().getHostAddress(), bound.getPort());
        log.info("web UI listening on http://{}/", at);
        return at;
    }

    public synchronized void stop() {
        if (server != null) {
            server.stop();
            server = null;
            metrics.close();
        }
    }

    private HttpHandler read(Endpoint e) {
        return ex -> answer(ex, e);
    }

    private HttpHandler mutation(Endpoint e) {
        return ex -> {
            try {
                checkSameOrigin(ex);
                checkToken(ex);
                checkJsonBody(ex);
            } catch (ApiException refused) {
                if (refused.status == 401) {
                    ex.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer");
                }
                send(ex, refused.status, JobApi.error(refused.getMessage()));
                return;
            }
            answer(ex, e);
        };
    }

    private void answer(HttpServerExchange ex, Endpoint e) {
        int status;
        Object body;
        try {
            body = e.answer(ex);
            status = 200;
        } catch (ApiException a) {
            status = a.status;
            body = JobApi.error(a.getMessage());
        } catch (JobControl.NotFoundException n) {
            status = 404;
            body = JobApi.error(n.getMessage());
        } catch (JobControl.ConflictException c) {
            status = 409;
            body = JobApi.error(c.getMessage());
        } catch (IllegalArgumentException i) {
            status = 400;
            body = JobApi.error(i.getMessage());
        } catch (Exception | Error x) {
            log.warn("{} {} failed", ex.getRequestMethod(), ex.getRequestPath(), x);
            status = 500;
            body = JobApi.error("internal error: " + x);
        }
        send(ex, status, body);
    }

    private void checkSameOrigin(HttpServerExchange ex) {
        String origin = ex.getRequestHeaders().getFirst(Headers.ORIGIN);
        String own = ex.getRequestScheme() + "://" + ex.getHostAndPort();
        if (origin != null && !origin.toLowerCase(Locale.ROOT).equals(own.toLowerCase(Locale.ROOT))) {
            throw new ApiException(403, "cross-site request refused: origin " + origin + " is not " + own);
        }
        if ("cross-site".equalsIgnoreCase(ex.getRequestHeaders().getFirst(SEC_FETCH_SITE))) {
            throw new ApiException(403, "cross-site request refused");
        }
    }

    private void checkToken(HttpServerExchange ex) {
        HeaderValues auth = ex.getRequestHeaders().get(Headers.AUTHORIZATION);
        if (auth == null || auth.size() != 1) {
            throw new ApiException(401, "the UI token is needed: Authorization: Bearer <token>");
        }
        String a = auth.getFirst();
        if (!a.regionMatches(true, 0, "Bearer ", 0, 7)
                || !MessageDigest.isEqual(sha256(a.substring(7).trim()), tokenHash)) {
            throw new ApiException(401, "wrong UI token");
        }
    }

    /** A body must be JSON: a cross-site form can send text/plain without a preflight, never JSON. */
    private static void checkJsonBody(HttpServerExchange ex) {
        String type = ex.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        boolean hasBody = ex.getRequestContentLength() > 0 || ex.isRequestChannelAvailable()
                && ex.getRequestHeaders().contains(Headers.TRANSFER_ENCODING);
        boolean isJson = type != null && type.toLowerCase(Locale.ROOT).split(";")[0].trim().equals("application/json");
        if ((hasBody || type != null || ex.getRequestMethod().equalToString("PUT")
                || ex.getRelativePath().endsWith("/move")) && !isJson) {
            throw new ApiException(415, "the request body must be Content-Type: application/json");
        }
    }

    private void health(HttpServerExchange ex, JobControl control) {
        try {
            JobApi.await(control.groups());
            send(ex, 200, Map.of("status", "ok"));
        } catch (RuntimeException e) {
            send(ex, 503, JobApi.error("job system not answering: " + e.getMessage()));
        }
    }

    private void scrape(HttpServerExchange ex, PrometheusMeterRegistry registry) {
        try {
            metrics.refresh();
        } catch (RuntimeException e) {
            log.warn("metrics: job gauges not refreshed: {}", e.toString());
        }
        try {
            peerMetrics.refresh();
        } catch (RuntimeException e) {
            log.warn("metrics: peer gauges not refreshed: {}", e.toString());
        }
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, METRICS_CONTENT_TYPE);
        ex.getResponseSender().send(registry.scrape(), StandardCharsets.UTF_8);
    }

    private void send(HttpServerExchange ex, int status, Object body) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(body);
        } catch (Exception e) {
            status = 500;
            bytes = "{\"error\":\"response not serialisable\"}".getBytes(StandardCharsets.UTF_8);
        }
        ex.setStatusCode(status);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        ex.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        ex.getResponseHeaders().put(new HttpString("X-Content-Type-Options"), "nosniff");
        ex.getResponseSender().send(ByteBuffer.wrap(bytes));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

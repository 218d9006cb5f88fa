package fff.webui;

import com.fasterxml.jackson.databind.ObjectMapper;
import fff.common.jobs.JobControl;
import fff.common.peers.PeerDirectory;
import fff.common.rate.RateControl;
import fff.common.wire.HostPort;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import fff.common.jobs.JobEngine;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.server.handlers.resource.ClassPathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;
import io.undertow.util.HeaderMap;
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
 * The node's HTTP side on Undertow: the JSON API under {@code /api/} ({@link JobApi}, {@link RateApi}),
 * {@code /healthz} and {@code /metrics} (Prometheus text, {@link JobMetrics}, {@link PeerMetrics},
 * {@link RateMetrics}). All routes run behind a {@link BlockingHandler},
 * on worker threads, so waiting for the job system never holds an IO thread.
 *
 * <p>Mutations (POST, PUT, DELETE) need {@code Authorization: Bearer <ui token>}, compared in constant time; they are
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
    private volatile LiveFeed feed;
    private PeerMetrics peerMetrics;
    private byte[] tokenHash;

    /**
     * Where the job engine's events go so the page hears of them; usable before {@link #start} (events until
     * then are dropped: a page connecting later gets the state from the API).
     */
    public JobEngine.Events events() {
        return (job, what) -> {
            LiveFeed f = feed;
            if (f != null) {
                f.job(job, what);
            }
        };
    }

    /** Starts serving on {@code listen} (port 0: any free port); returns the address bound. */
    public synchronized HostPort start(HostPort listen, JobControl control, PeerDirectory peers, RateControl rates,
            NodeInfo info, String uiToken, PrometheusMeterRegistry registry) {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        if (uiToken == null || uiToken.isBlank()) {
            throw new IllegalArgumentException("web UI token is missing");
        }
        tokenHash = sha256(uiToken);
        JobApi api = new JobApi(control, info, json, new Progress(System::nanoTime));
        metrics = new JobMetrics(control, registry);
        LiveFeed live = new LiveFeed(control, api, json);
        HttpHandler page = page();
        peerMetrics = new PeerMetrics(peers, info.journalBytes(), registry);
        RateMetrics.register(rates, registry);
        RateApi rateApi = new RateApi(rates, json);
        RoutingHandler routes = new RoutingHandler()
                .get("/", page)
                .get("/ui/{file}", page)
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
                .get("/api/rates", read(rateApi::rates))
                .put("/api/rates/node", mutation(rateApi::setNode))
                .delete("/api/rates/node", mutation(rateApi::resetNode))
                .put("/api/rates/destinations/{name}", mutation(rateApi::setDestination))
                .delete("/api/rates/destinations/{name}", mutation(rateApi::resetDestination))
                .setInvalidMethodHandler(ex -> send(ex, 405, JobApi.error("method " + ex.getRequestMethod()
                        + " is not allowed on " + ex.getRequestPath())))
                .setFallbackHandler(ex -> send(ex, 404, JobApi.error("no such path: " + ex.getRequestPath())));
        Undertow u = Undertow.builder()
                .addHttpListener(listen.port(), listen.host())
                .setIoThreads(2)
                .setWorkerThreads(8)
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, (long) JobApi.MAX_BODY)
                .setHandler(hostCheck(listen, Handlers.path(new BlockingHandler(routes))
                        .addExactPath("/api/events", live.handler())))
                .build();
        u.start();
        server = u;
        feed = live;
        live.start();
        InetSocketAddress bound = (InetSocketAddress) u.getListenerInfo().get(0).getAddress();
        HostPort at = new HostPort(bound.getAddress().getHostAddress(), bound.getPort());
        log.debug("web UI listening on http://{}/", at);
        return at;
    }

    public synchronized void stop() {
        if (server != null) {
            feed.close();
            feed = null;
            server.stop();
            server = null;
            metrics.close();
        }
    }

    /**
     * On a loopback address, only requests naming a loopback host are served: a web site whose name the
     * attacker points at 127.0.0.1 (DNS rebinding) would otherwise read the API from the user's browser. A node
     * listening on another address is reachable by whatever name the operator gave it.
     */
    private HttpHandler hostCheck(HostPort listen, HttpHandler next) {
        if (!isLoopback(listen.host())) {
            return next;
        }
        return ex -> {
            String host = ex.getHostName();
            if (host == null || !isLoopback(host)) {
                send(ex, 403, JobApi.error("host '" + host + "' refused: this node's page and API answer on "
                        + "127.0.0.1, [::1] or localhost only (web.listen is a loopback address)"));
                return;
            }
            next.handleRequest(ex);
        };
    }

    private static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")
                || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    /**
     * The page: {@code /} is {@code index.html}, {@code /ui/NAME} its scripts and styles, all from the jar. The
     * policy allows nothing from elsewhere and no framing (no clickjacking of the cancel buttons).
     */
    private static HttpHandler page() {
        ResourceHandler files = new ResourceHandler(new ClassPathResourceManager(WebServer.class.getClassLoader(),
                "fff/webui/page")).setDirectoryListingEnabled(false);
        return ex -> {
            HeaderMap h = ex.getResponseHeaders();
            h.put(new HttpString("Content-Security-Policy"), "default-src 'self'; img-src 'self' data:;"
                    + " frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
            h.put(new HttpString("X-Frame-Options"), "DENY");
            h.put(new HttpString("X-Content-Type-Options"), "nosniff");
            h.put(new HttpString("Referrer-Policy"), "no-referrer");
            h.put(Headers.CACHE_CONTROL, "no-cache"); // revalidate: a node upgrade brings a new page
            if (ex.getRelativePath().equals("/")) {
                ex.setRelativePath("/index.html");
            } else {
                ex.setRelativePath(ex.getRelativePath().substring("/ui".length()));
            }
            files.handleRequest(ex);
        };
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

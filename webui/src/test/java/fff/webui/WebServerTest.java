package fff.webui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fff.common.jobs.JobState;
import fff.common.peers.PeerStatus;
import fff.common.rate.Rate;
import fff.common.rate.RateLimits;
import fff.common.rate.RateSchedule;
import fff.common.testing.FakeClock;
import fff.common.wire.HostPort;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The JSON API, health and metrics of a real {@link WebServer} on loopback over a {@link FakeJobControl}. */
class WebServerTest {

    static final String TOKEN = "s3cret-ui-token";
    static final ObjectMapper JSON = new ObjectMapper();

    final FakeJobControl control = new FakeJobControl();
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final WebServer web = new WebServer();
    final HttpClient http = HttpClient.newHttpClient();
    /** What the fake peer directory lists. */
    final List<PeerStatus> peers = new CopyOnWriteArrayList<>(List.of(
            new PeerStatus("siteB", PeerStatus.OUT, "10.0.0.2:7700", true, null, 12.5, 2, 5_000_000, 0, 250_000.5, 3, 7,
                    Map.of("bbr", 2)),
            new PeerStatus("siteC", PeerStatus.IN, "10.0.0.3:50123", false, "disconnected since 2024-05-01T10:00:00Z",
                    null, 0, 0, 1_234_567, 0, 1, 0, Map.of())));
    /** Monday 2024-01-01 10:00 UTC. */
    final FakeClock clock = new FakeClock(ZonedDateTime.of(2024, 1, 1, 10, 0, 0, 0, ZoneOffset.UTC).toInstant(),
            ZoneOffset.UTC);
    final RateLimits rates = rates();
    String base;

    private RateLimits rates() {
        Map<String, RateSchedule> d = new LinkedHashMap<>();
        d.put("siteB", RateSchedule.parse("rate", List.of("08:00-18:00 Mon-Fri 200M", "otherwise unlimited"), true));
        d.put("usb", RateSchedule.UNLIMITED);
        return new RateLimits(RateSchedule.constant(new Rate(1_000_000_000)), d, RateLimits.Store.NONE, clock,
                clock::nanoTime);
    }

    record Reply(int status, String contentType, String text) {
        JsonNode json() throws Exception {
            return JSON.readTree(text);
        }
    }

    @BeforeEach
    void start() {
        control.put(1, "outbound", JobState.DONE, 100, null);
        control.put(2, "NAS", JobState.FAILED, 200, "disk full at siteB");
        control.put(3, "outbound", JobState.RUNNING, 0, null);
        control.put(5, "outbound", JobState.QUEUED, 0, null);
        control.put(4, "outbound", JobState.QUEUED, 0, null);
        control.put(6, "outbound", JobState.QUEUED, 0, null);
        control.put(7, "NAS", JobState.QUEUED, 0, null);
        control.put(8, "outbound", JobState.CANCELLED, 300, null);
        HostPort at = web.start(new HostPort("127.0.0.1", 0), control, () -> List.copyOf(peers), rates,
                new NodeInfo("node-abc", "0.1.0", System.currentTimeMillis() - 5000, () -> 4096), TOKEN, registry);
        base = "http://127.0.0.1:" + at.port();
    }

    @AfterEach
    void stop() {
        web.stop();
        registry.close();
    }

    Reply send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    }

    Reply get(String path) throws Exception {
        return send("GET", path, null);
    }

    Reply mutate(String method, String path, String body) throws Exception {
        return body == null ? send(method, path, null, "Authorization", "Bearer " + TOKEN)
                : send(method, path, body, "Authorization", "Bearer " + TOKEN, "Content-Type", "application/json");
    }

    static List<Long> ids(JsonNode list) {
        List<Long> ids = new ArrayList<>();
        list.path("jobs").forEach(j -> ids.add(j.path("id").asLong()));
        return ids;
    }

    static void assertError(int status, Reply r) throws Exception {
        assertEquals(status, r.status(), r.text());
        assertTrue(r.contentType().startsWith("application/json"), r.contentType());
        assertTrue(r.json().path("error").asText().length() > 3, r.text());
    }

    @Test
    void healthAndNode() throws Exception {
        Reply h = get("/healthz");
        assertEquals(200, h.status());
        assertEquals("ok", h.json().path("status").asText());
        JsonNode n = get("/api/node").json();
        assertEquals("node-abc", n.path("id").asText());
        assertEquals("0.1.0", n.path("version").asText());
        assertTrue(n.path("uptimeSeconds").asLong() >= 5, n.toString());
    }

    @Test
    void jobsComeRunningThenQueueOrderThenNewestEnded() throws Exception {
        JsonNode all = get("/api/jobs").json();
        assertEquals(8, all.path("total").asLong());
        assertEquals(0, all.path("offset").asInt());
        assertEquals(100, all.path("limit").asInt());
        assertEquals(List.of(3L, 5L, 4L, 6L, 7L, 8L, 2L, 1L), ids(all));
        JsonNode first = all.path("jobs").get(0);
        assertEquals("RUNNING", first.path("state").asText());
        assertEquals("/in/file3.mkv", first.path("source").asText());
        assertEquals("outbound", first.path("group").asText());
    }

    @Test
    void jobsAreFilteredAndPaged() throws Exception {
        assertEquals(List.of(3L, 5L, 4L, 6L), ids(get("/api/jobs?state=queued,RUNNING&group=outbound").json()));
        assertEquals(List.of(5L, 4L, 6L, 7L), ids(get("/api/jobs?state=QUEUED").json()));
        assertEquals(List.of(8L, 1L), ids(get("/api/jobs?state=DONE&state=cancelled").json()));
        assertEquals(List.of(2L), ids(get("/api/jobs?q=DISK%20FULL").json()));
        JsonNode page = get("/api/jobs?offset=2&limit=2").json();
        assertEquals(8, page.path("total").asLong());
        assertEquals(List.of(4L, 6L), ids(page));
        assertEquals(List.of(), ids(get("/api/jobs?offset=50").json()));
        assertEquals(1000, get("/api/jobs?limit=1000").json().path("limit").asInt());
        assertError(400, get("/api/jobs?limit=1001"));
        assertError(400, get("/api/jobs?limit=0"));
        assertError(400, get("/api/jobs?limit=ten"));
        assertError(400, get("/api/jobs?offset=-1"));
        assertError(400, get("/api/jobs?state=SLEEPING"));
    }

    @Test
    void oneJob() throws Exception {
        JsonNode j = get("/api/jobs/2").json();
        assertEquals("FAILED", j.path("state").asText());
        assertEquals("disk full at siteB", j.path("lastError").asText());
        assertEquals("in/file2.mkv", j.path("remotePath").asText());
        assertEquals(2000, j.path("size").asLong());
        assertError(404, get("/api/jobs/999"));
        assertError(400, get("/api/jobs/abc"));
        assertEquals(2, get("/api/jobs/2?id=7").json().path("id").asLong());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "POST|/api/jobs/5/cancel|",
        "POST|/api/jobs/2/retry|",
        "POST|/api/jobs/6/move|{\"where\":\"top\"}",
        "PUT|/api/groups/NAS/limit|{\"limit\":9}",
        "PUT|/api/rates/destinations/siteB|{\"rate\":\"50M\"}",
        "DELETE|/api/rates/node|"})
    void everyMutationNeedsTheToken(String method, String path, String body) throws Exception {
        String type = body == null ? "text/x-none" : "application/json";
        assertError(401, body == null ? send(method, path, null)
                : send(method, path, body, "Content-Type", type));
        assertError(401, send(method, path, body, "Authorization", "Bearer wrong-token", "Content-Type",
                "application/json"));
        assertError(401, send(method, path, body, "Authorization", TOKEN, "Content-Type", "application/json"));
        assertError(401, send(method, path, body, "Authorization", "Bearer " + TOKEN + "x", "Content-Type",
                "application/json"));
        assertEquals(List.of(5L, 4L, 6L, 7L), ids(get("/api/jobs?state=QUEUED").json()));
        assertEquals("FAILED", get("/api/jobs/2").json().path("state").asText());
        assertEquals(3, control.groups.get("NAS").limit());
        Reply ok = body == null ? mutate(method, path, null) : mutate(method, path, body);
        assertEquals(200, ok.status(), ok.text());
    }

    @Test
    void ratesShowEachLimitNowAndItsNextChange() throws Exception {
        JsonNode r = get("/api/rates").json();
        assertEquals(JSON.readTree("""
                {"name": null, "schedule": ["1G"], "bitsPerSecond": 1000000000, "nextChangeMillis": null,
                 "nextBitsPerSecond": null, "changedAtRunTime": false, "config": ["1G"]}"""), r.path("node"));
        JsonNode siteB = r.path("destinations").get(0);
        assertEquals("siteB", siteB.path("name").asText());
        assertEquals(200_000_000, siteB.path("bitsPerSecond").asLong());
        assertEquals(ZonedDateTime.of(2024, 1, 1, 18, 0, 0, 0, ZoneOffset.UTC).toInstant().toEpochMilli(),
                siteB.path("nextChangeMillis").asLong());
        assertEquals(0, siteB.path("nextBitsPerSecond").asLong());
        assertEquals("usb", r.path("destinations").get(1).path("name").asText());
        assertEquals(2, r.path("destinations").size());
    }

    @Test
    void aRateIsChangedAtRunTimeAndResetToTheConfig() throws Exception {
        Reply set = mutate("PUT", "/api/rates/destinations/siteB", "{\"rate\": \"50 Mbit/s\"}");
        assertEquals(200, set.status(), set.text());
        assertEquals(50_000_000, set.json().path("bitsPerSecond").asLong());
        assertEquals("[\"50M\"]", set.json().path("schedule").toString());
        assertTrue(set.json().path("changedAtRunTime").asBoolean());
        assertEquals(new Rate(50_000_000), rates.limiter("siteB").rate(), "the limiter the connections use");

        Reply schedule = mutate("PUT", "/api/rates/node", "{\"rate\": [\"Sat,Sun 1G\", \"otherwise 25MB/s\"]}");
        assertEquals(200, schedule.status(), schedule.text());
        assertEquals("[\"Sat,Sun 1G\",\"otherwise 200M\"]", schedule.json().path("schedule").toString());
        assertEquals(200_000_000, get("/api/rates").json().path("node").path("bitsPerSecond").asLong());

        Reply reset = mutate("DELETE", "/api/rates/destinations/siteB", null);
        assertEquals(200, reset.status(), reset.text());
        assertEquals("[\"08:00-18:00 Mon-Fri 200M\",\"otherwise unlimited\"]",
                reset.json().path("schedule").toString());
        assertFalse(reset.json().path("changedAtRunTime").asBoolean());
    }

    @Test
    void aBadRateIsRefusedWithTheReason() throws Exception {
        Reply ambiguous = mutate("PUT", "/api/rates/destinations/siteB", "{\"rate\": \"50Mb\"}");
        assertError(400, ambiguous);
        assertEquals("rate: '50Mb' is ambiguous: write 50Mbit/s for bits or 50MB/s for bytes per second",
                ambiguous.json().path("error").asText());
        Reply line = mutate("PUT", "/api/rates/node", "{\"rate\": [\"08:00-18:00 Mom 1G\"]}");
        assertEquals("rate[0]: 'Mom' is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun, or daily)",
                line.json().path("error").asText());
        assertError(400, mutate("PUT", "/api/rates/node", "{\"rate\": 0}"));
        assertError(400, mutate("PUT", "/api/rates/node", "{\"rate\": []}"));
        assertError(400, mutate("PUT", "/api/rates/node", "{\"rate\": [\"Sat 1G\", {}]}"));
        Reply missing = mutate("PUT", "/api/rates/node", "{\"limit\": \"1G\"}");
        assertError(400, missing);
        assertTrue(missing.json().path("error").asText().startsWith("rate: a rate"), missing.text());
        assertError(404, mutate("PUT", "/api/rates/destinations/siteC", "{\"rate\": \"1G\"}"));
        assertError(404, mutate("DELETE", "/api/rates/destinations/siteC", null));
        assertError(415, send("PUT", "/api/rates/node", "rate=1G", "Authorization", "Bearer " + TOKEN,
                "Content-Type", "application/x-www-form-urlencoded"));
        assertError(403, send("PUT", "/api/rates/node", "{\"rate\": \"1G\"}", "Authorization", "Bearer " + TOKEN,
                "Content-Type", "application/json", "Origin", "http://evil.example"));
        assertEquals(1_000_000_000, get("/api/rates").json().path("node").path("bitsPerSecond").asLong(),
                "nothing changed");
    }

    @Test
    void metricsShowTheRateLimitsNow() throws Exception {
        String t = get("/metrics").text();
        assertEquals(2e8, gauge(t, "fff_destination_rate_limit_bits_per_second{destination=\"siteB\"}"));
        assertEquals(0.0, gauge(t, "fff_destination_rate_limit_bits_per_second{destination=\"usb\"}"));
        assertEquals(1e9, gauge(t, "fff_node_rate_limit_bits_per_second"));
        clock.advance(8 * 3600 * 1000L); // 18:00: the working-hours limit ends
        mutate("PUT", "/api/rates/destinations/usb", "{\"rate\": \"30M\"}");
        String after = get("/metrics").text();
        assertEquals(0.0, gauge(after, "fff_destination_rate_limit_bits_per_second{destination=\"siteB\"}"));
        assertEquals(3e7, gauge(after, "fff_destination_rate_limit_bits_per_second{destination=\"usb\"}"));
    }

    private static double gauge(String scrape, String series) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError(series + " missing from\n" + scrape);
    }

    @Test
    void cancelAndRetry() throws Exception {
        Reply c = mutate("POST", "/api/jobs/5/cancel", null);
        assertEquals(200, c.status(), c.text());
        assertEquals("CANCELLED", c.json().path("state").asText());
        assertError(409, mutate("POST", "/api/jobs/1/cancel", null));
        assertError(404, mutate("POST", "/api/jobs/999/cancel", null));
        assertError(400, mutate("POST", "/api/jobs/x/cancel", null));
        Reply r = mutate("POST", "/api/jobs/2/retry", null);
        assertEquals("QUEUED", r.json().path("state").asText());
        assertError(409, mutate("POST", "/api/jobs/3/retry", null));
    }

    @Test
    void move() throws Exception {
        assertEquals(200, mutate("POST", "/api/jobs/6/move", "{\"where\":\"top\"}").status());
        assertEquals(List.of(6L, 5L, 4L, 7L), ids(get("/api/jobs?state=QUEUED").json()));
        assertEquals(200, mutate("POST", "/api/jobs/7/move", "{\"where\":\"after\",\"other\":6}").status());
        assertEquals(200, mutate("POST", "/api/jobs/5/move", "{\"where\":\"BOTTOM\"}").status());
        assertEquals(200, mutate("POST", "/api/jobs/4/move", "{\"where\":\"before\",\"other\":7}").status());
        assertEquals(List.of(6L, 4L, 7L, 5L), ids(get("/api/jobs?state=QUEUED").json()));
        assertError(400, mutate("POST", "/api/jobs/4/move", "{\"where\":\"sideways\"}"));
        assertError(400, mutate("POST", "/api/jobs/4/move", "{\"where\":\"before\"}"));
        assertError(400, mutate("POST", "/api/jobs/4/move", "{\"where\":\"before\",\"other\":\"x\"}"));
        assertError(400, mutate("POST", "/api/jobs/4/move", "{where: top"));
        assertError(400, mutate("POST", "/api/jobs/4/move", "[1]"));
        assertError(409, mutate("POST", "/api/jobs/1/move", "{\"where\":\"top\"}"));
        assertError(409, mutate("POST", "/api/jobs/4/move", "{\"where\":\"after\",\"other\":1}"));
        assertError(404, mutate("POST", "/api/jobs/4/move", "{\"where\":\"after\",\"other\":999}"));
        assertError(415, send("POST", "/api/jobs/4/move", "{\"where\":\"top\"}", "Authorization",
                "Bearer " + TOKEN, "Content-Type", "text/plain"));
        assertError(415, send("POST", "/api/jobs/4/move", "{\"where\":\"top\"}", "Authorization",
                "Bearer " + TOKEN));
        assertError(413, mutate("POST", "/api/jobs/4/move", "{\"where\":\"top\",\"pad\":\"" + "x".repeat(70_000)
                + "\"}"));
    }

    @Test
    void groupTreeAndLimit() throws Exception {
        JsonNode tree = get("/api/groups").json();
        assertEquals(4, tree.path("queueLength").asInt());
        assertEquals(1, tree.path("running").asInt());
        JsonNode total = tree.path("groups").get(0);
        assertEquals("total", total.path("name").asText());
        JsonNode nas = total.path("children").get(0).path("children").get(0);
        assertEquals("NAS", nas.path("name").asText());
        assertEquals(3, nas.path("limit").asInt());
        assertEquals(1, nas.path("inUse").asInt());
        assertEquals(1, nas.path("queued").asInt());
        Reply set = mutate("PUT", "/api/groups/NAS/limit", "{\"limit\":5}");
        assertEquals(200, set.status(), set.text());
        assertEquals(5, set.json().path("limit").asInt());
        assertEquals(5, get("/api/groups").json().path("groups").get(0).path("children").get(0)
                .path("children").get(0).path("limit").asInt());
        assertError(400, mutate("PUT", "/api/groups/NAS/limit", "{\"limit\":0}"));
        assertError(400, mutate("PUT", "/api/groups/NAS/limit", "{\"limit\":\"many\"}"));
        assertError(400, mutate("PUT", "/api/groups/NAS/limit", "{}"));
        assertError(404, mutate("PUT", "/api/groups/nowhere/limit", "{\"limit\":2}"));
    }

    @Test
    void crossSiteMutationsAreRefused() throws Exception {
        String[] auth = {"Authorization", "Bearer " + TOKEN};
        assertError(403, send("POST", "/api/jobs/5/cancel", null, auth[0], auth[1], "Origin", "http://evil.example"));
        assertError(403, send("POST", "/api/jobs/5/cancel", null, auth[0], auth[1], "Origin",
                base.replace("127.0.0.1", "localhost")));
        assertError(403, send("POST", "/api/jobs/5/cancel", null, auth[0], auth[1], "Sec-Fetch-Site",
                "cross-site"));
        assertEquals("QUEUED", get("/api/jobs/5").json().path("state").asText());
        assertEquals(200, send("POST", "/api/jobs/5/cancel", null, auth[0], auth[1], "Origin", base,
                "Sec-Fetch-Site", "same-origin").status());
    }

    @Test
    void wrongMethodAndUnknownPath() throws Exception {
        assertError(405, send("DELETE", "/api/jobs/1", null));
        assertError(405, get("/api/jobs/1/cancel"));
        assertError(405, send("POST", "/api/groups", "{}"));
        assertError(404, get("/nothing-here"));
        assertError(404, get("/api/nodes"));
        assertError(405, send("POST", "/api/peers", "{}"));
    }

    @Test
    void peersAreListedWithEveryField() throws Exception {
        Reply r = get("/api/peers");
        assertEquals(200, r.status(), r.text());
        JsonNode list = r.json().path("peers");
        assertEquals(2, list.size(), r.text());
        JsonNode out = list.get(0);
        List<String> fields = new ArrayList<>();
        out.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("name", "direction", "address", "online", "why", "rttMillis", "connections", "sentBytes",
                "receivedBytes", "rateBytesPerSecond", "resumes", "creditStalls", "congestion"), fields);
        assertEquals("siteB", out.path("name").asText());
        assertEquals("out", out.path("direction").asText());
        assertEquals("10.0.0.2:7700", out.path("address").asText());
        assertTrue(out.path("online").asBoolean());
        assertTrue(out.path("why").isNull());
        assertEquals(12.5, out.path("rttMillis").asDouble());
        assertEquals(2, out.path("connections").asInt());
        assertEquals(5_000_000, out.path("sentBytes").asLong());
        assertEquals(250_000.5, out.path("rateBytesPerSecond").asDouble());
        assertEquals(3, out.path("resumes").asLong());
        assertEquals(7, out.path("creditStalls").asLong());
        assertEquals(2, out.path("congestion").path("bbr").asInt(), r.text());
        JsonNode in = list.get(1);
        assertEquals("in", in.path("direction").asText());
        assertTrue(in.path("rttMillis").isNull(), "not measured yet");
        assertEquals("disconnected since 2024-05-01T10:00:00Z", in.path("why").asText());
        assertEquals(1_234_567, in.path("receivedBytes").asLong());
    }

    @Test
    void metricsShowPeersAndTheJournal() throws Exception {
        String t = get("/metrics").text();
        for (String line : List.of("fff_peer_rtt_seconds{direction=\"out\",peer=\"siteB\"} 0.0125",
                "fff_peer_online{direction=\"out\",peer=\"siteB\"} 1.0",
                "fff_peer_online{direction=\"in\",peer=\"siteC\"} 0.0",
                "fff_peer_connections{direction=\"out\",peer=\"siteB\"} 2.0",
                "fff_peer_congestion_connections{algorithm=\"bbr\",direction=\"out\",peer=\"siteB\"} 2.0",
                "fff_peer_rate_bytes_per_second{direction=\"out\",peer=\"siteB\"} 250000.5",
                "fff_transfer_resumes_total{direction=\"out\",peer=\"siteB\"} 3.0",
                "fff_credit_stalls_total{direction=\"out\",peer=\"siteB\"} 7.0",
                "fff_peer_received_bytes_total{peer=\"siteC\"} 1234567.0",
                "fff_peer_rtt_seconds{direction=\"in\",peer=\"siteC\"} NaN",
                "fff_journal_size_bytes 4096.0")) {
            assertTrue(t.contains(line), line + " missing from\n" + t);
        }
        assertTrue(!t.contains("fff_peer_received_bytes_total{peer=\"siteB\"}"), "a destination sends nothing back");
        peers.set(1, new PeerStatus("siteC", PeerStatus.IN, "10.0.0.3:50200", true, null, 30.0, 1, 0, 2_000_000,
                1e6, 1, 4, Map.of()));
        peers.remove(0);
        String after = get("/metrics").text();
        assertTrue(after.contains("fff_peer_received_bytes_total{peer=\"siteC\"} 2000000.0"), after);
        assertTrue(after.contains("fff_credit_stalls_total{direction=\"in\",peer=\"siteC\"} 4.0"), after);
        assertTrue(after.contains("fff_transfer_resumes_total{direction=\"out\",peer=\"siteB\"} 3.0"),
                "a peer gone from the listing keeps its counts\n" + after);
    }

    @Test
    void metricsShowGroupsJobsAndJvm() throws Exception {
        Reply m = get("/metrics");
        assertEquals(200, m.status());
        assertTrue(m.contentType().startsWith("text/plain; version=0.0.4"), m.contentType());
        String t = m.text();
        for (String line : List.of("fff_group_tokens_limit{group=\"NAS\"} 3.0",
                "fff_group_tokens_in_use{group=\"outbound\"} 2.0", "fff_group_queued{group=\"outbound\"} 3.0",
                "fff_jobs{group=\"outbound\",state=\"QUEUED\"} 3.0", "fff_jobs{group=\"NAS\",state=\"FAILED\"} 1.0",
                "fff_jobs{group=\"total\",state=\"DONE\"} 0.0", "fff_queue_length 4.0", "fff_jobs_running 1.0")) {
            assertTrue(t.contains(line), line + " missing from\n" + t);
        }
        for (String jvm : List.of("jvm_memory_used_bytes", "jvm_gc_", "jvm_threads_live_threads",
                "system_cpu_count", "process_uptime_seconds")) {
            assertTrue(t.contains(jvm), jvm);
        }
        mutate("PUT", "/api/groups/NAS/limit", "{\"limit\":7}");
        mutate("POST", "/api/jobs/7/cancel", null);
        String after = get("/metrics").text();
        assertTrue(after.contains("fff_group_tokens_limit{group=\"NAS\"} 7.0"), after);
        assertTrue(after.contains("fff_jobs{group=\"NAS\",state=\"CANCELLED\"} 1.0"), after);
        assertTrue(after.contains("fff_queue_length 3.0"), after);
    }

    @Test
    void thePageComesFromTheJarAndLoadsNothingFromElsewhere() throws Exception {
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), page.headers().toString());
        assertTrue(page.body().contains("<title>fff</title>"), page.body());
        assertTrue(page.body().contains("src=\"/ui/app.js\"") && page.body().contains("href=\"/ui/app.css\""));
        assertFalse(page.body().contains("//"), "no external or protocol-relative URL in the page");
        String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), csp);
        assertEquals("DENY", page.headers().firstValue("X-Frame-Options").orElse(""));
        Reply js = get("/ui/app.js");
        assertEquals(200, js.status());
        assertTrue(js.contentType().contains("javascript"), js.contentType());
        assertTrue(js.text().contains("new EventSource('/api/events')"));
        assertEquals(200, get("/ui/app.css").status());
        assertEquals(404, get("/ui/missing.js").status());
        assertEquals(404, get("/ui/..%2fWebServer.class").status());
    }

    @Test
    void eventsStreamTicksWithProgressAndRateAndJobChanges() throws Exception {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        HttpResponse<Stream<String>> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/events")).build(),
                HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        Thread reader = new Thread(() -> r.body().forEach(lines::add));
        reader.setDaemon(true);
        reader.start();
        try {
            JsonNode tick = JSON.readTree(next(lines, "tick"));
            assertEquals("total", tick.path("groups").path("groups").get(0).path("name").asText());
            assertEquals(4, tick.path("queueLength").asInt());
            assertEquals("[\"5\",\"4\",\"6\",\"7\"]", tick.path("queued").toString());
            assertEquals(3, tick.path("running").get(0).path("id").asLong());
            // job 3 moves 1000 bytes per tick of the feed: the ticks show its progress and, soon, its rate
            long deadline = System.nanoTime() + 10_000_000_000L;
            JsonNode running;
            long done = 0;
            do {
                assertTrue(System.nanoTime() < deadline, "no rate in the ticks");
                done += 1000;
                control.progress(3, done);
                running = JSON.readTree(next(lines, "tick")).path("running").get(0);
            } while (running.path("rate").isNull() || running.path("bytesDone").asLong() < 2000);
            assertTrue(running.path("rate").asDouble() > 100 && running.path("rate").asDouble() < 5000, running.toString());
            assertTrue(running.path("etaSeconds").asDouble() > 0, running.toString());
            assertTrue(get("/api/jobs/3").json().path("rate").asDouble() > 0, "the API shows the rate too");

            web.events().job(control.job(8).join().orElseThrow(), "cancelled");
            JsonNode change = JSON.readTree(next(lines, "job"));
            assertEquals("cancelled", change.path("what").asText());
            assertEquals(8, change.path("job").path("id").asLong());
        } finally {
            r.body().close();
        }
    }

    @Test
    void onLoopbackOnlyLoopbackHostNamesAreServed() throws Exception {
        assertTrue(raw("evil.example").startsWith("HTTP/1.1 403"), "a rebound name is refused");
        assertTrue(raw("evil.example:" + port()).contains("answer on 127.0.0.1, [::1] or localhost only"));
        for (String host : List.of("localhost:" + port(), "127.0.0.1:" + port(), "LOCALHOST")) {
            assertTrue(raw(host).startsWith("HTTP/1.1 200"), host);
        }
    }

    private int port() {
        return URI.create(base).getPort();
    }

    /** GET /api/node with this Host header (java.net.http will not send another host), the whole reply. */
    private String raw(String host) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port())) {
            s.getOutputStream().write(("GET /api/node HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The data of the next event of type {@code event} on the stream. */
    private static String next(BlockingQueue<String> lines, String event) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        boolean inEvent = false;
        while (true) {
            String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            assertNotNull(line, "no '" + event + "' event within 10 s");
            if (line.equals("event:" + event) || line.equals("event: " + event)) {
                inEvent = true;
            } else if (inEvent && line.startsWith("data:")) {
                return line.substring(5).strip();
            } else if (line.isEmpty()) {
                inEvent = false;
            }
        }
    }
}

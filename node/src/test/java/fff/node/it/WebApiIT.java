package fff.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JSON API and metrics of a real {@code fff run} node: jobs waiting for an offline peer are listed,
 * a mutation needs the node's token, cancel and a limit change take effect, and the scrape shows the groups;
 * after real transfers both nodes list each other in {@code /api/peers} and count the bytes.
 */
class WebApiIT {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void apiOfARunningNodeListsJobsAndTakesCommandsWithTheToken(@TempDir Path dir) throws Exception {
        TwoSites s = new TwoSites(dir); // siteB is never started: siteA's jobs wait for it
        Files.createDirectories(s.watch);
        for (int i = 0; i < 3; i++) {
            Nodes.randomFile(s.watch.resolve("q" + i + ".bin"), 1000, i);
        }
        try (FffProcess a = s.startSender("""
                watch:
                  - {path: w, group: NAS, to: "siteB:in", stable-for: 200ms}
                """)) {
            a.await("page on http://127.0.0.1:" + s.web + "/");
            a.await("is offline");
            String base = "http://127.0.0.1:" + s.web;
            String token = s.token();
            assertEquals(200, get(base + "/healthz").statusCode());
            HttpResponse<String> jobs = get(base + "/api/jobs?state=QUEUED");
            assertEquals(200, jobs.statusCode(), jobs.body());
            assertTrue(jobs.body().contains("\"total\":3"), jobs.body());

            HttpResponse<String> refused = send(HttpRequest.newBuilder(URI.create(base + "/api/jobs/1/cancel"))
                    .POST(HttpRequest.BodyPublishers.noBody()));
            assertEquals(401, refused.statusCode(), refused.body());
            HttpResponse<String> cancelled = send(HttpRequest.newBuilder(URI.create(base + "/api/jobs/1/cancel"))
                    .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()));
            assertEquals(200, cancelled.statusCode(), cancelled.body());
            assertTrue(cancelled.body().contains("\"state\":\"CANCELLED\""), cancelled.body());
            a.await(l -> l.matches("job 1 cancelled .*"), Duration.ofSeconds(10));

            HttpResponse<String> limit = send(HttpRequest.newBuilder(URI.create(base + "/api/groups/NAS/limit"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"limit\":2}")));
            assertEquals(200, limit.statusCode(), limit.body());
            HttpResponse<String> bad = send(HttpRequest.newBuilder(URI.create(base + "/api/groups/NSA/limit"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"limit\":2}")));
            assertEquals(404, bad.statusCode(), bad.body());
            assertTrue(bad.body().contains("\"error\""), bad.body());

            // the same through the command line, as an operator on the node would
            Path home = dir.resolve("a");
            String listing = cli(home, base, 0, "jobs", "--state", "QUEUED");
            assertTrue(listing.contains("2 of 2 job(s)"), listing);
            cli(home, base, 0, "move", "3", "--top");
            List<String> order = cli(home, base, 0, "jobs", "--state", "QUEUED").lines()
                    .filter(l -> l.matches("\\s*\\d+ QUEUED.*")).map(l -> l.strip().split(" ")[0]).toList();
            assertEquals(List.of("3", "2"), order, "job 3 is first in the queue now");
            assertTrue(cli(home, base, 0, "limit", "NAS", "1").contains("group NAS limit 1"));
            assertTrue(cli(home, base, 0, "status").contains("NAS 0/1 running, 2 queued"));
            assertTrue(cli(home, base, 2, "cancel", "999").contains("fff: "), "an unknown job is a clear error");
            assertTrue(cli(home, base, 0, "cancel", "2").contains("job 2 CANCELLED"));
            cli(home, base, 0, "limit", "NAS", "2");

            String metrics = get(base + "/metrics").body();
            assertTrue(metrics.contains("fff_group_tokens_limit{group=\"NAS\"} 2.0"), metrics);
            assertTrue(metrics.contains("fff_jobs{group=\"NAS\",state=\"CANCELLED\"} 2.0"), metrics);
            assertTrue(metrics.contains("jvm_memory_used_bytes"), metrics);

            assertTrue(cli(home, base, 0, "retry", "1").contains("job 1 QUEUED"));
            assertTrue(get(base + "/api/jobs/1").body().contains("\"state\":\"QUEUED\""));
            HttpResponse<String> notANumber = get(base + "/api/jobs/one");
            assertEquals(400, notANumber.statusCode());
            assertTrue(notANumber.body().contains("is not a number"), notANumber.body());
            assertTrue(get(base + "/api/node").body().contains("\"uptimeSeconds\""));
            // the page's live feed ticks every second with the queue (job 1 back in it) and the groups
            HttpResponse<Stream<String>> events = http.send(HttpRequest.newBuilder(URI.create(base + "/api/events"))
                    .build(), HttpResponse.BodyHandlers.ofLines());
            try (Stream<String> lines = events.body()) {
                String tick = CompletableFuture.supplyAsync(() -> lines.filter(l -> l.startsWith("data:")
                        && l.contains("\"queueLength\":2")).findFirst().orElse("stream ended"))
                        .get(10, TimeUnit.SECONDS);
                assertTrue(tick.matches(".*\"queued\":\\[(\"3\",\"1\"|\"1\",\"3\")].*")
                        && tick.contains("\"name\":\"NAS\",\"limit\":2"), tick);
            }
            a.stop();
            a.assertNoLeaks();
        }
    }

    @Test
    void afterTransfersTheScrapeCountsBytesAndDurations(@TempDir Path dir) throws Exception {
        TwoSites s = new TwoSites(dir);
        Files.createDirectories(s.watch.resolve("in"));
        long[] sizes = {1, 300_000, 2_500_000};
        try (FffProcess b = s.startReceiver(""); FffProcess a = s.startSender("""
                watch:
                  - {path: w/in, group: NAS, to: "siteB:in", stable-for: 200ms}
                """)) {
            a.await("watching ");
            for (int i = 0; i < sizes.length; i++) {
                Nodes.randomFile(dir.resolve("staging").resolve("m" + i + ".bin"), sizes[i], 40 + i);
                Files.move(dir.resolve("staging").resolve("m" + i + ".bin"), s.watch.resolve("in").resolve("m" + i + ".bin"));
            }
            for (int i = 0; i < sizes.length; i++) {
                int n = i;
                a.await(l -> l.matches("job \\d+ done NAS m" + n + "\\.bin .*"), Duration.ofSeconds(60));
            }
            String metrics = s.api("GET", "/metrics").body();
            long total = sizes[0] + sizes[1] + sizes[2];
            assertTrue(metrics.contains("fff_peer_sent_bytes_total{peer=\"siteB\"} " + (double) total), metrics);
            assertTrue(metrics.contains("fff_job_duration_seconds_count{group=\"NAS\",state=\"DONE\"} 3"), metrics);
            assertTrue(metrics.contains("fff_job_duration_seconds_bucket{group=\"NAS\",state=\"DONE\",le=\"+Inf\"} 3"),
                    metrics);
            assertTrue(metrics.contains("fff_jobs{group=\"NAS\",state=\"DONE\"} 3.0"), metrics);
            assertTrue(metrics.contains("fff_transcode_fps 0.0"), metrics);

            String aPeers = s.api("GET", "/api/peers").body();
            System.out.println("siteA /api/peers: " + aPeers);
            JsonNode out = peer(aPeers, "siteB", "out");
            assertTrue(out.path("online").asBoolean(), out.toString());
            assertEquals("127.0.0.1:" + s.port, out.path("address").asText());
            int open = out.path("connections").asInt();
            assertTrue(open >= 1 && open <= 16, "connections: auto opens a few: " + out);
            assertTrue(out.path("rttMillis").isNumber() && out.path("rttMillis").asDouble() > 0, out.toString());
            assertTrue(out.path("sentBytes").asLong() >= total, out.toString());
            assertEquals(0, out.path("resumes").asLong(), out.toString());
            // the default: bbr where the kernel has it, read back from the socket
            String cc = Files.readString(Path.of("/proc/sys/net/ipv4/tcp_available_congestion_control")).contains("bbr")
                    ? "bbr" : Files.readString(Path.of("/proc/sys/net/ipv4/tcp_congestion_control")).trim();
            assertEquals(open, out.path("congestion").path(cc).asInt(), out.toString());
            assertTrue(metrics.contains("fff_peer_congestion_connections{algorithm=\"" + cc
                    + "\",direction=\"out\",peer=\"siteB\"} "), metrics);

            Matcher web = Pattern.compile("page on http://([^/]+)/").matcher(b.await("page on http://"));
            assertTrue(web.find());
            String bBase = "http://" + web.group(1);
            String bPeers = get(bBase + "/api/peers").body();
            System.out.println("siteB /api/peers: " + bPeers);
            JsonNode in = peer(bPeers, s.aId, "in");
            assertTrue(in.path("online").asBoolean(), in.toString());
            assertEquals(total, in.path("receivedBytes").asLong(), in.toString());
            assertTrue(in.path("rttMillis").asDouble() > 0, in.toString());
            String bMetrics = get(bBase + "/metrics").body();
            assertTrue(bMetrics.contains("fff_peer_received_bytes_total{peer=\"" + s.aId + "\"} " + (double) total),
                    bMetrics);
            assertTrue(bMetrics.contains("fff_peer_online{direction=\"in\",peer=\"" + s.aId + "\"} 1.0"), bMetrics);
            Matcher journal = Pattern.compile("(?m)^fff_journal_size_bytes (\\S+)$").matcher(bMetrics);
            assertTrue(journal.find(), bMetrics);
            assertTrue(Double.parseDouble(journal.group(1)) > 0, journal.group());
            b.stop();

            a.stop();
            a.assertNoLeaks();
        }
    }

    /** The one entry of {@code /api/peers} with {@code name} and {@code direction}. */
    private static JsonNode peer(String body, String name, String direction) throws Exception {
        List<JsonNode> found = StreamSupport.stream(new ObjectMapper().readTree(body).path("peers").spliterator(), false)
                .filter(p -> p.path("name").asText().equals(name) && p.path("direction").asText().equals(direction))
                .toList();
        assertEquals(1, found.size(), body);
        return found.get(0);
    }

    /** Runs {@code fff ARGS --url BASE --home HOME}; checks the exit status; returns its output. */
    private static String cli(Path home, String base, int status, String... args) throws Exception {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.add("--url");
        all.add(base);
        try (FffProcess p = FffProcess.start("fff-" + args[0], home, all.toArray(String[]::new))) {
            assertEquals(status, p.waitFor(Duration.ofSeconds(30)), p.output());
            return p.output();
        }
    }

    private HttpResponse<String> get(String url) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}

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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A destination's rate limit between two real nodes over loopback (TLS): a large transfer to siteB, limited to
 * 50 Mbit/s in siteA's config, is measured from siteA's {@code /api/peers} byte counter over 10 s; then the limit is
 * raised to 100 Mbit/s through the API and the rate follows; the change outlives a restart of siteA. And
 * {@code fff send --rate}.
 */
class RateLimitIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aDestinationIsHeldToItsRateAndFollowsARunTimeChange(@TempDir Path dir) throws Exception {
        TwoSites s = new TwoSites(dir);
        Path staging = dir.resolve("staging");
        Nodes.randomFile(staging.resolve("big.bin"), 200L << 20, 7); // more than the test sends
        Files.createDirectories(s.watch);
        try (FffProcess b = s.startReceiver(""); FffProcess a = s.startSender(", rate: 50M", """
                watch:
                  - {path: w, group: NAS, to: "siteB:in", stable-for: 200ms}
                """)) {
            a.await("rate limit siteB: 50M");
            a.await("watching ");
            Files.move(staging.resolve("big.bin"), s.watch.resolve("big.bin"));
            a.await(l -> l.matches("job \\d+ started NAS big\\.bin.*"), Duration.ofSeconds(30));
            Thread.sleep(1500); // warm-up: connection, handshake, the first window

            double limited = measure(s, 10);
            System.out.printf("siteB limited to 50 Mbit/s: measured %.2f Mbit/s over 10 s%n", limited / 1e6);
            assertEquals(50e6, limited, 5e6, "within 10 % of 50 Mbit/s");
            assertEquals(50_000_000, rates(s).path("destinations").get(0).path("bitsPerSecond").asLong());
            assertTrue(s.api("GET", "/metrics").body()
                    .contains("fff_destination_rate_limit_bits_per_second{destination=\"siteB\"} 5.0E7"));

            HttpResponse<String> raised = put(s, "/api/rates/destinations/siteB", "{\"rate\": \"100M\"}");
            assertEquals(200, raised.statusCode(), raised.body());
            Thread.sleep(500);
            double faster = measure(s, 5);
            System.out.printf("siteB raised to 100 Mbit/s: measured %.2f Mbit/s over 5 s%n", faster / 1e6);
            assertEquals(100e6, faster, 10e6, "within 10 % of 100 Mbit/s");
            assertEquals(400, put(s, "/api/rates/destinations/siteB", "{\"rate\": \"100Mb\"}").statusCode());

            a.stop();
            a.assertNoLeaks();
            try (FffProcess again = s.startSender(", rate: 50M", """
                    watch:
                      - {path: w, group: NAS, to: "siteB:in", stable-for: 200ms}
                    """)) {
                again.await("rate limit siteB: 100M (set at run time; the config says 50M)");
                again.await("page on http://");
                JsonNode siteB = rates(s).path("destinations").get(0);
                assertEquals(100_000_000, siteB.path("bitsPerSecond").asLong(), siteB.toString());
                assertTrue(siteB.path("changedAtRunTime").asBoolean(), siteB.toString());
                again.stop();
                again.assertNoLeaks();
            }
            b.stop();
        }
    }

    @Test
    void fffSendKeepsToItsRate(@TempDir Path dir) throws Exception {
        String bId = Nodes.init(dir.resolve("b"));
        Path src = dir.resolve("clip.bin");
        Nodes.randomFile(src, 20_000_000, 3);
        try (FffProcess b = FffProcess.start("receiver", dir.resolve("b"), "receive", "--listen", "127.0.0.1:0",
                "--dir", dir.resolve("out").toString(), "--allow-any", "--reserve", "0")) {
            int port = b.awaitListening();
            try (FffProcess bad = FffProcess.start("send", dir.resolve("a"), "send", "--to", "127.0.0.1:" + port,
                    "--peer-id", bId, "--rate", "40Mb", src.toString())) {
                assertEquals(2, bad.waitFor(Duration.ofSeconds(30)), bad.output());
                assertTrue(bad.output().contains("fff: --rate: '40Mb' is ambiguous: write 40Mbit/s for bits or "
                        + "40MB/s for bytes per second"), bad.output());
            }
            try (FffProcess send = FffProcess.start("send", dir.resolve("a"), "send", "--to", "127.0.0.1:" + port,
                    "--peer-id", bId, "--rate", "80M", src.toString())) {
                assertEquals(0, send.waitFor(Duration.ofSeconds(60)), send.output());
                Matcher m = Pattern.compile("verified clip\\.bin 20000000 bytes.*, ([0-9.]+) MB/s")
                        .matcher(send.output());
                assertTrue(m.find(), send.output());
                double mbytes = Double.parseDouble(m.group(1));
                System.out.println("fff send --rate 80M: " + mbytes + " MB/s");
                // 80 Mbit/s is 10 MB/s; the first MiB and the bucket go at once, so at most 20 MB in 1.89 s
                assertTrue(mbytes <= 10.6, mbytes + " MB/s");
                assertTrue(mbytes >= 7, mbytes + " MB/s: something other than the limit held it back");
            }
            assertEquals(-1L, Files.mismatch(src, dir.resolve("out/clip.bin")));
            b.stop();
            b.assertNoLeaks();
        }
    }

    /**
     * siteA's payload bits per second to siteB over {@code seconds}: from the first and last of readings of
     * /api/peers every 200 ms (printed with the least-squares slope of all of them, which the steps of 1 MiB
     * chunks disturb less).
     */
    private static double measure(TwoSites s, int seconds) throws Exception {
        List<long[]> readings = new ArrayList<>();
        readings.add(sent(s));
        long end = readings.get(0)[0] + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            Thread.sleep(Math.max(1, Math.min(200, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
            readings.add(sent(s));
        }
        long[] first = readings.get(0);
        long[] last = readings.get(readings.size() - 1);
        double twoPoints = (last[1] - first[1]) * 8.0 * 1e9 / (last[0] - first[0]);
        double mx = readings.stream().mapToDouble(r -> r[0] / 1e9).average().orElseThrow();
        double my = readings.stream().mapToDouble(r -> r[1] * 8.0).average().orElseThrow();
        double num = 0;
        double den = 0;
        for (long[] r : readings) {
            num += (r[0] / 1e9 - mx) * (r[1] * 8.0 - my);
            den += (r[0] / 1e9 - mx) * (r[0] / 1e9 - mx);
        }
        System.out.printf("%d readings over %.2f s: %.2f Mbit/s first to last, %.2f Mbit/s least squares%n",
                readings.size(), (last[0] - first[0]) / 1e9, twoPoints / 1e6, num / den / 1e6);
        return twoPoints;
    }

    /** {nanoTime in the middle of the request, siteB's sentBytes}. */
    private static long[] sent(TwoSites s) throws Exception {
        long before = System.nanoTime();
        String body = s.api("GET", "/api/peers").body();
        long after = System.nanoTime();
        for (JsonNode p : JSON.readTree(body).path("peers")) {
            if (p.path("name").asText().equals("siteB") && p.path("direction").asText().equals("out")) {
                return new long[] {before + (after - before) / 2, p.path("sentBytes").asLong()};
            }
        }
        throw new AssertionError("no siteB in " + body);
    }

    private static JsonNode rates(TwoSites s) throws Exception {
        return JSON.readTree(s.api("GET", "/api/rates").body());
    }

    private HttpResponse<String> put(TwoSites s, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.web + path))
                .header("Authorization", "Bearer " + s.token()).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}

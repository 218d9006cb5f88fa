package fff.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's quick-start demo, as a user runs it (smaller big file): two nodes from config files, all verified,
 * and (ffmpeg being installed, as .ci/run does) an IMX30 clip transcoded on the way and stored as IMX30 again.
 */
class DemoIT {

    @Test
    void demoMovesTheSampleThroughAWatchFolderAndChecksEveryFile(@TempDir Path dir) throws Exception {
        try (FffProcess demo = FffProcess.startWithoutHome("demo", List.of(), "demo", "--big-mb", "4", "--work",
                dir.toString(), "--serve", "0")) {
            String page = demo.await(l -> l.startsWith("page of site A: "), Duration.ofMinutes(1))
                    .replaceAll("^page of site A: (\\S+) .*", "$1");
            HttpResponse<String> got = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(page))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, got.statusCode(), page);
            assertTrue(got.body().contains("<title>fff</title>"), got.body());
            assertEquals(0, demo.waitFor(Duration.ofMinutes(3)), demo.output());
            assertTrue(demo.output().contains("checked: all 205 files at site B are byte-identical"), demo.output());
            assertEquals(206, demo.lines().stream().filter(l -> l.matches("job \\d+ done NAS .*")).count());
            assertTrue(demo.output().contains("IMX30 at site B: mxf, mpeg2video 720x608 tt 25/1 150 frames, 6.00 s, "
                    + "audio 4 ch, tc 10:00:00:00"), demo.output());
            assertTrue(demo.lines().stream().anyMatch(l -> l.matches("on the wire: .* MPEG-TS, [1-3]\\d% of the source")),
                    demo.output());
            assertTrue(Files.exists(dir.resolve("siteA.yaml")) && Files.exists(dir.resolve("siteB.yaml")));
            demo.assertNoLeaks();
        }
    }
}

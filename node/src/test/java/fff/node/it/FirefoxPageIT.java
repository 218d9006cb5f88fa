package fff.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in Debian's Firefox ESR (headless, over WebDriver BiDi) against a real node whose peer is
 * offline, so its three jobs wait: the page lists them as waiting, takes the token through its dialog, moves the
 * last job to the top, cancels one (it shows in the history), changes a group limit, and shows no error. The
 * browser test with running transfers is {@link PageIT} (Chromium); this one proves the page's code in the other
 * engine. A screenshot goes to {@code target/screenshots/page-firefox.png}.
 */
class FirefoxPageIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void thePageWorksInFirefox(@TempDir Path dir) throws Exception {
        assertTrue(Files.isExecutable(Firefox.BINARY), "the page test needs Debian's firefox-esr (.ci/run installs it)");
        TwoSites s = new TwoSites(dir);
        Files.createDirectories(s.watch);
        for (int i = 1; i <= 3; i++) {
            Nodes.randomFile(s.watch.resolve("q" + i + ".bin"), 1000 * i, i);
        }
        try (FffProcess a = s.startSender("""
                watch:
                  - {path: w, group: NAS, to: "siteB:in", stable-for: 200ms}
                """); Firefox ff = Firefox.start(dir)) {
            a.await("is offline");
            ff.navigate("http://127.0.0.1:" + s.web + "/");
            ff.await("document.getElementById('live').textContent === 'live'", WAIT);
            ff.await("document.querySelectorAll('#queue tr[data-state=QUEUED]').length === 3", WAIT);
            assertEquals("WAITING", ff.eval("document.querySelector('#queue tr td.state').textContent").path("value")
                    .asText(), "jobs for an offline peer show as waiting");
            List<Long> queued = ids(s, "QUEUED");

            ff.eval("document.getElementById('token-button').click()");
            ff.await("document.getElementById('token-dialog').open", WAIT);
            ff.eval("document.getElementById('token-input').value = " + JSON.writeValueAsString(s.token()));
            ff.eval("document.getElementById('token-save').click()");
            ff.await("document.getElementById('token-button').textContent === 'UI token set ✓'", WAIT);

            long last = queued.get(2);
            ff.eval("document.querySelector('#queue tr[data-job-id=\"" + last + "\"] button[data-action=top]').click()");
            ff.await("document.querySelector('#queue tr[data-job-id]').dataset.jobId === '" + last + "'", WAIT);
            assertEquals(List.of(last, queued.get(0), queued.get(1)), ids(s, "QUEUED"));

            long first = queued.get(0);
            ff.eval("window.confirm = () => true");
            ff.eval("document.querySelector('#queue tr[data-job-id=\"" + first + "\"] button[data-action=cancel]').click()");
            ff.await("document.querySelector('#history tr[data-job-id=\"" + first + "\"][data-state=CANCELLED]')", WAIT);
            assertEquals(List.of(last, queued.get(1)), ids(s, "QUEUED"));

            ff.eval("(() => { const i = document.querySelector('#groups input[data-group=NAS]'); i.focus(); i.value = 5;"
                    + " document.querySelector('#groups form[data-group=NAS] button').click(); })()");
            ff.await("document.querySelector('#groups li[data-group=NAS] [data-role=tokens]').textContent"
                    + ".includes('/ 5 in use')", WAIT);
            assertTrue(s.api("GET", "/api/groups").body().contains("\"name\":\"NAS\",\"limit\":5"));
            assertTrue(ff.eval("document.getElementById('error').hidden").path("value").asBoolean(),
                    "no error shown: " + ff.eval("document.getElementById('error-text').textContent"));
            ff.screenshot(PageIT.SCREENSHOTS.resolve("page-firefox.png"));
            a.stop();
        }
    }

    private static List<Long> ids(TwoSites s, String state) throws Exception {
        JsonNode page = JSON.readTree(s.api("GET", "/api/jobs?state=" + state).body());
        return page.path("jobs").findValues("id").stream().map(JsonNode::asLong).toList();
    }
}

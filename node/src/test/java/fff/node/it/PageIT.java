package fff.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.ElementNotInteractableException;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The status page in a real browser (Debian's Chromium, headless) against two real nodes. Transfers are paced by a
 * profile whose sending ffmpeg runs in real time, so each 30 s test clip runs for 30 s. Through the page only:
 * the token is entered once, NAS's limit is set to 1 and only one job runs, a running job's progress rises
 * without a reload, moving the last queued job to the top makes it the one that starts when the running job is
 * cancelled from the page (the cancelled transfer leaves nothing at site B), and raising the limit to 2 starts the
 * other one. siteB's rate limit is changed in its dialog (an ambiguous rate is refused there with the reason), shown
 * in the peers table, and set back to the config's. A screenshot goes to {@code target/screenshots/page.png}.
 */
class PageIT {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "screenshots").toAbsolutePath();
    static final ObjectMapper JSON = new ObjectMapper();
    static final String LIVE = """
            profiles:
              live:
                send: [-map, "0:v:0", -vf, realtime, -c:v, libx264, -preset, ultrafast, -g, "25"]
                receive: [-map, "0:v:0", -c:v, copy]
                output: {format: matroska, extension: mkv}
                expect: {video-codec: h264, frames: source}
            """;

    private WebDriver browser;

    @AfterEach
    void quit() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void theQueueIsWatchedAndSteeredFromThePage(@TempDir Path dir) throws Exception {
        assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "the browser test needs Debian's chromium and chromium-driver (.ci/run installs them)");
        TwoSites s = new TwoSites(dir);
        Path clip = Clips.testPattern(dir.resolve("clip.mkv"), 30);
        Files.createDirectories(s.watch.resolve("live"));
        try (FffProcess b = s.startReceiver(LIVE); FffProcess a = s.startSender(LIVE + """
                watch:
                  - {path: w/live, group: NAS, to: "siteB:live", stable-for: 300ms, profile: live}
                """)) {
            a.await("page on ");
            String token = s.token();
            browser = chromium();
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20), Duration.ofMillis(100));
            wait.ignoring(StaleElementReferenceException.class); // lists are redrawn as the feed reports
            browser.get("http://127.0.0.1:" + s.web + "/");
            wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));

            browser.findElement(By.id("token-button")).click();
            browser.findElement(By.id("token-input")).sendKeys(token);
            browser.findElement(By.id("token-save")).click();
            wait.until(ExpectedConditions.textToBe(By.id("token-button"), "UI token set ✓"));

            setLimit(wait, "NAS", 1);
            wait.until(d -> limit(s, "NAS") == 1);

            drop(clip, s, "c1.mkv");
            long c1 = awaitJob(s, "c1.mkv", "RUNNING");
            By bar = By.cssSelector("#queue tr[data-job-id='" + c1 + "'][data-state='RUNNING'] [data-role=progress]");
            wait.until(ExpectedConditions.presenceOfElementLocated(bar));
            ((JavascriptExecutor) browser).executeScript("window.notReloaded = true");
            double first = wait.until(d -> Double.parseDouble(d.findElement(bar).getAttribute("aria-valuenow")));
            wait.until(d -> Double.parseDouble(d.findElement(bar).getAttribute("aria-valuenow")) >= first + 3);
            assertEquals(Boolean.TRUE, ((JavascriptExecutor) browser)
                    .executeScript("return window.notReloaded"), "progress moved without a reload");
            String rate = wait.until(d -> d.findElement(By.cssSelector("#queue tr[data-job-id='" + c1
                    + "'] [data-role=rate]")).getText());
            assertTrue(rate.endsWith("/s"), "a running job shows its rate: '" + rate + "'");

            drop(clip, s, "c2.mkv");
            long c2 = awaitJob(s, "c2.mkv", "QUEUED");
            drop(clip, s, "c3.mkv");
            long c3 = awaitJob(s, "c3.mkv", "QUEUED");
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#queue tr[data-job-id='" + c3 + "']")));
            assertEquals(List.of(c1, c2, c3), shownQueue());
            assertEquals(1, jobs(s, "RUNNING").size(), "NAS's limit of 1 holds the others back");

            click(By.cssSelector("#queue tr[data-job-id='" + c3 + "'] button[data-action=top]"));
            wait.until(d -> shownQueue().equals(List.of(c1, c3, c2)));
            assertEquals(List.of(c3, c2), ids(jobs(s, "QUEUED")));

            click(By.cssSelector("#queue tr[data-job-id='" + c1 + "'] button[data-action=cancel]"));
            wait.until(ExpectedConditions.alertIsPresent()).accept();
            wait.until(d -> state(s, c1).equals("CANCELLED") && state(s, c3).equals("RUNNING"));
            assertEquals("QUEUED", state(s, c2), "the job moved to the top started next, not the older one");
            wait.until(ExpectedConditions.presenceOfElementLocated(
                    By.cssSelector("#history tr[data-job-id='" + c1 + "'][data-state='CANCELLED']")));
            assertFalse(Files.exists(s.landing.resolve("live/c1.mkv")), "a cancelled transfer stores nothing");
            try (Stream<Path> left = Files.list(s.landing.resolve("live"))) {
                assertTrue(left.noneMatch(p -> p.getFileName().toString().contains("c1")), "no partial of c1 left");
            }

            setLimit(wait, "NAS", 2);
            wait.until(d -> state(s, c2).equals("RUNNING"));
            assertEquals(2, limit(s, "NAS"));
            wait.until(ExpectedConditions.presenceOfElementLocated(
                    By.cssSelector("#queue tr[data-job-id='" + c2 + "'][data-state='RUNNING']")));

            By limitCell = By.cssSelector("#peers tr[data-limit-for='siteB'] [data-role=limit]");
            By editLimit = By.cssSelector("#peers tr[data-limit-for='siteB'] button[data-action=rate]");
            wait.until(d -> d.findElement(limitCell).getText().startsWith("no limit"));
            click(editLimit);
            WebElement rateInput = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("rate-input")));
            assertEquals("unlimited", rateInput.getAttribute("value"));
            rateInput.clear();
            rateInput.sendKeys("80Mb");
            browser.findElement(By.id("rate-save")).click();
            wait.until(d -> d.findElement(By.id("rate-error")).getText().equals(
                    "rate: '80Mb' is ambiguous: write 80Mbit/s for bits or 80MB/s for bytes per second"));
            rateInput.clear();
            rateInput.sendKeys("Sat,Sun 1G\notherwise 80M");
            browser.findElement(By.id("rate-save")).click();
            wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("rate-dialog")));
            JsonNode siteB = JSON.readTree(s.api("GET", "/api/rates").body()).path("destinations").get(0);
            assertEquals("[\"Sat,Sun 1G\",\"otherwise 80M\"]", siteB.path("schedule").toString());
            boolean weekday = siteB.path("bitsPerSecond").asLong() == 80_000_000;
            String shown = wait.until(d -> d.findElement(limitCell).getText());
            assertTrue(shown.startsWith("limit " + (weekday ? "80 Mbit/s" : "1 Gbit/s") + " (changed here) · until ")
                    && shown.contains(", then " + (weekday ? "1 Gbit/s" : "80 Mbit/s")),
                    "the limit now and its next change: " + shown);

            Files.createDirectories(SCREENSHOTS);
            File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
            Files.copy(shot.toPath(), SCREENSHOTS.resolve("page.png"), StandardCopyOption.REPLACE_EXISTING);
            click(editLimit);
            click(By.id("rate-reset"));
            wait.until(d -> d.findElement(limitCell).getText().startsWith("no limit"));
            assertFalse(JSON.readTree(s.api("GET", "/api/rates").body()).path("destinations").get(0)
                    .path("changedAtRunTime").asBoolean());
            for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
                assertFalse(e.getMessage().contains("Content Security Policy") || e.getMessage().contains("Uncaught"),
                        "browser console: " + e);
            }
            a.stop();
            b.stop();
        }
    }

    private WebDriver chromium() {
        ChromeOptions o = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1600,1000");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        o.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, o);
    }

    private void setLimit(WebDriverWait wait, String group, int limit) {
        // the field can be between redraws (or the token dialog still closing) when first tried
        wait.ignoring(ElementNotInteractableException.class).until(d -> {
            // once it has the focus the page leaves the field alone while the feed redraws the counters
            WebElement input = d.findElement(By.cssSelector("#groups input[data-group='" + group + "']"));
            input.click();
            input.clear();
            input.sendKeys(Integer.toString(limit));
            return true;
        });
        click(By.cssSelector("#groups form[data-group='" + group + "'] button[data-action=limit]"));
        wait.until(d -> d.findElement(By.cssSelector("#groups li[data-group='" + group + "'] [data-role=tokens]"))
                .getText().contains("/ " + limit + " in use"));
    }

    /**
     * Clicks what {@code by} finds, finding it again when the live feed redrew it in between (a click on a stale
     * element is not performed, so a retry cannot click twice).
     */
    private void click(By by) {
        new WebDriverWait(browser, Duration.ofSeconds(5)).ignoring(StaleElementReferenceException.class)
                .ignoring(ElementNotInteractableException.class).until(d -> {
                    d.findElement(by).click();
                    return true;
                });
    }

    /** Job ids in the page's transfer table, top to bottom. */
    private List<Long> shownQueue() {
        return new WebDriverWait(browser, Duration.ofSeconds(5)).ignoring(StaleElementReferenceException.class)
                .until(d -> d.findElements(By.cssSelector("#queue tr[data-job-id]")).stream()
                .map(r -> Long.parseLong(r.getAttribute("data-job-id"))).toList());
    }

    private static void drop(Path clip, TwoSites s, String name) throws Exception {
        Path tmp = s.dir.resolve(name);
        Files.copy(clip, tmp);
        Files.move(tmp, s.watch.resolve("live").resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    private static long awaitJob(TwoSites s, String name, String state) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode j : jobs(s, state)) {
                if (j.path("relative").asText().equals(name)) {
                    return j.path("id").asLong();
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError(name + " never became " + state + ": " + jobs(s, ""));
    }

    private static List<JsonNode> jobs(TwoSites s, String state) throws Exception {
        JsonNode page = JSON.readTree(s.api("GET", "/api/jobs?state=" + state).body());
        List<JsonNode> out = new ArrayList<>();
        page.path("jobs").forEach(out::add);
        return out;
    }

    private static List<Long> ids(List<JsonNode> jobs) {
        return jobs.stream().map(j -> j.path("id").asLong()).toList();
    }

    private static String state(TwoSites s, long id) {
        try {
            return JSON.readTree(s.api("GET", "/api/jobs/" + id).body()).path("state").asText();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int limit(TwoSites s, String group) {
        try {
            JsonNode tree = JSON.readTree(s.api("GET", "/api/groups").body());
            return find(tree.path("groups"), group).path("limit").asInt();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode find(JsonNode groups, String name) {
        for (JsonNode g : groups) {
            if (g.path("name").asText().equals(name)) {
                return g;
            }
            JsonNode in = find(g.path("children"), name);
            if (!in.isMissingNode()) {
                return in;
            }
        }
        return MissingNode.getInstance();
    }
}

package fff.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jobs:}: retries and history. */
class JobsSectionTest {

    @TempDir
    Path dir;

    private String error(String yaml) throws IOException {
        return ConfigFiles.error(dir, yaml);
    }

    @Test
    void absentSectionTakesTheDocumentedDefaults() throws Exception {
        for (String yaml : new String[] {"", "jobs:\n", "jobs: {}\n"}) {
            JobsSection j = ConfigFiles.load(dir, yaml).jobs();
            assertEquals(10, j.attempts());
            assertEquals(Duration.ofSeconds(1), j.backoff());
            assertEquals(Duration.ofMinutes(5), j.backoffMax());
            assertEquals(Duration.ofDays(30), j.history());
            assertEquals(100_000, j.checkpointEvery());
            assertEquals(JobsSection.defaults(), j);
        }
        assertEquals(JobsSection.defaults(), new NodeConfig(null, null, null, null, null, null, null).jobs());
    }

    @Test
    void valuesAreRead() throws Exception {
        NodeConfig c = NodeConfig.load(Path.of(getClass().getResource("/config/full.yaml").toURI()));
        assertEquals(new JobsSection(5, Duration.ofSeconds(2), Duration.ofMinutes(10), Duration.ofDays(90), 50_000),
                c.jobs());
        JobsSection j = ConfigFiles.load(dir, "jobs: {attempts: 1, history: 0, backoff: 250ms}\n").jobs();
        assertEquals(1, j.attempts());
        assertEquals(Duration.ZERO, j.history());
        assertEquals(Duration.ofMillis(250), j.backoff());
    }

    @Test
    void backoffMaxDefaultGrowsWithALongBackoff() throws Exception {
        assertEquals(Duration.ofMinutes(10), ConfigFiles.load(dir, "jobs: {backoff: 10m}\n").jobs().backoffMax());
    }

    @Test
    void errorsNameTheKeyAndTheValue() throws IOException {
        assertEquals("jobs.retries: unknown key (known: attempts, backoff, backoff-max, history, checkpoint-every)",
                error("jobs: {retries: 3}\n"));
        assertEquals("jobs.attempts: '0' must be at least 1", error("jobs: {attempts: 0}\n"));
        assertEquals("jobs.attempts: 'many' is not a whole number", error("jobs: {attempts: many}\n"));
        assertEquals("jobs.backoff: '0' must be longer than 0", error("jobs: {backoff: 0}\n"));
        assertEquals("jobs.backoff: '1 s' is not a duration (e.g. 45s, 30m, 12h, 7d, 1h30m)",
                error("jobs: {backoff: 1 s}\n"));
        assertEquals("jobs.backoff-max: '500ms' is shorter than jobs.backoff '1s'",
                error("jobs: {backoff-max: 500ms}\n"));
        assertEquals("jobs.history: 'forever' is not a duration (e.g. 45s, 30m, 12h, 7d, 1h30m)",
                error("jobs: {history: forever}\n"));
        assertEquals("jobs.checkpoint-every: '0' must be at least 1", error("jobs: {checkpoint-every: 0}\n"));
        assertEquals("jobs: expected a mapping of keys, not '3'", error("jobs: 3\n"));
    }

    @Test
    void recordChecksNegativeDurations() {
        assertEquals("jobs.history: '-1d' must not be negative", assertThrows(IllegalArgumentException.class,
                () -> new JobsSection(1, null, null, Duration.ofDays(-1), 1)).getMessage());
        assertEquals("jobs.backoff: '-1s' must be longer than 0", assertThrows(IllegalArgumentException.class,
                () -> new JobsSection(1, Duration.ofSeconds(-1), null, null, 1)).getMessage());
    }
}

package fff.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code fff run --config node.yaml}: a long-lived node configured by a file the test writes, receiving from a
 * sender named through a destination; and config errors that stop it at once, naming the key and the value.
 */
class RunConfigIT {

    /** A config error must be reported well before anything could have been started. */
    private static final Duration QUICK = Duration.ofSeconds(20);

    @Test
    void runFromConfigReceivesATreeFromTheSenderNamedInAllow(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("conf");
        Path home = conf.resolve("state");
        String senderId = Nodes.init(dir.resolve("a"));
        String runId = Nodes.init(home);
        Path sample = dir.resolve("sample");
        Nodes.randomFile(sample.resolve("a.bin"), 3L << 20, 21);
        Nodes.randomFile(sample.resolve("empty.bin"), 0, 22);
        Nodes.randomFile(sample.resolve("deep").resolve("er").resolve("b.bin"), 123_457, 23);
        Nodes.randomFile(sample.resolve("deep").resolve("c.bin"), (1 << 20) + 1, 24);
        Files.createDirectories(sample.resolve("empty dir"));
        int port = Nodes.freePort();
        // home and root are relative: both resolve against the config file's directory, not the working one
        Path config = write(conf.resolve("node.yaml"), """
                node:
                  home: state
                  listen: "127.0.0.1:%d"
                receive:
                  root: landing
                  allow: [siteA]
                  reserve: 0
                destinations:
                  siteA: {peer: "127.0.0.1:9", id: "%s"}
                """.formatted(port, senderId));
        Path root = conf.resolve("landing");
        try (FffProcess run = FffProcess.startWithoutHome("run", List.of(), "run", "--config", config.toString())) {
            String node = run.await(l -> l.startsWith("node "), Duration.ofSeconds(30));
            assertTrue(node.contains(runId) && node.contains(home.toString()), node);
            assertEquals(port, run.awaitListening());
            assertTrue(run.await("listening on").contains(root.toString()), run.output());
            run.await("destination siteA");
            try (FffProcess sender = FffProcess.start("sender", dir.resolve("a"), "send", "--to",
                    "127.0.0.1:" + port, "--peer-id", runId, "--dir", "inbox", sample.toString())) {
                assertEquals(0, sender.waitFor(Duration.ofSeconds(60)), sender.output());
                assertTrue(sender.output().contains("4 of 4 file(s)"), sender.output());
                sender.assertNoLeaks();
            }
            assertEquals(4, Nodes.assertSameTree(sample, root.resolve("inbox").resolve("sample")));
            run.await("connected (TLS TLSv1.3)");
            run.stop();
            run.assertNoLeaks();
        }
    }

    @Test
    void anUnknownKeyStopsRunAtOnceNamingTheKey(@TempDir Path dir) throws Exception {
        String senderId = Nodes.init(dir.resolve("a"));
        Path config = write(dir.resolve("node.yaml"), """
                node:
                  home: state
                  listen: "127.0.0.1:0"
                receive:
                  root: landing
                  alow: ["%s"]
                """.formatted(senderId));
        String out = runExpectingConfigError(config);
        assertTrue(out.contains("receive.alow") && out.contains("unknown key"), out);
        assertTrue(out.contains(config.toString()), "names the file: " + out);
        assertFalse(Files.exists(dir.resolve("landing")), "nothing created for a config that was refused");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"127.0.0.1:notaport", "localhost", "127.0.0.1:70000", "127.0.0.1:"})
    void aBadListenValueNamesNodeListenAndTheValue(String listen, @TempDir Path dir) throws Exception {
        String senderId = Nodes.init(dir.resolve("a"));
        Path config = write(dir.resolve("node.yaml"), """
                node:
                  home: state
                  listen: "%s"
                receive:
                  root: landing
                  allow: ["%s"]
                """.formatted(listen, senderId));
        String out = runExpectingConfigError(config);
        assertTrue(out.contains("node.listen") && out.contains("'" + listen + "'"), out);
    }

    @Test
    void aMissingConfigFileIsNamed(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nowhere").resolve("node.yaml");
        String out = runExpectingConfigError(missing);
        assertTrue(out.contains(missing.toString()) && out.contains("no such config file"), out);
    }

    /** Runs {@code fff run --config FILE}, expects exit status 2 within {@link #QUICK}; returns the output. */
    private static String runExpectingConfigError(Path config) throws Exception {
        long started = System.nanoTime();
        try (FffProcess run = FffProcess.startWithoutHome("run", List.of(), "run", "--config", config.toString())) {
            assertEquals(2, run.waitFor(QUICK), run.output());
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertTrue(took.compareTo(Duration.ofSeconds(15)) < 0, "took " + took);
            String out = run.output();
            assertFalse(out.contains("listening on"), out);
            assertFalse(out.contains("Exception") || out.contains("\tat "), "a message, not a stack trace: " + out);
            return out;
        }
    }

    private static Path write(Path file, String text) throws Exception {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text);
    }
}

package fff.node.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The real {@code fff} jar in its own JVM, as a user runs it: output captured line by line, killable with
 * SIGKILL, and checked for Netty leak reports (the child runs with paranoid leak detection).
 */
final class FffProcess implements AutoCloseable {

    static final Path JAR = Path.of("target", "fff.jar").toAbsolutePath();

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread pump;
    private final String name;

    private FffProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // process gone
            }
        }, "out-" + name);
        pump.setDaemon(true);
        pump.start();
    }

    static FffProcess start(String name, Path home, List<String> jvmFlags, String... args) throws IOException {
        List<String> withHome = new ArrayList<>(List.of(args));
        withHome.add("--home");
        withHome.add(home.toString());
        return startWithoutHome(name, jvmFlags, withHome.toArray(String[]::new));
    }

    static FffProcess start(String name, Path home, String... args) throws IOException {
        return start(name, home, List.of(), args);
    }

    /**
     * Like {@link #start(String, Path, List, String...)} but without the trailing {@code --home}, for commands
     * that take their home from elsewhere ({@code fff run --config FILE} reads {@code node.home}).
     */
    static FffProcess startWithoutHome(String name, List<String> jvmFlags, String... args) throws IOException {
        return startWrapped(name, List.of(), jvmFlags, args);
    }

    /**
     * As {@link #start(String, Path, List, String...)}, the command run behind {@code wrapper} (e.g. {@code ip netns
     * exec NS}, to run the node inside a network namespace).
     */
    static FffProcess startIn(List<String> wrapper, String name, Path home, String... args) throws IOException {
        List<String> withHome = new ArrayList<>(List.of(args));
        withHome.add("--home");
        withHome.add(home.toString());
        return startWrapped(name, wrapper, List.of(), withHome.toArray(String[]::new));
    }

    private static FffProcess startWrapped(String name, List<String> wrapper, List<String> jvmFlags, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Dio.netty.leakDetectionLevel=paranoid");
        cmd.add("-Xmx512m");
        cmd.addAll(jvmFlags);
        cmd.add("-jar");
        cmd.add(JAR.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("FFF_HOME");
        return new FffProcess(name, pb.start());
    }

    long pid() {
        return process.pid();
    }

    /** Lines printed so far. */
    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * SIGTERM, then waits up to {@code timeout} for the process to exit by itself. Returns whether it did;
     * when it did not, it is killed (SIGKILL) so that nothing outlives the test. Unlike {@link #stop()}, what
     * the process prints while it shuts down is captured: {@link Process#destroy()} closes our end of its
     * output at once, the signal through its {@link ProcessHandle} does not.
     */
    boolean stopWithin(Duration timeout) throws InterruptedException {
        process.toHandle().destroy();
        boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!exited) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        pump.join(5000);
        return exited;
    }

    /** Waits for a line matching {@code p}; fails with the output so far when it does not come. */
    String await(Predicate<String> p, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        synchronized (lines) {
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (p.test(lines.get(seen))) {
                        return lines.get(seen);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail(name + ": expected line did not appear within " + timeout + "; output:\n" + output());
                }
                lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    String await(String contains) throws InterruptedException {
        return await(l -> l.contains(contains), Duration.ofSeconds(60));
    }

    /** Port from the receiver's "listening on HOST:PORT" line. */
    int awaitListening() throws InterruptedException {
        String l = await(s -> s.startsWith("listening on "), Duration.ofSeconds(30));
        String addr = l.substring("listening on ".length(), l.indexOf(' ', "listening on ".length()));
        return Integer.parseInt(addr.substring(addr.lastIndexOf(':') + 1));
    }

    int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            fail(name + " did not finish within " + timeout + "; output:\n" + output());
        }
        pump.join(5000);
        return process.exitValue();
    }

    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        pump.join(5000);
    }

    /** SIGTERM: the graceful path. */
    void stop() throws InterruptedException {
        // through the handle: Process.destroy() also closes our end of its output, losing the last lines
        process.toHandle().destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        pump.join(5000);
    }

    String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    void assertNoLeaks() {
        assertFalse(output().contains("LEAK:"), name + " reported a Netty buffer leak:\n" + output());
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        pump.join(5000);
        // lands in the failsafe report of the test, for whoever reads a failure
        System.out.println("---- " + name + " output ----\n" + output());
    }
}

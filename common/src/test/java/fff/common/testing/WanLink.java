package fff.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real emulated WAN link for tests: two network namespaces joined by a veth pair with delay, random loss and
 * a rate limit in both directions, made and removed by the project's {@code ops/wan} scripts (see
 * {@code ops/wan/README.md}). Side A is {@value #ADDRESS_A}, side B {@value #ADDRESS_B}; programs run inside a
 * side through {@link #command}. Each namespace defaults to cubic, as a stock Debian server does.
 *
 * <p>Every link has namespace names of its own ({@code fffwan-PID-N-a} and {@code -b}) and its own run-state
 * folder, so it never touches the {@code ffa}/{@code ffb} of a benchmark running at the same time, nor another
 * JVM's link (the veth ends are created inside the namespaces, so equal names and addresses do not clash).
 * {@link #up} first removes the links of JVMs that are gone (a crashed or killed run); a shutdown hook removes
 * this JVM's links if {@link #close} was never reached.
 *
 * <p>Needs root and {@code ip}: tests guard with {@code assumeTrue(WanLink.available(), WanLink.skipReason())}.
 * CI runs as root, so there these tests do run. The scripts install what else they miss with apt-get.
 */
public final class WanLink implements AutoCloseable {

    public static final String ADDRESS_A = "10.77.0.1";
    public static final String ADDRESS_B = "10.77.0.2";

    /** The first {@code up} on a machine may apt-get the kit's packages and compile nfq-delay. */
    private static final Duration UP_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(15);
    private static final String PREFIX = "fffwan-";
    private static final Pattern OURS = Pattern.compile("(" + Pattern.quote(PREFIX) + "(\\d+)-\\d+)(-[ab])?");
    private static final Pattern PING_RTT = Pattern.compile("= [0-9.]+/([0-9.]+)/");
    private static final Path RUN_ROOT = Path.of("/tmp/fff-wanlink");
    private static final Path NETNS = Path.of("/run/netns");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final Path scripts;
    private final String name;
    private final int rateMbit;
    private final Thread shutdownHook;
    private boolean closed;

    private WanLink(Path scripts, String name, int rateMbit) {
        this.scripts = scripts;
        this.name = name;
        this.rateMbit = rateMbit;
        this.shutdownHook = new Thread(this::downQuietly, "wanlink-down-" + name);
    }

    /** Whether links can be made here: root, {@code ip}, and the repository's {@code ops/wan} found. */
    public static boolean available() {
        return skipReason() == null;
    }

    /** Why {@link #available()} is false, for {@code assumeTrue}; null when it is true. */
    public static String skipReason() {
        if (!effectiveUidIsRoot()) {
            return "WAN emulation needs root (network namespaces, iptables, tc); CI runs as root";
        }
        if (findOnPath("ip") == null) {
            return "WAN emulation needs the ip command (Debian: apt-get install iproute2)";
        }
        if (scriptsDir() == null) {
            return "ops/wan/netns-up.sh not found in " + Path.of("").toAbsolutePath() + " or any parent";
        }
        return null;
    }

    /**
     * Makes a link: {@code rttMs} round trip (half each way), {@code lossPct} percent of packets lost in each
     * direction, {@code rateMbit} Mbit/s each way (0: no limit). Fails with the script's output.
     */
    public static WanLink up(int rttMs, double lossPct, int rateMbit) throws IOException {
        checkLink(rttMs, lossPct);
        if (rateMbit < 0) {
            throw new IllegalArgumentException("rateMbit must be >= 0, got " + rateMbit);
        }
        String reason = skipReason();
        if (reason != null) {
            throw new IllegalStateException(reason);
        }
        Path scripts = scriptsDir();
        removeLeftovers(scripts);
        String name = PREFIX + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
        WanLink link = new WanLink(scripts, name, rateMbit);
        Runtime.getRuntime().addShutdownHook(link.shutdownHook);
        try {
            link.script("netns-up.sh", link.linkEnv(rttMs, lossPct), UP_TIMEOUT);
        } catch (IOException | RuntimeException e) {
            try {
                link.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return link;
    }

    /** Changes delay and loss under running programs (the rate stays); nfq-delay restarts, ~0.3 s per side. */
    public void set(int rttMs, double lossPct) throws IOException {
        checkLink(rttMs, lossPct);
        requireOpen();
        script("netns-set.sh", linkEnv(rttMs, lossPct), SCRIPT_TIMEOUT);
    }

    /** Side A's namespace. */
    public String nsA() {
        return name + "-a";
    }

    /** Side B's namespace. */
    public String nsB() {
        return name + "-b";
    }

    public String addressA() {
        return ADDRESS_A;
    }

    public String addressB() {
        return ADDRESS_B;
    }

    /** {@code cmd} to run inside {@code ns} (one of {@link #nsA()}, {@link #nsB()}), as root. */
    public ProcessBuilder command(String ns, List<String> cmd) {
        if (!ns.equals(nsA()) && !ns.equals(nsB())) {
            throw new IllegalArgumentException("'" + ns + "' is not a side of this link (" + nsA() + ", " + nsB()
                    + ")");
        }
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        all.addAll(cmd);
        ProcessBuilder pb = new ProcessBuilder(all);
        withSbinOnPath(pb.environment());
        return pb;
    }

    /** The TCP connections in {@code ns} with {@code port} at either end, as {@code ss -tin} shows them now. */
    public List<TcpConn> sockets(String ns, int port) throws IOException {
        requireOpen();
        String out = run(command(ns, List.of("ss", "-tinH")), "ss -tinH in " + ns, QUERY_TIMEOUT);
        return TcpConn.parse(out).stream().filter(c -> c.touches(port)).toList();
    }

    /**
     * The round trip from A to B in ms, the average of 3 pings. {@code ping -U} (user to user): a plain ping
     * takes its receive time stamp before the emulated delay on the way in and shows only half of it.
     */
    public double measureRttMs() throws IOException {
        requireOpen();
        String out = run(command(nsA(), List.of("ping", "-U", "-n", "-q", "-c", "3", "-i", "0.2", "-W", "5",
                ADDRESS_B)), "ping from " + nsA(), QUERY_TIMEOUT);
        Matcher m = PING_RTT.matcher(out);
        if (!m.find()) {
            throw new IOException("no rtt line in ping's output: " + out.strip());
        }
        return Double.parseDouble(m.group(1));
    }

    /** Stops every process inside both namespaces and removes them. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs down() itself
        }
        try {
            down(scripts, name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void downQuietly() {
        try {
            down(scripts, name);
        } catch (IOException | RuntimeException e) {
            System.err.println("WanLink " + name + ": " + e.getMessage());
        }
    }

    private synchronized void requireOpen() {
        if (closed) {
            throw new IllegalStateException("WanLink " + name + " is closed");
        }
    }

    private Map<String, String> linkEnv(int rttMs, double lossPct) {
        return Map.of("RTT_MS", Integer.toString(rttMs), "LOSS_PCT", BigDecimal.valueOf(lossPct).toPlainString(),
                "RATE_MBIT", Integer.toString(rateMbit));
    }

    private void script(String script, Map<String, String> extra, Duration timeout) throws IOException {
        runScript(scripts, name, script, extra, timeout);
    }

    private static void down(Path scripts, String name) throws IOException {
        runScript(scripts, name, "netns-down.sh", Map.of(), SCRIPT_TIMEOUT);
        deleteTree(RUN_ROOT.resolve(name));
    }

    private static void runScript(Path scripts, String name, String script, Map<String, String> extra,
            Duration timeout) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("bash", scripts.resolve(script).toString());
        Map<String, String> env = pb.environment();
        withSbinOnPath(env);
        env.put("NS_A", name + "-a");
        env.put("NS_B", name + "-b");
        env.put("IP_A", ADDRESS_A);
        env.put("IP_B", ADDRESS_B);
        env.put("WAN_RUN", RUN_ROOT.resolve(name).toString());
        env.putAll(extra);
        run(pb, script + " " + new TreeMap<>(extra) + " for " + name, timeout);
    }

    /** Removes links whose JVM is gone (namespaces and run-state folders). */
    private static void removeLeftovers(Path scripts) throws IOException {
        Set<String> gone = new TreeSet<>();
        for (Path dir : List.of(NETNS, RUN_ROOT)) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    Matcher m = OURS.matcher(p.getFileName().toString());
                    if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(2))).isEmpty()) {
                        gone.add(m.group(1));
                    }
                }
            }
        }
        for (String link : gone) {
            down(scripts, link);
        }
    }

    private static String run(ProcessBuilder pb, String what, Duration timeout) throws IOException {
        Path out = Files.createTempFile("fff-wanlink", ".out");
        try {
            pb.redirectErrorStream(true).redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
            Process p = pb.start();
            p.getOutputStream().close();
            boolean done;
            try {
                done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                done = false;
            }
            if (!done) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IOException(what + ": no result within " + timeout + ": " + tail(out));
            }
            if (p.exitValue() != 0) {
                throw new IOException(what + ": exit status " + p.exitValue() + ": " + tail(out));
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static String tail(Path out) throws IOException {
        String s = Files.readString(out, StandardCharsets.UTF_8).strip();
        return s.length() <= 4000 ? s : "..." + s.substring(s.length() - 4000);
    }

    private static void checkLink(int rttMs, double lossPct) {
        if (rttMs < 0) {
            throw new IllegalArgumentException("rttMs must be >= 0, got " + rttMs);
        }
        if (!(lossPct >= 0 && lossPct <= 100)) {
            throw new IllegalArgumentException("lossPct must be in 0..100, got " + lossPct);
        }
    }

    /** {@code ops/wan} of the repository: the first parent of the working directory that holds it. */
    private static Path scriptsDir() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("ops/wan/netns-up.sh"))) {
                return d.resolve("ops/wan");
            }
        }
        return null;
    }

    private static boolean effectiveUidIsRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0"); // Uid: real effective saved fs
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return false;
    }

    private static Path findOnPath(String cmd) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, cmd))) {
                return Path.of(dir, cmd);
            }
        }
        return null;
    }

    private static void withSbinOnPath(Map<String, String> env) {
        env.put("PATH", env.getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin");
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

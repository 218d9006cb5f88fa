package fff.node.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Debian's Firefox ESR, headless, driven over WebDriver BiDi, which Firefox speaks itself (no geckodriver, which
 * Debian does not package): a WebSocket, JSON commands with ids, replies matched by id. Only what the page test
 * needs: navigate, evaluate a script (awaiting promises), take a screenshot.
 */
final class Firefox implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/bin/firefox-esr");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final WebSocket socket;
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final String context;

    private Firefox(Process process, URI endpoint) throws Exception {
        this.process = process;
        StringBuilder part = new StringBuilder();
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(endpoint, new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                part.append(data);
                if (last) {
                    reply(part.toString());
                    part.setLength(0);
                }
                ws.request(1);
                return null;
            }
        }).get(30, TimeUnit.SECONDS);
        command("session.new", JSON.createObjectNode().set("capabilities", JSON.createObjectNode()));
        context = command("browsingContext.getTree", JSON.createObjectNode()).path("contexts").get(0)
                .path("context").asText();
    }

    /** Starts Firefox with a fresh profile under {@code dir} on a free port. */
    static Firefox start(Path dir) throws Exception {
        Path profile = Files.createDirectories(dir.resolve("firefox-profile"));
        int port = Nodes.freePort();
        Process p = new ProcessBuilder(BINARY.toString(), "--headless", "--no-remote", "--profile", profile.toString(),
                "--remote-debugging-port", Integer.toString(port), "about:blank").redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> listening = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.contains("WebDriver BiDi listening on ")) {
                        Thread drain = new Thread(() -> out.lines().forEach(l -> { }));
                        drain.setDaemon(true);
                        drain.start();
                        return line.substring(line.indexOf("ws://"));
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        String ws;
        try {
            ws = listening.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            ws = null;
        }
        if (ws == null) {
            p.destroyForcibly();
            throw new IllegalStateException("firefox did not offer WebDriver BiDi within 60 s");
        }
        return new Firefox(p, URI.create(ws + "/session"));
    }

    private void reply(String text) {
        try {
            JsonNode m = JSON.readTree(text);
            if (!m.has("id")) {
                return; // an event: none subscribed
            }
            CompletableFuture<JsonNode> f = pending.remove(m.path("id").asLong());
            if (f == null) {
                return;
            }
            if ("success".equals(m.path("type").asText())) {
                f.complete(m.path("result"));
            } else {
                f.completeExceptionally(new IllegalStateException(m.path("error").asText() + ": "
                        + m.path("message").asText()));
            }
        } catch (IOException e) {
            pending.values().forEach(f -> f.completeExceptionally(e));
        }
    }

    private JsonNode command(String method, ObjectNode params) throws Exception {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, f);
        ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
        msg.set("params", params);
        socket.sendText(JSON.writeValueAsString(msg), true).get(10, TimeUnit.SECONDS);
        return f.get(60, TimeUnit.SECONDS);
    }

    void navigate(String url) throws Exception {
        command("browsingContext.navigate", JSON.createObjectNode().put("context", context).put("url", url)
                .put("wait", "complete"));
    }

    /** The value of {@code expression} (a promise is awaited) as BiDi serialises it: {"type": ..., "value": ...}. */
    JsonNode eval(String expression) throws Exception {
        ObjectNode p = JSON.createObjectNode().put("expression", expression).put("awaitPromise", true);
        p.set("target", JSON.createObjectNode().put("context", context));
        JsonNode r = command("script.evaluate", p);
        if (!"success".equals(r.path("type").asText())) {
            throw new IllegalStateException("script failed: " + r.path("exceptionDetails").path("text").asText()
                    + " in " + expression);
        }
        return r.path("result");
    }

    /** Evaluates {@code condition} every 100 ms until it is true. */
    void await(String condition, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!eval("!!(" + condition + ")").path("value").asBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not true within " + timeout + ": " + condition);
            }
            Thread.sleep(100);
        }
    }

    void screenshot(Path png) throws Exception {
        String data = command("browsingContext.captureScreenshot", JSON.createObjectNode().put("context", context))
                .path("data").asText();
        Files.createDirectories(png.getParent());
        Files.write(png, Base64.getDecoder().decode(data));
    }

    @Override
    public void close() throws Exception {
        try {
            command("session.end", JSON.createObjectNode());
        } catch (Exception e) {
            // going anyway
        }
        socket.abort();
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}

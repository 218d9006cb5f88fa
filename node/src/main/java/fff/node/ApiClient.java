package fff.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * How the queue commands ({@code fff status}, {@code jobs}, {@code cancel}, ...) reach a running node: its JSON
 * API at {@code --url}, with the token from the node's home for mutations. Errors come back as the API's
 * {@code {"error": ...}} message.
 */
final class ApiClient {

    /** {@code --url} and {@code --home}, shared by the queue commands. */
    static final class Options {
        @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080",
                description = "The node's web address (its web.listen). Default: ${DEFAULT-VALUE}")
        String url;

        @Mixin
        HomeOption home;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final Path home;

    ApiClient(Options o) {
        this.base = o.url.endsWith("/") ? o.url.substring(0, o.url.length() - 1) : o.url;
        this.home = o.home.resolve();
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    /** A mutation: POST (or PUT with {@code put}) of a JSON body, with the node's token. */
    JsonNode change(String method, String path, Object body) throws IOException, InterruptedException {
        String token;
        try {
            token = UiToken.load(home);
        } catch (NoSuchFileException e) {
            throw new IOException("no web UI token in " + home + " (run this on the node, or pass its --home)");
        }
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    private JsonNode send(HttpRequest.Builder b) throws IOException, InterruptedException {
        HttpResponse<String> r;
        try {
            r = http.send(b.timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new IOException("no node answers at " + base + " (is fff run going, and is this its web.listen?)");
        }
        JsonNode body = r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
        if (r.statusCode() >= 400) {
            throw new IOException(body.path("error").asText("HTTP " + r.statusCode()));
        }
        return body;
    }
}

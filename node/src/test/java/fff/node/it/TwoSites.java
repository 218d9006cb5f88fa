package fff.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** siteA watches {@code dir/w} and sends to siteB, which lands in {@code dir/landing}; both serve the API. */
final class TwoSites {
    final Path dir;
    final Path watch;
    final Path landing;
    final String aId;
    final String bId;
    final int port;
    final int web;
    private final HttpClient http = HttpClient.newHttpClient();
    private String token;

    TwoSites(Path dir) throws Exception {
        this.dir = dir;
        this.watch = dir.resolve("w");
        this.landing = dir.resolve("landing");
        this.aId = Nodes.init(dir.resolve("a"));
        this.bId = Nodes.init(dir.resolve("b"));
        this.port = Nodes.freePort();
        this.web = Nodes.freePort();
    }

    FffProcess startReceiver(String profiles) throws Exception {
        Path conf = Files.writeString(dir.resolve("b.yaml"), """
                node: {home: b, listen: "127.0.0.1:%d"}
                web: {listen: "127.0.0.1:0"}
                receive: {root: landing, allow: ["%s"], reserve: 0}
                %s
                """.formatted(port, aId, profiles));
        FffProcess b = FffProcess.startWithoutHome("siteB", List.of(), "run", "--config", conf.toString());
        b.awaitListening();
        return b;
    }

    FffProcess startSender(String rest) throws Exception {
        return startSender("", rest);
    }

    /** {@code siteB} is extra keys of the destination siteB, e.g. {@code ", rate: 50M"}. */
    FffProcess startSender(String siteB, String rest) throws Exception {
        Path conf = Files.writeString(dir.resolve("a.yaml"), """
                node: {home: a}
                web: {listen: "127.0.0.1:%d"}
                groups: {total: {limit: 4, children: {NAS: {limit: 3}}}}
                destinations:
                  siteB: {peer: "127.0.0.1:%d", id: "%s"%s}
                %s
                """.formatted(web, port, bId, siteB, rest));
        return FffProcess.startWithoutHome("siteA", List.of(), "run", "--config", conf.toString());
    }

    /** siteA's UI token, as {@code fff id --token} prints it. */
    String token() throws Exception {
        if (token == null) {
            try (FffProcess id = FffProcess.start("id", dir.resolve("a"), "id", "--token")) {
                assertEquals(0, id.waitFor(Duration.ofSeconds(30)), id.output());
                token = id.lines().get(id.lines().size() - 1).strip();
            }
        }
        return token;
    }

    HttpResponse<String> api(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web + path))
                .header("Authorization", "Bearer " + token())
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }
}

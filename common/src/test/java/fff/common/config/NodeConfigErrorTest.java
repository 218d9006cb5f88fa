package fff.common.config;

import static fff.common.config.NodeConfigLoadTest.ONES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files that do not load: each message names the file, the key and the bad value. */
class NodeConfigErrorTest {

    private static final String LISTEN = "node: {listen: \"0.0.0.0:7700\"}\n";

    @TempDir
    Path dir;

    private String error(String yaml) throws IOException {
        return ConfigFiles.error(dir, yaml);
    }

    @Test
    void unknownKeysNameTheFullPathAndTheKnownKeys() throws IOException {
        assertEquals("nodes: unknown key (known: node, web, groups, destinations, receive, watch, sources, jobs, "
                        + "profiles, ffmpeg)",
                error("nodes: {}\n"));
        assertEquals("node.port: unknown key (known: home, listen, plain, rate)", error("node: {port: 1}\n"));
        assertEquals("web.port: unknown key (known: listen)", error("web: {port: 1}\n"));
        assertEquals("receive.alow: unknown key (known: root, allow, allow-any, reserve, stale-partials, group, "
                        + "convert)",
                error("receive:\n  root: /in\n  alow: [x]\n"));
        assertEquals("destinations.siteB.ip: unknown key "
                        + "(known: peer, id, plain, connections, congestion, ftp, password-env, password-file, ca-file, "
                        + "active, local, rate)",
                error("destinations:\n  siteB: {peer: \"b:1\", ip: 1}\n"));
    }

    @Test
    void theConvertSectionIsReadWithDefaultsAndItsErrorsNameTheFullKey() throws Exception {
        ConvertSection none = ConfigFiles.load(dir, "receive: {root: /in}\n").receive().convert();
        assertEquals(ConvertSection.defaultLimit(), none.limit());
        assertEquals(10L << 30, none.storeMax());
        assertEquals(java.time.Duration.ofDays(7), none.storeAge());
        ConvertSection set = ConfigFiles.load(dir,
                "receive: {root: /in, convert: {limit: 3, store-max: 2G, store-age: 12h}}\n").receive().convert();
        assertEquals(new ConvertSection(3, 2L << 30, java.time.Duration.ofHours(12)), set);

        assertEquals("receive.convert.limits: unknown key (known: limit, store-max, store-age)",
                error("receive: {root: /in, convert: {limits: 2}}\n"));
        assertEquals("receive.convert.limit: '0' must be at least 1",
                error("receive: {root: /in, convert: {limit: 0}}\n"));
        assertEquals("receive.convert.limit: 'two' is not a whole number",
                error("receive: {root: /in, convert: {limit: two}}\n"));
        assertTrue(error("receive: {root: /in, convert: {store-max: lots}}\n").startsWith("receive.convert.store-max:"),
                error("receive: {root: /in, convert: {store-max: lots}}\n"));
        assertTrue(error("receive: {root: /in, convert: {store-age: 0s}}\n").startsWith("receive.convert.store-age: '0'"),
                error("receive: {root: /in, convert: {store-age: 0s}}\n"));
    }

    @Test
    void typeErrorsNameTheKeyAndTheValue() throws IOException {
        assertEquals("node.listen: 'localhost' is not HOST:PORT", error("node: {listen: localhost}\n"));
        assertEquals("node.listen: 'h:x' has no numeric port", error("node: {listen: \"h:x\"}\n"));
        assertEquals("node.listen: 'h:70000': port 70000 is out of range 0-65535",
                error("node: {listen: \"h:70000\"}\n"));
        assertEquals("web.listen: expected a single value, not a mapping", error("web: {listen: {host: x}}\n"));
        assertEquals("node.plain: 'maybe' is not true or false", error("node: {plain: maybe}\n"));
        assertEquals("node: expected a mapping of keys, not 'true'", error("node: true\n"));
        assertEquals("receive.allow: expected a list like [a, b], not 'siteA'",
                error("receive: {root: /in, allow: siteA}\n"));
        assertEquals("receive.allow[1]: expected a single value, not a list",
                error("receive: {root: /in, allow: [a, [b]]}\n"));
        assertEquals("receive.allow-any: '1' is not true or false", error("receive: {allow-any: 1}\n"));
        assertEquals("expected a mapping of sections (node, web, groups, destinations, receive, watch, jobs, "
                        + "profiles, ffmpeg), not a list",
                error("- node\n"));
    }

    @Test
    void listeningNeedsARoot() throws IOException {
        assertEquals("receive.root: required when node.listen is set", error(LISTEN));
        assertEquals("receive.root: required when node.listen is set", error(LISTEN + "receive: {allow-any: true}\n"));
        assertEquals("node.home: empty path", error("node: {home: \"\"}\n"));
    }

    @Test
    void listeningNeedsSomeoneAllowed() throws IOException {
        String expected = "receive.allow: no sender is allowed; list node IDs or destination names, "
                + "or set allow-any: true";
        assertEquals(expected, error(LISTEN + "receive: {root: /in}\n"));
        assertEquals(expected, error(LISTEN + "receive: {root: /in, allow: [], allow-any: false}\n"));
    }

    @Test
    void allowEntryThatIsNeitherDestinationNorNodeIdNamesItsIndex() throws IOException {
        String message = error(LISTEN + """
                destinations:
                  siteB: {peer: "b:7700", id: "%s"}
                receive:
                  root: /in
                  allow: [siteB, "%s", siteC]
                """.formatted(ONES, ONES));
        assertTrue(message.startsWith("receive.allow[2]: 'siteC' is neither a destination with an id nor a node ID"),
                message);
    }

    @Test
    void allowOfADestinationWithoutIdSaysSo() throws IOException {
        assertEquals("receive.allow[0]: destination 'siteB' has no id; set destinations.siteB.id to its node ID",
                error("destinations: {siteB: {peer: \"b:7700\"}}\nreceive: {root: /in, allow: [siteB]}\n"));
    }

    @Test
    void sizesAndDurationsNameTheirKey() throws IOException {
        assertEquals("receive.reserve: '1 gallon' is not a size (e.g. 0, 500M, 1G, 10GiB)",
                error("receive: {reserve: 1 gallon}\n"));
        assertEquals("receive.reserve: '-1' is not a size (e.g. 0, 500M, 1G, 10GiB)",
                error("receive: {reserve: -1}\n"));
        assertEquals("receive.stale-partials: '7 days' is not a duration (e.g. 45s, 30m, 12h, 7d, 1h30m)",
                error("receive: {stale-partials: 7 days}\n"));
        assertTrue(error("receive: {stale-partials: 0}\n").startsWith("receive.stale-partials: '0' must be longer"));
    }

    @Test
    void destinationNeedsExactlyOneKind() throws IOException {
        assertEquals("destinations.x: give exactly one of peer, ftp, local", error("destinations: {x: {}}\n"));
        assertEquals("destinations.x: give exactly one of peer, ftp, local", error("destinations:\n  x:\n"));
        assertEquals("destinations.x: give exactly one of peer, ftp, local (got 2)",
                error("destinations: {x: {peer: \"a:1\", local: /mnt}}\n"));
        assertEquals("destinations.x: expected a mapping of keys, not 'a:1'", error("destinations: {x: \"a:1\"}\n"));
    }

    @Test
    void peerDestinationErrorsNameTheirKey() throws IOException {
        assertEquals("destinations.x.id: invalid node id \"nope\": expected 52 base32 characters, got 4",
                error("destinations: {x: {peer: \"a:1\", id: nope}}\n"));
        assertEquals("destinations.x.peer: 'a' is not HOST:PORT", error("destinations: {x: {peer: a}}\n"));
        assertEquals("destinations.x.peer: 'a:0' has port 0", error("destinations: {x: {peer: \"a:0\"}}\n"));
        assertEquals("destinations.x.connections: '0' must be at least 1, or auto",
                error("destinations: {x: {peer: \"a:1\", connections: 0}}\n"));
        assertEquals("destinations.x.connections: 'many' is not a whole number",
                error("destinations: {x: {peer: \"a:1\", connections: many}}\n"));
        assertEquals("destinations.x.congestion: 'BBR' is not a congestion control name (e.g. bbr, cubic, reno, "
                + "or system for the machine's default)", error("destinations: {x: {peer: \"a:1\", congestion: BBR}}\n"));
        assertEquals("destinations.x.plain: 'sometimes' is not true or false",
                error("destinations: {x: {peer: \"a:1\", plain: sometimes}}\n"));
        assertEquals("destinations.a:b: a destination name may only have letters, digits, '.', '_' and '-'",
                error("destinations: {\"a:b\": {peer: \"a:1\"}}\n"));
    }

    @Test
    void ftpAndLocalDestinationsRefuseKeysOfOtherKinds() throws IOException {
        assertEquals("destinations.usb.connections: only a peer destination has connections",
                error("destinations: {usb: {local: /mnt/backup, connections: 2}}\n"));
        assertEquals("destinations.usb.congestion: only a peer destination has congestion",
                error("destinations: {usb: {local: /mnt/backup, congestion: bbr}}\n"));
        assertEquals("destinations.usb.id: only a peer destination has an id",
                error("destinations: {usb: {local: /mnt/backup, id: \"%s\"}}\n".formatted(ONES)));
        assertEquals("destinations.usb.password-env: only an ftp folder has password-env",
                error("destinations: {usb: {local: /mnt/backup, password-env: X}}\n"));
    }

    @Test
    void missingFileNamesTheFile() {
        Path file = dir.resolve("nope.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> NodeConfig.load(file));
        assertEquals(file + ": no such config file", e.getMessage());
    }

    @Test
    void yamlSyntaxErrorNamesTheFileAndLine() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "node:\n  home: /x\n  listen: [oops\nweb: {}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> NodeConfig.load(file));
        assertEquals(file + " line 4: not valid YAML: expected ',' or ']', but got : (while parsing a flow sequence)",
                e.getMessage());
    }

    @Test
    void tabIndentationNamesTheLineOfTheTab() throws IOException {
        Path file = Files.writeString(dir.resolve("tab.yaml"), "node:\n\tplain: true\n");
        ConfigException e = assertThrows(ConfigException.class, () -> NodeConfig.load(file));
        assertTrue(e.getMessage().startsWith(file + " line 2: not valid YAML: "), e.getMessage());
        assertTrue(e.getMessage().contains("TAB"), e.getMessage());
    }

    @Test
    void directoryInsteadOfFileIsAnError() {
        ConfigException e = assertThrows(ConfigException.class, () -> NodeConfig.load(dir));
        assertTrue(e.getMessage().startsWith(dir + ": cannot read config file: "), e.getMessage());
    }

    @Test
    void badIndentationNamesItsLine() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "node:\n  home: /x\n listen: a:1\n");
        ConfigException e = assertThrows(ConfigException.class, () -> NodeConfig.load(file));
        assertTrue(e.getMessage().startsWith(file + " line 3: not valid YAML: "), e.getMessage());
    }

    @Test
    void duplicateKeyIsAnError() throws IOException {
        Path file = Files.writeString(dir.resolve("dup.yaml"), "node:\n  plain: true\n  plain: false\n");
        ConfigException e = assertThrows(ConfigException.class, () -> NodeConfig.load(file));
        assertTrue(e.getMessage().startsWith(file + " line 3: not valid YAML: "), e.getMessage());
        assertTrue(e.getMessage().contains("plain"), e.getMessage());
    }
}

package fff.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.identity.NodeId;
import fff.common.wire.HostPort;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files that load: values, defaults, relative paths and name resolution. */
class NodeConfigLoadTest {

    static final String ZEROS = "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA";
    static final String ONES = "7777-7777-7777-7777-7777-7777-7777-7777-7777-7777-7777-7777-777Q";

    @TempDir
    Path dir;

    private NodeConfig load(String yaml) throws IOException, ConfigException {
        return ConfigFiles.load(dir, yaml);
    }

    @Test
    void fullExampleLoadsWithItsValues() throws Exception {
        NodeConfig c = NodeConfig.load(Path.of(getClass().getResource("/config/full.yaml").toURI()));

        assertEquals(new NodeSection(Path.of("/var/lib/fff"), new HostPort("0.0.0.0", 7700), false), c.node());
        assertTrue(c.receives());
        assertEquals(new HostPort("127.0.0.1", 8081), c.web().listen());

        assertEquals(List.of("siteB", "siteA"), List.copyOf(c.destinations().keySet()), "file order");
        Destination siteB = c.destinations().get("siteB");
        assertEquals(Destination.Kind.PEER, siteB.kind());
        assertEquals(new HostPort("siteb.example", 7700), siteB.peer());
        assertEquals(NodeId.parse(ZEROS), siteB.id());
        assertFalse(siteB.plain());
        assertEquals(Destination.AUTO_CONNECTIONS, siteB.connections(), "default: auto");
        assertNull(siteB.congestion(), "default: bbr where the kernel has it");
        Destination siteA = c.destinations().get("siteA");
        assertEquals(new HostPort("2001:db8::1", 7700), siteA.peer());
        assertEquals(NodeId.parse(ONES), siteA.id());
        assertTrue(siteA.plain());
        assertEquals(4, siteA.connections());
        assertEquals("cubic", siteA.congestion());

        ReceiveSection r = c.receive();
        assertEquals(Path.of("/srv/fff/incoming"), r.root());
        assertEquals(List.of("siteA"), r.allow());
        assertFalse(r.allowAny());
        assertEquals(10L << 30, r.reserve());
        assertEquals(Duration.ofHours(12), r.stalePartials());
        assertEquals(Set.of(NodeId.parse(ONES)), c.allowedIds());
    }

    @Test
    void emptyFileIsASendOnlyNodeWithDefaults() throws Exception {
        NodeConfig c = load("");
        assertEquals(NodeSection.defaultHome(), c.node().home());
        assertNull(c.node().listen());
        assertFalse(c.node().plain());
        assertFalse(c.receives());
        assertEquals(new HostPort("127.0.0.1", 8080), c.web().listen());
        assertNull(c.receive());
        assertEquals(Map.of(), c.destinations());
        assertEquals(Set.of(), c.allowedIds());
        assertEquals(c, load("# nothing but a comment\n"));
        assertEquals(c, load("node:\nweb:\ndestinations: {}\n"));
    }

    @Test
    void receiveAndDestinationDefaults() throws Exception {
        NodeConfig c = load("""
                node: {listen: ":::7700"}
                receive: {root: /in, allow-any: true}
                destinations:
                  b: {peer: "b.example:7700"}
                  c: {peer: "c.example:7700", connections: auto}
                  d: {peer: "d.example:7700", connections: 3}
                """);
        assertEquals(new HostPort("::", 7700), c.node().listen());
        ReceiveSection r = c.receive();
        assertEquals(List.of(), r.allow());
        assertTrue(r.allowAny());
        assertEquals(1L << 30, r.reserve());
        assertEquals(Duration.ofDays(7), r.stalePartials());
        Destination b = c.destinations().get("b");
        assertNull(b.id());
        assertFalse(b.plain());
        assertEquals(Destination.AUTO_CONNECTIONS, b.connections());
        assertEquals(Destination.AUTO_CONNECTIONS, c.destinations().get("c").connections());
        assertEquals(3, c.destinations().get("d").connections());
    }

    @Test
    void peerPlainDefaultsToNodePlain() throws Exception {
        NodeConfig c = load("""
                node: {plain: true}
                destinations:
                  inherits: {peer: "a:1"}
                  overrides: {peer: "b:1", plain: false}
                """);
        assertTrue(c.destinations().get("inherits").plain());
        assertFalse(c.destinations().get("overrides").plain());
    }

    @Test
    void defaultHomeIsFffHomeElseDotFffInUserHome() {
        assertEquals(Path.of("/data/fff"), NodeSection.defaultHome(Map.of("FFF_HOME", "/data/fff")::get, "/home/u"));
        assertEquals(Path.of("/home/u/.fff"), NodeSection.defaultHome(Map.of("FFF_HOME", " ")::get, "/home/u"));
        assertEquals(Path.of("/home/u/.fff"), NodeSection.defaultHome(Map.<String, String>of()::get, "/home/u"));
    }

    @Test
    void relativePathsResolveAgainstTheConfigFilesDirectory() throws Exception {
        Path file = ConfigFiles.write(dir.resolve("etc/fff/node.yaml"), """
                node: {home: state, listen: "0.0.0.0:7700"}
                receive: {root: ../../srv/incoming, allow-any: true}
                """);
        NodeConfig c = NodeConfig.load(file);
        assertEquals(dir.resolve("etc/fff/state").toAbsolutePath(), c.node().home());
        assertEquals(dir.resolve("srv/incoming").toAbsolutePath(), c.receive().root());

        NodeConfig absolute = load("receive: {root: /srv/in}\n");
        assertEquals(Path.of("/srv/in"), absolute.receive().root());
    }

    @Test
    void allowByDestinationNameResolvesToThatDestinationsId() throws Exception {
        NodeConfig c = load("""
                node: {listen: "0.0.0.0:7700"}
                destinations:
                  siteB: {peer: "siteb.example:7700", id: "%s"}
                receive:
                  root: /in
                  allow: [siteB, "%s", %s]
                """.formatted(ONES, ZEROS.toLowerCase(), ONES.replace("-", "")));
        assertEquals(List.of(NodeId.parse(ONES), NodeId.parse(ZEROS)), List.copyOf(c.allowedIds()));
    }

    @Test
    void webIsParsedWithListenOnly() throws Exception {
        assertEquals(new HostPort("::", 9000), load("web: {listen: \"[::]:9000\"}\n").web().listen());
    }

    @Test
    void numbersAreAcceptedWhereTextIsExpected() throws Exception {
        NodeConfig c = load("receive: {root: /in, reserve: 0}\n");
        assertEquals(0, c.receive().reserve());
    }
}

package fff.common.config;

import static fff.common.config.NodeConfigLoadTest.ONES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import fff.common.identity.NodeId;
import fff.common.wire.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The records checked as they are built in code, without a file. */
class NodeConfigRecordsTest {

    private static final HostPort LISTEN = new HostPort("0.0.0.0", 7700);

    @Test
    void nullsTakeTheDocumentedDefaults() {
        NodeConfig c = new NodeConfig(null, null, null, null, null, null, null);
        assertEquals(NodeSection.defaults(), c.node());
        assertEquals(WebSection.DEFAULT_LISTEN, c.web().listen());
        assertEquals(Map.of(), c.destinations());
        ReceiveSection r = new ReceiveSection(Path.of("/in"), null, true, ReceiveSection.DEFAULT_RESERVE, null, null);
        assertEquals(List.of(), r.allow());
        assertEquals(Duration.ofDays(7), r.stalePartials());
    }

    @Test
    void collectionsAreCopiedAndUnmodifiable() {
        List<String> allow = new ArrayList<>(List.of(ONES));
        ReceiveSection r = new ReceiveSection(Path.of("/in"), allow, false, 0, null, null);
        allow.clear();
        assertEquals(List.of(ONES), r.allow());
        assertThrows(UnsupportedOperationException.class, () -> r.allow().add("x"));

        Map<String, Destination> destinations = new LinkedHashMap<>();
        destinations.put("b", Destination.peer("b", new HostPort("b", 1), null, false));
        destinations.put("a", Destination.peer("a", new HostPort("a", 1), NodeId.parse(ONES), false));
        NodeConfig c = new NodeConfig(new NodeSection(Path.of("/h"), LISTEN, false), null, r, destinations, null, null, null);
        destinations.clear();
        assertEquals(List.of("b", "a"), List.copyOf(c.destinations().keySet()));
        assertThrows(UnsupportedOperationException.class, () -> c.destinations().remove("a"));
        assertThrows(UnsupportedOperationException.class, () -> c.allowedIds().clear());
        assertEquals(Set.of(NodeId.parse(ONES)), c.allowedIds());
    }

    @Test
    void crossSectionRulesHoldForRecordsBuiltInCode() {
        NodeSection listening = new NodeSection(Path.of("/h"), LISTEN, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NodeConfig(listening, null, null, null, null, null, null));
        assertEquals("receive.root: required when node.listen is set", e.getMessage());

        Destination ftp = Destination.ftp("archive",
                FtpLocation.parse("destinations.archive.ftp", "ftp://x/in", null, null, null, false));
        assertEquals(Destination.Kind.FTP,
                new NodeConfig(null, null, null, Map.of("archive", ftp), null, null, null)
                        .destinations().get("archive").kind());

        Destination b = Destination.peer("b", new HostPort("b", 1), null, false);
        e = assertThrows(IllegalArgumentException.class, () -> new NodeConfig(null, null, null, Map.of("c", b), null, null, null));
        assertEquals("destinations.c: entry is named 'b'", e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> new ReceiveSection(null, null, false, -1, null, null));
        assertEquals("receive.reserve: '-1' is negative", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new ReceiveSection(null, null, false, 0, Duration.ofHours(-2), null));
        assertEquals("receive.stale-partials: '-2h' must be longer than 0, or partial files would be deleted "
                + "while they are written", e.getMessage());
    }
}

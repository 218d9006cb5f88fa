package fff.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import fff.common.schedule.GroupTree;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code groups:} into a {@link GroupTree}, its warnings, and {@code receive.group}. */
class GroupsConfigTest {

    static final String REFERENCE = """
            groups:
              total:
                limit: 6
                children:
                  outbound: {limit: 4, children: {NAS: {limit: 3}}}
                  inbound:  {limit: 4, children: {Backups: {limit: 1}, VidServer: {limit: 4}}}
            """;
    private static final String ALL = "(groups: total, outbound, NAS, inbound, Backups, VidServer)";

    @TempDir
    Path dir;

    private NodeConfig load(String yaml) throws Exception {
        return ConfigFiles.load(dir, yaml);
    }

    private String error(String yaml) throws IOException {
        return ConfigFiles.error(dir, yaml);
    }

    @Test
    void referenceTreeFromDesignLoadsParentsFirstInFileOrder() throws Exception {
        GroupTree t = load(REFERENCE).groups();
        assertEquals(List.of("total", "outbound", "NAS", "inbound", "Backups", "VidServer"), t.names());
        assertEquals(6, t.limit("total"));
        assertEquals(4, t.limit("outbound"));
        assertEquals(3, t.limit("NAS"));
        assertEquals(4, t.limit("inbound"));
        assertEquals(1, t.limit("Backups"));
        assertEquals(4, t.limit("VidServer"));
        assertEquals(Optional.empty(), t.parent("total"));
        assertEquals(List.of("outbound", "inbound"), t.children("total"));
        assertEquals(List.of("Backups", "VidServer"), t.children("inbound"));
        assertEquals(List.of("NAS", "outbound", "total"), t.path("NAS"));
        assertEquals(List.of("VidServer", "inbound", "total"), t.path("VidServer"));
        assertEquals(List.of(), load(REFERENCE).warnings());
    }

    @Test
    void withoutGroupsTheTreeIsOneRootTotalWithLimitFour() throws Exception {
        for (String yaml : List.of("", "groups:\n", "groups: {}\n")) {
            NodeConfig c = load(yaml);
            assertSame(NodeConfig.defaultGroups(), c.groups(), yaml);
            assertEquals(List.of("total"), c.groups().names());
            assertEquals(4, c.groups().limit("total"));
            assertEquals(List.of(), c.warnings());
        }
        assertSame(NodeConfig.defaultGroups(), new NodeConfig(null, null, null, null, null, null, null).groups());
    }

    @Test
    void anyDepthAndSeveralRoots() throws Exception {
        GroupTree t = load("""
                groups:
                  a: {limit: 8, children: {b: {limit: 4, children: {c: {limit: 2, children: {d: {limit: 1}}}}}}}
                  other: {limit: 2}
                """).groups();
        assertEquals(List.of("d", "c", "b", "a"), t.path("d"));
        assertEquals(List.of("other"), t.path("other"));
    }

    @Test
    void childLimitAboveItsParentsIsAWarningNamingTheKey() throws Exception {
        NodeConfig c = load("""
                groups:
                  total:
                    limit: 6
                    children:
                      outbound: {limit: 4, children: {NAS: {limit: 5}}}
                      inbound: {limit: 7}
                """);
        assertEquals(List.of(
                "groups.total.children.outbound.children.NAS: limit 5 exceeds limit 4 of parent 'outbound'",
                "groups.total.children.inbound: limit 7 exceeds limit 6 of parent 'total'"), c.warnings());
        assertEquals("groups.total.children.outbound.children.NAS", c.groupKey("NAS"));
        assertEquals("groups.total", c.groupKey("total"));
    }

    @Test
    void limitErrorsNameTheKey() throws IOException {
        assertEquals("groups.total.limit: required (jobs that may run at once)", error("groups: {total: {}}\n"));
        assertEquals("groups.total.limit: required (jobs that may run at once)", error("groups:\n  total:\n"));
        assertEquals("groups.total.children.outbound.limit: '0' must be at least 1",
                error("groups: {total: {limit: 6, children: {outbound: {limit: 0}}}}\n"));
        assertEquals("groups.total.limit: '-2' must be at least 1", error("groups: {total: {limit: -2}}\n"));
        assertEquals("groups.total.limit: 'six' is not a whole number", error("groups: {total: {limit: six}}\n"));
        assertEquals("groups.total.limit: '2.5' is not a whole number", error("groups: {total: {limit: 2.5}}\n"));
    }

    @Test
    void shapeErrorsNameTheKey() throws IOException {
        assertEquals("groups.total.lmit: unknown key (known: limit, children)",
                error("groups: {total: {lmit: 6}}\n"));
        assertEquals("groups.total: expected a mapping of keys, not '6'", error("groups: {total: 6}\n"));
        assertEquals("groups.total.children: expected a mapping of keys, not a list",
                error("groups: {total: {limit: 6, children: [a, b]}}\n"));
        assertEquals("groups: expected a mapping of keys, not a list", error("groups: [total]\n"));
        assertEquals("groups.total.children.a b: a group name may only have letters, digits, '.', '_' and '-'",
                error("groups: {total: {limit: 6, children: {\"a b\": {limit: 1}}}}\n"));
    }

    @Test
    void namesAreUniqueInTheWholeTreeAndTheErrorNamesBothKeys() throws IOException {
        assertEquals("groups.inbound.children.NAS: group name 'NAS' is already used by "
                        + "groups.outbound.children.NAS; names are unique", error("""
                groups:
                  outbound: {limit: 4, children: {NAS: {limit: 3}}}
                  inbound: {limit: 4, children: {NAS: {limit: 1}}}
                """));
        assertEquals("groups.total.children.total: group name 'total' is already used by groups.total; "
                + "names are unique", error("groups: {total: {limit: 6, children: {total: {limit: 1}}}}\n"));
    }

    @Test
    void receiveGroupMustBeInTheTree() throws Exception {
        assertNull(load("receive: {root: /in}\n").receive().group());
        assertEquals("inbound", load(REFERENCE + "receive: {root: /in, group: inbound}\n").receive().group());
        assertEquals("total", load("receive: {root: /in, group: total}\n").receive().group());
        assertEquals("receive.group: unknown group 'inbond' " + ALL,
                error(REFERENCE + "receive: {root: /in, group: inbond}\n"));
        assertEquals("receive.group: unknown group 'inbound' (groups: total)",
                error("receive: {root: /in, group: inbound}\n"));
        assertEquals("receive.group: expected a single value, not a list",
                error("receive: {root: /in, group: [inbound]}\n"));
    }

    @Test
    void recordsBuiltInCodeAreCheckedAgainstTheirTree() {
        GroupTree tree = GroupTree.builder().root("total", 2).child("total", "in", 3).build();
        ReceiveSection r = new ReceiveSection(Path.of("/in"), null, true, 0, null, "out");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NodeConfig(null, null, r, null, tree, null, null));
        assertEquals("receive.group: unknown group 'out' (groups: total, in)", e.getMessage());
        NodeConfig c = new NodeConfig(null, null, null, null, tree, null, null);
        assertEquals(List.of("groups.total.children.in: limit 3 exceeds limit 2 of parent 'total'"), c.warnings());
        e = assertThrows(IllegalArgumentException.class,
                () -> new ReceiveSection(Path.of("/in"), null, true, 0, null, " "));
        assertEquals("receive.group: empty", e.getMessage());
    }
}

package fff.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.schedule.GroupTree;
import fff.common.wire.HostPort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code watch:} rules that load: defaults, values, relative paths, default group. */
class WatchRuleLoadTest {

    static final String PEER_B = "destinations: {b: {peer: \"b.example:7700\"}}\n";

    @TempDir
    Path dir;

    private NodeConfig load(String yaml) throws Exception {
        return ConfigFiles.load(dir, yaml);
    }

    @Test
    void aRuleWithPathAndToTakesEveryDefault() throws Exception {
        WatchRule r = load(PEER_B + "watch:\n  - {path: out, to: \"b:\"}\n").watch().get(0);
        assertEquals("out", r.name(), "the path as written");
        assertEquals(dir.resolve("out").toAbsolutePath(), r.path());
        assertEquals(List.of("**"), r.include());
        assertEquals(List.of(), r.exclude());
        assertTrue(r.recursive());
        assertEquals(Duration.ofSeconds(5), r.stableFor());
        assertEquals(Duration.ofSeconds(30), r.rescan());
        assertFalse(r.includeHidden());
        assertEquals("total", r.group(), "the default tree's root");
        assertEquals(new Route("b", ""), r.to());
        assertEquals(After.KEEP, r.after());
        assertEquals(Set.of(), r.mirror());
        assertEquals(0, r.priority());
        assertEquals(new WatchRule("out", r.path(), null, null, true, null, null, false, "total", r.to(), null, null,
                0), r, "nulls take the same defaults in code");
    }

    @Test
    void aViaRuleGoesToItsPeerAndBringsTheResultsBackToOut() throws Exception {
        WatchRule r = load(PEER_B + "watch:\n  - {path: w/in, via: b, profile: webp, out: results}\n").watch().get(0);
        assertEquals("b", r.via());
        assertEquals("b", r.destination());
        assertNull(r.to());
        assertEquals("webp", r.profile());
        assertEquals(dir.resolve("results").toAbsolutePath(), r.out(), "relative to the config file");
        assertFalse(Files.exists(r.out()), "created when the node starts, not when the config is read");
        assertEquals("via b (webp) back to " + r.out(), r.target());
        assertEquals(new WatchRule("w/in", r.path(), null, null, true, null, null, false, "total", null, null, null,
                0, "webp", "b", r.out()), r);
        assertEquals(dir.resolve("w/results").toAbsolutePath(), load(PEER_B
                + "watch: [{path: w/in, via: b, profile: h265-mkv, out: w/results, after: delete}]\n").watch().get(0)
                .out(), "beside the watched folder is fine");
        assertEquals(dir.resolve("w/sub").toAbsolutePath(), load(PEER_B
                + "watch: [{path: w, via: b, profile: h265-mkv, out: w/sub, recursive: false}]\n").watch().get(0)
                .out(), "a sub-folder of a non-recursive rule is not watched");
        assertNull(load(PEER_B + "watch: [{path: /out, to: b}]\n").watch().get(0).via());
    }

    @Test
    void noWatchSectionIsNoRules() throws Exception {
        assertEquals(List.of(), load("").watch());
        assertEquals(List.of(), load("watch:\n").watch());
        assertEquals(List.of(), load("watch: []\n").watch());
    }

    @Test
    void fullExampleRulesCarryTheirValues() throws Exception {
        NodeConfig c = NodeConfig.load(Path.of(getClass().getResource("/config/full.yaml").toURI()));
        assertEquals(List.of("/srv/out/nas", "video", "/srv/backup"),
                c.watch().stream().map(WatchRule::name).toList());

        WatchRule nas = c.watch().get(0);
        assertEquals(Path.of("/srv/out/nas"), nas.path());
        assertEquals(List.of("**/*"), nas.include());
        assertEquals(Duration.ofSeconds(5), nas.stableFor());
        assertEquals("NAS", nas.group());
        assertEquals(new Route("siteB", "nas"), nas.to());
        assertEquals(List.of("NAS", "outbound", "total"), c.groups().path(nas.group()));

        WatchRule video = c.watch().get(1);
        assertEquals(Path.of("/srv/out/video"), video.path());
        assertEquals(List.of("**/*.mxf", "**/*.MXF"), video.include());
        assertEquals(List.of("**/tmp/**"), video.exclude());
        assertTrue(video.recursive());
        assertEquals(Duration.ofSeconds(30), video.stableFor());
        assertEquals(Duration.ZERO, video.rescan(), "events only");
        assertFalse(video.includeHidden());
        assertEquals("VidServer", video.group());
        assertEquals(new Route("siteB", "video/incoming"), video.to());
        assertEquals(After.KEEP, video.after());
        assertEquals(List.of(WatchRule.Mirror.RENAMES, WatchRule.Mirror.DELETES), List.copyOf(video.mirror()));
        assertEquals(10, video.priority());

        WatchRule backup = c.watch().get(2);
        assertFalse(backup.recursive());
        assertEquals("Backups", backup.group());
        assertEquals(new Route("siteA", ""), backup.to());
        assertEquals(After.move(Path.of("/srv/backup-done")), backup.after());
        assertEquals("inbound", c.receive().group());
        assertEquals(List.of(), c.warnings());
    }

    @Test
    void afterKeepDeleteAndMoveRelativeToTheConfigFile() throws Exception {
        NodeConfig c = load(PEER_B + """
                watch:
                  - {path: a, to: b, after: keep}
                  - {path: c, to: b, after: delete}
                  - {path: d, to: b, after: "move: ../done/d"}
                  - {path: e, to: b, recursive: false, after: move:e/sent}
                """);
        assertEquals(After.KEEP, c.watch().get(0).after());
        assertEquals(After.DELETE, c.watch().get(1).after());
        assertEquals(After.move(dir.getParent().resolve("done/d").toAbsolutePath()), c.watch().get(2).after());
        assertEquals(After.move(dir.resolve("e/sent").toAbsolutePath()), c.watch().get(3).after(),
                "a sub-folder of a non-recursive rule is not watched");
        assertEquals("move:" + dir.resolve("e/sent").toAbsolutePath(), c.watch().get(3).after().toString());
    }

    @Test
    void defaultGroupIsTheFirstRootOfTheTree() throws Exception {
        NodeConfig c = load(PEER_B + """
                groups: {first: {limit: 2, children: {x: {limit: 1}}}, second: {limit: 3}}
                watch: [{path: /out, to: b}]
                """);
        assertEquals("first", c.watch().get(0).group());
    }

    @Test
    void nestedFoldersAreFineWhenTheOuterRuleIsNotRecursive() throws Exception {
        NodeConfig c = load(PEER_B + """
                watch:
                  - {path: /out, to: b, recursive: false}
                  - {path: /out/nas, to: "b:nas"}
                  - {path: /other, to: b, name: /out/nas/}
                """);
        assertEquals(3, c.watch().size());
    }

    @Test
    void anExistingDirectoryIsAcceptedAsPath() throws Exception {
        Files.createDirectories(dir.resolve("out"));
        assertEquals(dir.resolve("out"), load(PEER_B + "watch: [{path: out/, to: b}]\n").watch().get(0).path());
    }

    @Test
    void recordsBuiltInCodeGetTheirDefaultGroupAndAreUnmodifiable() {
        Map<String, Destination> dest = Map.of("b", Destination.peer("b", new HostPort("b", 1), null, false));
        GroupTree tree = GroupTree.builder().root("all", 3).build();
        WatchRule rule = WatchRule.of(Path.of("/out"), Route.parse("to", "b:x"));
        assertEquals("/out", rule.name());
        NodeConfig c = new NodeConfig(null, null, null, dest, tree, List.of(rule), null);
        assertEquals("all", c.watch().get(0).group());
        assertThrows(UnsupportedOperationException.class, () -> c.watch().clear());
        assertThrows(UnsupportedOperationException.class, () -> c.watch().get(0).include().clear());
        assertThrows(UnsupportedOperationException.class, () -> c.watch().get(0).mirror().clear());
    }
}

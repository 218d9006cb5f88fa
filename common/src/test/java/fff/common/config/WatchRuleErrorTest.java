package fff.common.config;

import static fff.common.config.WatchRuleLoadTest.PEER_B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code watch:} rules that do not load: each message names {@code watch[i].KEY} and the bad value. */
class WatchRuleErrorTest {

    @TempDir
    Path dir;

    private String error(String yaml) throws IOException {
        return ConfigFiles.error(dir, yaml);
    }

    /** The error for a rule {@code {path: /out, to: b, EXTRA}} (EXTRA may set both) after a good one on /first. */
    private String second(String extra) throws IOException {
        String rule = (extra.contains("path:") ? "" : "path: /out, ") + (extra.contains("to:") ? "" : "to: b, ")
                + extra;
        return error(PEER_B + "watch:\n  - {path: /first, to: b}\n  - {" + rule + "}\n");
    }

    @Test
    void shapeErrors() throws IOException {
        assertEquals("watch: expected a list of entries (- key: value), not a mapping",
                error("watch: {path: /out}\n"));
        assertEquals("watch[0]: expected a mapping of keys, not '/out'", error("watch: [/out]\n"));
        assertEquals("watch[0]: empty entry", error("watch:\n  -\n"));
        assertEquals("watch[1].pth: unknown key (known: name, path, include, exclude, recursive, stable-for, "
                + "rescan, include-hidden, group, to, after, mirror, priority, profile, via, out)", second("pth: /x"));
    }

    @Test
    void pathAndToAreRequired() throws IOException {
        assertEquals("watch[0].path: required (the folder to watch)", error(PEER_B + "watch: [{to: b}]\n"));
        assertEquals("watch[0].path: empty path", error(PEER_B + "watch: [{path: \"\", to: b}]\n"));
        assertEquals("watch[0].to: required (DEST:subpath, DEST a name in destinations), or via: DEST with out: "
                + "DIR to have DEST convert the files and return them", error(PEER_B + "watch: [{path: /out}]\n"));
        Files.writeString(dir.resolve("file.txt"), "x");
        assertEquals("watch[0].path: 'file.txt' is a file, not a folder",
                error(PEER_B + "watch: [{path: file.txt, to: b}]\n"));
    }

    @Test
    void toMustNameAConfiguredPeerDestinationAndStayInsideIt() throws IOException {
        assertEquals("watch[1].to: 'c:x': unknown destination 'c' (destinations: b)", second("to: \"c:x\""));
        assertEquals("watch[0].to: 'b:': unknown destination 'b' (no destinations configured)",
                error("watch: [{path: /out, to: \"b:\"}]\n"));
        assertEquals("watch[1].to: 'b:../x': the subpath has '..'; it must stay inside the destination",
                second("to: \"b:../x\""));
        assertEquals("watch[1].to: 'b:/x': the subpath is absolute; write it relative to the destination's root",
                second("to: \"b:/x\""));
    }

    @Test
    void groupMustBeInTheTree() throws IOException {
        assertEquals("watch[2].group: unknown group 'NSA' (groups: total, outbound, NAS, inbound, Backups, "
                + "VidServer)", error(GroupsConfigTest.REFERENCE + PEER_B + """
                watch:
                  - {path: /a, to: b, group: NAS}
                  - {path: /b, to: b, group: total}
                  - {path: /c, to: b, group: NSA}
                """));
        assertEquals("watch[1].group: unknown group 'NAS' (groups: total)", second("group: NAS"));
    }

    @Test
    void valueErrorsNameTheKeyAndTheValue() throws IOException {
        assertEquals("watch[1].stable-for: '5 sec' is not a duration (e.g. 45s, 30m, 12h, 7d, 1h30m)",
                second("stable-for: 5 sec"));
        assertEquals("watch[1].rescan: '-1s' is not a duration (e.g. 45s, 30m, 12h, 7d, 1h30m)",
                second("rescan: -1s"));
        assertEquals("watch[1].recursive: 'yes please' is not true or false", second("recursive: yes please"));
        assertEquals("watch[1].include-hidden: '1' is not true or false", second("include-hidden: 1"));
        assertEquals("watch[1].priority: 'high' is not a whole number", second("priority: high"));
        assertEquals("watch[1].name: empty", second("name: \" \""));
        assertEquals("watch[1].group: expected a single value, not a list", second("group: [a]"));
    }

    @Test
    void globErrors() throws IOException {
        assertEquals("watch[1].include: an empty list matches no file; leave it out for every file",
                second("include: []"));
        assertEquals("watch[1].include[1]: '[a' is not a glob: Missing ']", second("include: [\"*\", \"[a\"]"));
        assertEquals("watch[1].exclude[0]: empty pattern", second("exclude: [\"\"]"));
        assertEquals("watch[1].exclude: expected a list like [a, b], not '*.tmp'", second("exclude: \"*.tmp\""));
    }

    @Test
    void afterErrors() throws IOException {
        assertEquals("watch[1].after: 'archive' is not keep, delete or move:DIR", second("after: archive"));
        assertEquals("watch[1].after: 'move:' needs a folder (move:DIR)", second("after: \"move:\""));
        assertEquals("watch[1].after: 'move:/out/done' moves files into the watched folder /out (recursive); "
                + "they would be sent again", second("after: move:/out/done"));
        assertEquals("watch[1].after: 'move:/out' moves files into the watched folder /out; they would be sent "
                + "again", second("after: move:/out, recursive: false"));
        assertEquals("watch[1].after: 'move:/first/done' moves files into watch[0].path '/first'; they would be "
                + "sent again", second("after: move:/first/done"));
    }

    @Test
    void mirrorErrors() throws IOException {
        assertEquals("watch[1].mirror[1]: 'moves' is not one of renames, deletes", second("mirror: [renames, moves]"));
        assertEquals("watch[1].mirror: needs after: keep, not 'delete'; the node's own deletes would be repeated "
                + "at the destination", second("mirror: [deletes], after: delete"));
        assertEquals("watch[1].mirror: needs after: keep, not 'move:/done'; the node's own moves would be "
                + "repeated at the destination", second("mirror: [renames], after: move:/done"));
    }

    /** The error for a rule {@code {path: /out, EXTRA}} after a good one on /first; EXTRA names via or to. */
    private String secondVia(String extra) throws IOException {
        return error(PEER_B + "watch:\n  - {path: /first, to: b}\n  - {path: /out, " + extra + "}\n");
    }

    @Test
    void viaNeedsAPeerAWholeFileProfileTheReceiverConvertsAndAnOutFolder() throws IOException {
        assertEquals("watch[1].profile: required with via: 'b' (a whole-file profile the peer converts, e.g. "
                + "h265-mkv, h264-mkv, webp)", secondVia("via: b, out: /res"));
        assertEquals("watch[1].out: required with via: 'b' (the folder the converted files come back to)",
                secondVia("via: b, profile: webp"));
        assertEquals("watch[1].via: 'b' and to: 'b:x' are exclusive; via brings the converted files back to out, "
                + "to keeps them at the destination", secondVia("via: b, to: \"b:x\", profile: webp, out: /res"));
        assertEquals("watch[1].via: empty; leave it out and give to: to keep the files there",
                secondVia("via: \" \", profile: webp, out: /res"));
        assertEquals("watch[1].mirror: not supported with via: 'b'; the results come back to out, nothing is kept "
                + "at the destination", secondVia("via: b, profile: webp, out: /res, mirror: [renames]"));
        assertEquals("watch[1].out: '/res' is only for via (where converted files come back); to: 'b:' keeps them "
                + "at the destination", secondVia("to: b, out: /res"));
        assertEquals("watch[1].via: unknown destination 'c' (destinations: b)",
                secondVia("via: c, profile: webp, out: /res"));
        assertEquals("watch[0].via: 'usb' is a local destination; via needs a peer node that converts and returns "
                + "the files", error("destinations: {usb: {local: /backup}}\n"
                + "watch: [{path: /out, via: usb, profile: webp, out: /res}]\n"));
        assertEquals("watch[1].profile: 'proxy' is not a whole-file profile the receiver converts, which via needs "
                + "(these are: h265-mkv, h264-mkv, webp)", secondVia("via: b, profile: proxy, out: /res"));
        assertEquals("watch[1].profile: 'small' is not a whole-file profile the receiver converts, which via needs "
                + "(these are: h265-mkv, h264-mkv, webp)", error(PEER_B + """
                profiles:
                  small:
                    runs-on: sender
                    convert: [-vf, "scale=-2:360", -c:v, libx264]
                    output: {format: mp4, extension: mp4}
                watch:
                  - {path: /first, to: b}
                  - {path: /out, via: b, profile: small, out: /res}
                """));
        assertEquals("watch[1].profile: unknown profile 'wbep' (profiles: imx30, proxy, h265-mkv, h264-mkv, webp)",
                secondVia("via: b, profile: wbep, out: /res"));
    }

    @Test
    void viaResultsMustNotLandWhereTheyWouldBeSentAgain() throws IOException {
        assertEquals("watch[1].out: '/out/results' is inside the watched folder /out (recursive); the results "
                + "would be sent again", secondVia("via: b, profile: webp, out: /out/results"));
        assertEquals("watch[1].out: '/out' is the watched folder /out; the results would be sent again",
                secondVia("via: b, profile: webp, out: /out/x/.., recursive: false"));
        assertEquals("watch[1].out: '/first/results' is inside watch[0].path '/first'; the results would be sent "
                + "again", secondVia("via: b, profile: webp, out: /first/results"));
        Files.writeString(dir.resolve("results"), "x");
        assertEquals("watch[1].out: 'results' is a file, not a folder",
                secondVia("via: b, profile: webp, out: results"));
    }

    @Test
    void overlappingFoldersNameBothRules() throws IOException {
        assertEquals("watch[1].path: '/first' is the same folder as watch[0].path '/first'; a file would be sent "
                + "by both rules", second("path: /first/x/.., name: other"));
        assertEquals("watch[1].path: '/first/nas' is inside watch[0].path '/first'; a file would be sent by both "
                + "rules", second("path: /first/nas"));
        assertEquals("watch[1].path: '/' contains watch[0].path '/first'; a file would be sent by both rules",
                second("path: /"));
        String relative = error(PEER_B + "watch:\n  - {path: out, to: b}\n  - {path: ./out/sub, to: b}\n");
        assertEquals("watch[1].path: '" + dir.resolve("out/sub").toAbsolutePath() + "' is inside watch[0].path '"
                + dir.resolve("out").toAbsolutePath() + "'; a file would be sent by both rules", relative);
    }

    @Test
    void namesAreUnique() throws IOException {
        assertEquals("watch[1].name: 'nas' is already the name of watch[0]",
                error(PEER_B + "watch:\n  - {name: nas, path: /a, to: b}\n  - {name: nas, path: /b, to: b}\n"));
        assertEquals("watch[1].name: '/first' is already the name of watch[0]", second("name: /first"));
    }

    @Test
    void recordErrorsNameTheKeyInsideTheRule() {
        Route to = new Route("b", "");
        Path out = Path.of("/out");
        assertEquals("path: required", assertThrows(IllegalArgumentException.class,
                () -> WatchRule.of(null, to)).getMessage());
        assertEquals("to: required (DEST:subpath)", assertThrows(IllegalArgumentException.class,
                () -> WatchRule.of(out, null)).getMessage());
        assertEquals("stable-for: '-1s' must not be negative", assertThrows(IllegalArgumentException.class,
                () -> new WatchRule(null, out, null, null, true, Duration.ofSeconds(-1), null, false, null, to,
                        null, null, 0)).getMessage());
        assertEquals("rescan: '-2m' must not be negative", assertThrows(IllegalArgumentException.class,
                () -> new WatchRule(null, out, null, null, true, null, Duration.ofMinutes(-2), false, null, to,
                        null, null, 0)).getMessage());
        assertEquals("mirror: needs after: keep, not 'delete'; the node's own deletes would be repeated at the "
                + "destination", assertThrows(IllegalArgumentException.class, () -> new WatchRule(null, out, null,
                null, true, null, null, false, null, to, After.DELETE, Set.of(WatchRule.Mirror.DELETES), 0))
                .getMessage());
        assertThrows(IllegalArgumentException.class, () -> new After(After.Action.MOVE, null));
        assertThrows(IllegalArgumentException.class, () -> new After(After.Action.KEEP, out));
    }
}

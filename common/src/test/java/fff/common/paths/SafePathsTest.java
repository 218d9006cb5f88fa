package fff.common.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SafePathsTest {

    private static final String ROOT = "the test root";
    private static final String TOO_LONG = ("d".repeat(200) + "/").repeat(20) + "e".repeat(77);

    @TempDir
    Path root;

    static Stream<Arguments> hostile() {
        return Stream.of(
                Arguments.of("", "empty path"),
                Arguments.of(null, "empty path"),
                Arguments.of("../x", "'..' segment"),
                Arguments.of("a/../../x", "'..' segment"),
                Arguments.of("..", "'..' segment"),
                Arguments.of("./a", "'.' segment"),
                Arguments.of("a/./b", "'.' segment"),
                Arguments.of("a//b", "empty segment"),
                Arguments.of("a/", "empty segment"),
                Arguments.of("/etc/passwd", "absolute path"),
                Arguments.of("a\\b", "backslash at index 1"),
                Arguments.of("a\u0000b", "control character at index 1"),
                Arguments.of("a\nb", "control character at index 1"),
                Arguments.of("a\u007fb", "control character at index 1"),
                Arguments.of("C:/x", "drive prefix"),
                Arguments.of("c:x", "drive prefix"),
                Arguments.of("x".repeat(256), "a segment longer than 255 bytes"),
                Arguments.of(TOO_LONG, "longer than 4096 bytes"),
                Arguments.of(".x.fff-partial", "names a partial file"),
                Arguments.of("dir/.x.fff-partial/y", "names a partial file"),
                Arguments.of("a\ud800b", "not valid UTF-8 (unpaired surrogate)"));
    }

    @ParameterizedTest
    @MethodSource("hostile")
    void refusesHostilePaths(String path, String why) {
        PathRefusal e = assertThrows(PathRefusal.class, () -> SafePaths.resolve(root, path, ROOT));
        assertTrue(e.getMessage().startsWith("bad path \""), e.getMessage());
        assertTrue(e.getMessage().endsWith(": " + why), e.getMessage());
        assertFalse(e.getMessage().chars().anyMatch(c -> c < 0x20), "control chars escaped: " + e.getMessage());
    }

    @Test
    void messagesAreWholeSentences() {
        PathRefusal e = assertThrows(PathRefusal.class, () -> SafePaths.resolve(root, "a/../b", ROOT));
        assertEquals("bad path \"a/../b\": '..' segment", e.getMessage());
        e = assertThrows(PathRefusal.class, () -> SafePaths.resolve(root, "a\u0000b", ROOT));
        assertEquals("bad path \"a\\u0000b\": control character at index 1", e.getMessage());
    }

    @Test
    void lengthLimitsAreInUtf8Bytes() throws PathRefusal {
        assertEquals(4097, TOO_LONG.length());
        SafePaths.resolve(root, "x".repeat(255), ROOT);
        SafePaths.resolve(root, "é".repeat(127), ROOT);
        assertThrows(PathRefusal.class, () -> SafePaths.resolve(root, "é".repeat(128), ROOT));
        SafePaths.resolve(root, ("d".repeat(200) + "/").repeat(20) + "e".repeat(76), ROOT);
    }

    @Test
    void acceptsUnicodeAndDotfiles() throws PathRefusal {
        assertEquals(root.resolve("vidéo").resolve("日本語 file.mxf"),
                SafePaths.resolve(root, "vidéo/日本語 file.mxf", ROOT));
        assertEquals(root.resolve(".gitignore"), SafePaths.resolve(root, ".gitignore", ROOT));
        assertEquals(root.resolve("a.fff-partial"), SafePaths.resolve(root, "a.fff-partial", ROOT));
        assertEquals(root.resolve("ab:c"), SafePaths.resolve(root, "ab:c", ROOT));
    }

    @Test
    void resolvesToAnAbsoluteNormalizedPath() throws PathRefusal {
        Path relativeRoot = Path.of("some", "..", "rel");
        assertEquals(Path.of("rel", "a", "b").toAbsolutePath(), SafePaths.resolve(relativeRoot, "a/b", ROOT));
    }

    @Test
    void refusesSymlinkLeadingOutside(@TempDir Path outside) throws Exception {
        Files.createSymbolicLink(root.resolve("escape"), outside);
        Path target = SafePaths.resolve(root, "escape/x.bin", ROOT);
        PathRefusal e = assertThrows(PathRefusal.class, () -> SafePaths.checkNoSymlinkEscape(root, target, ROOT));
        assertEquals("path \"escape\" leads outside the test root through a symlink", e.getMessage());

        Files.createSymbolicLink(root.resolve("file-link"), outside.resolve("f"));
        assertThrows(PathRefusal.class,
                () -> SafePaths.checkNoSymlinkEscape(root, SafePaths.resolve(root, "file-link", ROOT), ROOT));
    }

    @Test
    void refusesTargetOutsideRoot(@TempDir Path outside) {
        PathRefusal e = assertThrows(PathRefusal.class,
                () -> SafePaths.checkNoSymlinkEscape(root, outside.resolve("x"), ROOT));
        assertTrue(e.getMessage().endsWith(" is outside the test root"), e.getMessage());
    }

    @Test
    void refusesDanglingSymlinkLoop() throws Exception {
        Files.createSymbolicLink(root.resolve("loop"), root.resolve("loop"));
        PathRefusal e = assertThrows(PathRefusal.class,
                () -> SafePaths.checkNoSymlinkEscape(root, SafePaths.resolve(root, "loop/x", ROOT), ROOT));
        assertEquals("path \"loop\" cannot be resolved (dangling symlink?)", e.getMessage());
    }

    @Test
    void allowsSymlinkInsideRoot() throws Exception {
        Files.createDirectories(root.resolve("real"));
        Files.createSymbolicLink(root.resolve("alias"), root.resolve("real"));
        SafePaths.checkNoSymlinkEscape(root, SafePaths.resolve(root, "alias/sub/x.bin", ROOT), ROOT);
        SafePaths.checkNoSymlinkEscape(root, SafePaths.resolve(root, "not/yet/there.bin", ROOT), ROOT);
    }

    @Test
    void worksWhenRootItselfIsBehindASymlink(@TempDir Path elsewhere) throws IOException, PathRefusal {
        Path linkedRoot = elsewhere.resolve("root-link");
        Files.createSymbolicLink(linkedRoot, root);
        Files.createDirectories(root.resolve("d"));
        SafePaths.checkNoSymlinkEscape(linkedRoot, SafePaths.resolve(linkedRoot, "d/x", ROOT), ROOT);
    }

    @Test
    void quoteEscapesAndCuts() {
        assertEquals("\"a\\\"b\\\\c\\u0009\"", SafePaths.quote("a\"b\\c\t"));
        assertEquals("\"" + "x".repeat(160) + "\"... (200 chars)", SafePaths.quote("x".repeat(200)));
        assertEquals("\"" + "x".repeat(160) + "\"", SafePaths.quote("x".repeat(160)));
    }

    @Test
    void partialNamesAreRecognised() {
        assertTrue(SafePaths.isPartialName(".a.fff-partial"));
        assertFalse(SafePaths.isPartialName(".fff-partial"));
        assertFalse(SafePaths.isPartialName("a.fff-partial"));
        assertFalse(SafePaths.isPartialName(".a"));
    }

    @Test
    void partialSitsBesideItsFinalFile() {
        Path finalPath = root.resolve("d/take 1.mxf");
        Path partial = SafePaths.partialFor(finalPath);
        assertEquals(root.resolve("d/.take 1.mxf.fff-partial"), partial);
        assertTrue(SafePaths.isPartialName(partial.getFileName().toString()));
        assertEquals(finalPath, SafePaths.finalFor(partial));
    }

    @Test
    void rangesSidecarCannotBeNamedAndLeadsBackToItsOwner() {
        Path finalPath = root.resolve("d/take 1.mxf");
        Path ranges = SafePaths.rangesFor(finalPath);
        assertEquals(root.resolve("d/..take 1.mxf.fff-partial.fff-partial"), ranges);
        assertTrue(SafePaths.isPartialName(ranges.getFileName().toString()));
        assertEquals(SafePaths.partialFor(finalPath), SafePaths.finalFor(ranges));
        assertEquals(finalPath, SafePaths.ownerOf(ranges));
        assertEquals(finalPath, SafePaths.ownerOf(SafePaths.partialFor(finalPath)));
        assertEquals(finalPath, SafePaths.ownerOf(SafePaths.partialFor(ranges)));
        // A legal file named like the sidecar's owner part still has a partial of its own name.
        Path odd = root.resolve("d/take 1.mxf.fff-partial");
        assertEquals(odd, SafePaths.ownerOf(SafePaths.partialFor(odd)));
        assertThrows(PathRefusal.class, () -> SafePaths.resolve(root, "d/..take 1.mxf.fff-partial.fff-partial", "r"));
    }
}

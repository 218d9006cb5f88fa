package fff.receiver.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.proto.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SafePathTest {

    @TempDir
    Path root;

    static Stream<String> hostile() {
        return Stream.of("", "../x", "a/../../x", "/etc/passwd", "a\\b", "a\u0000b", "a\nb", "a\u007fb", "C:/x",
                "c:x", "a//b", "a/", "./a", "a/./b", "..", "x".repeat(256), ("d".repeat(200) + "/").repeat(20) + "e".repeat(77),
                ".x.fff-partial", "dir/.x.fff-partial/y", "a\ud800b");
    }

    @ParameterizedTest
    @MethodSource("hostile")
    void refusesHostilePaths(String wirePath) {
        StorageRefusal e = assertThrows(StorageRefusal.class, () -> SafePath.resolve(root, wirePath));
        assertEquals(Reason.BAD_PATH, e.reason());
        assertTrue(e.getMessage().startsWith("bad path \""), e.getMessage());
        assertFalse(e.getMessage().chars().anyMatch(c -> c < 0x20), "control chars escaped: " + e.getMessage());
    }

    @Test
    void lengthLimitsAreInUtf8Bytes() throws StorageRefusal {
        assertEquals(4097, (("d".repeat(200) + "/").repeat(20) + "e".repeat(77)).length());
        SafePath.resolve(root, "x".repeat(255));
        SafePath.resolve(root, "é".repeat(127));
        assertThrows(StorageRefusal.class, () -> SafePath.resolve(root, "é".repeat(128)));
        SafePath.resolve(root, ("d".repeat(200) + "/").repeat(20) + "e".repeat(76));
    }

    @Test
    void messageQuotesAndEscapes() {
        StorageRefusal e = assertThrows(StorageRefusal.class, () -> SafePath.resolve(root, "a\u0000b"));
        assertTrue(e.getMessage().contains("\"a\\u0000b\""), e.getMessage());
        assertTrue(e.getMessage().contains("control character"), e.getMessage());
        e = assertThrows(StorageRefusal.class, () -> SafePath.resolve(root, "a/../../x"));
        assertTrue(e.getMessage().contains("\"a/../../x\"") && e.getMessage().contains(".."), e.getMessage());
    }

    @Test
    void acceptsUnicodeAndDotfiles() throws StorageRefusal {
        assertEquals(root.resolve("vidéo").resolve("日本語 file.mxf"), SafePath.resolve(root, "vidéo/日本語 file.mxf"));
        assertEquals(root.resolve(".gitignore"), SafePath.resolve(root, ".gitignore"));
        assertEquals(root.resolve("a.fff-partial"), SafePath.resolve(root, "a.fff-partial"));
        assertEquals(root.resolve("ab:c"), SafePath.resolve(root, "ab:c"));
    }

    @Test
    void refusesSymlinkLeadingOutside(@TempDir Path outside) throws Exception {
        Files.createSymbolicLink(root.resolve("escape"), outside);
        Path target = SafePath.resolve(root, "escape/x.bin");
        StorageRefusal e = assertThrows(StorageRefusal.class, () -> SafePath.checkNoSymlinkEscape(root, target));
        assertEquals(Reason.BAD_PATH, e.reason());
        assertTrue(e.getMessage().contains("symlink"), e.getMessage());

        Files.createSymbolicLink(root.resolve("file-link"), outside.resolve("f"));
        assertThrows(StorageRefusal.class,
                () -> SafePath.checkNoSymlinkEscape(root, SafePath.resolve(root, "file-link")));
    }

    @Test
    void allowsSymlinkInsideRoot() throws Exception {
        Files.createDirectories(root.resolve("real"));
        Files.createSymbolicLink(root.resolve("alias"), root.resolve("real"));
        SafePath.checkNoSymlinkEscape(root, SafePath.resolve(root, "alias/sub/x.bin"));
        SafePath.checkNoSymlinkEscape(root, SafePath.resolve(root, "not/yet/there.bin"));
    }

    @Test
    void worksWhenRootItselfIsBehindASymlink(@TempDir Path elsewhere) throws IOException, StorageRefusal {
        Path linkedRoot = elsewhere.resolve("root-link");
        Files.createSymbolicLink(linkedRoot, root);
        Files.createDirectories(root.resolve("d"));
        SafePath.checkNoSymlinkEscape(linkedRoot, SafePath.resolve(linkedRoot, "d/x"));
    }
}

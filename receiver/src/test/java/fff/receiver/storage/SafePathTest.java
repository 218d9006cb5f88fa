package fff.receiver.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.proto.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The receiver's adapter over {@code SafePaths} (whose own test covers each check): codes and messages. */
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
    void messageQuotesAndEscapes() {
        StorageRefusal e = assertThrows(StorageRefusal.class, () -> SafePath.resolve(root, "a\u0000b"));
        assertTrue(e.getMessage().contains("\"a\\u0000b\""), e.getMessage());
        assertTrue(e.getMessage().contains("control character"), e.getMessage());
        e = assertThrows(StorageRefusal.class, () -> SafePath.resolve(root, "a/../../x"));
        assertTrue(e.getMessage().contains("\"a/../../x\"") && e.getMessage().contains(".."), e.getMessage());
        e = assertThrows(StorageRefusal.class, () -> SafePath.resolve(root, "a/../b"));
        assertEquals("bad path \"a/../b\": '..' segment", e.getMessage());
    }

    @Test
    void acceptsWhatTheCoreAccepts() throws StorageRefusal {
        assertEquals(root.resolve("vidéo").resolve("日本語 file.mxf"), SafePath.resolve(root, "vidéo/日本語 file.mxf"));
        assertEquals(root.resolve("a.fff-partial"), SafePath.resolve(root, "a.fff-partial"));
    }

    @Test
    void refusesSymlinkLeadingOutside(@TempDir Path outside) throws Exception {
        Files.createSymbolicLink(root.resolve("escape"), outside);
        Path target = SafePath.resolve(root, "escape/x.bin");
        StorageRefusal e = assertThrows(StorageRefusal.class, () -> SafePath.checkNoSymlinkEscape(root, target));
        assertEquals(Reason.BAD_PATH, e.reason());
        assertEquals("path \"escape\" leads outside the landing root through a symlink", e.getMessage());

        Files.createSymbolicLink(root.resolve("file-link"), outside.resolve("f"));
        assertThrows(StorageRefusal.class,
                () -> SafePath.checkNoSymlinkEscape(root, SafePath.resolve(root, "file-link")));

        e = assertThrows(StorageRefusal.class, () -> SafePath.checkNoSymlinkEscape(root, outside.resolve("x")));
        assertEquals(Reason.BAD_PATH, e.reason());
        assertTrue(e.getMessage().endsWith(" is outside the landing root"), e.getMessage());
    }

    @Test
    void allowsSymlinkInsideRoot() throws Exception {
        Files.createDirectories(root.resolve("real"));
        Files.createSymbolicLink(root.resolve("alias"), root.resolve("real"));
        SafePath.checkNoSymlinkEscape(root, SafePath.resolve(root, "alias/sub/x.bin"));
    }
}

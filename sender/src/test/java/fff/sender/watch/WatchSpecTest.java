package fff.sender.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class WatchSpecTest {

    private static final Path ROOT = Path.of("/srv/out/../out/nas").toAbsolutePath();

    @Test
    void defaults() {
        WatchSpec s = WatchSpec.of(ROOT);
        assertEquals(ROOT.normalize(), s.root());
        assertEquals(List.of("**"), s.include());
        assertEquals(List.of(), s.exclude());
        assertTrue(s.recursive());
        assertEquals(Duration.ofSeconds(5), s.stableFor());
        assertEquals(Duration.ofSeconds(30), s.rescanEvery());
        assertFalse(s.includeHidden());
        assertEquals(List.of("**"), s.withInclude(List.of()).include());
    }

    @Test
    void errorsNameTheKeyAndTheValue() {
        assertEquals("watch.path: 'rel/dir' is not absolute",
                assertThrows(IllegalArgumentException.class, () -> WatchSpec.of(Path.of("rel/dir"))).getMessage());
        assertEquals("watch.path: missing",
                assertThrows(IllegalArgumentException.class, () -> WatchSpec.of(null)).getMessage());
        WatchSpec s = WatchSpec.of(ROOT);
        assertEquals("watch.stable-for: '-1s' is negative", assertThrows(IllegalArgumentException.class,
                () -> s.withStableFor(Duration.ofSeconds(-1))).getMessage());
        assertEquals("watch.rescan-every: '-5ms' is negative", assertThrows(IllegalArgumentException.class,
                () -> s.withRescanEvery(Duration.ofMillis(-5))).getMessage());
        assertEquals("watch.include: '{a' has '{' without '}'", assertThrows(IllegalArgumentException.class,
                () -> s.withInclude(List.of("{a"))).getMessage());
        assertEquals(Duration.ZERO, s.withRescanEvery(Duration.ZERO).rescanEvery());
    }

    @Test
    void filterAppliesHiddenTempIncludeAndExclude() {
        WatchFilter f = new WatchFilter(WatchSpec.of(ROOT).withExclude(List.of("cache/**")));
        assertTrue(f.acceptsFile("a.mxf"));
        assertTrue(f.acceptsFile("x/a.mxf"));
        assertFalse(f.acceptsFile("cache/a.mxf"));
        for (String temp : List.of("a.tmp", "x/a.part", "a.partial", "a~", "a.swp", ".a.fff-partial", ".h", "d/.h",
                ".d/a")) {
            assertFalse(f.acceptsFile(temp), temp);
        }
        assertFalse(f.entersDirectory(".snapshot"));
        assertTrue(f.entersDirectory("x.y"));
        WatchFilter all = new WatchFilter(WatchSpec.of(ROOT).withIncludeHidden(true));
        assertTrue(all.acceptsFile(".d/a.tmp"));
        assertTrue(all.entersDirectory(".snapshot"));
    }
}

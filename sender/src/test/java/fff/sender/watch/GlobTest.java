package fff.sender.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GlobTest {

    private static boolean matches(String glob, String path) {
        return Glob.compile("watch.include", glob).matches(path);
    }

    @Test
    void doubleStarMatchesAtAnyDepthIncludingTheTop() {
        for (String glob : new String[] {"**", "**/*"}) {
            assertTrue(matches(glob, "a"), glob);
            assertTrue(matches(glob, "x/y/a"), glob);
        }
        assertTrue(matches("**/*.mxf", "a.mxf"));
        assertTrue(matches("**/*.mxf", "x/y/a.mxf"));
        assertFalse(matches("**/*.mxf", "a.mxf.txt"));
        assertTrue(matches("video/**/*.mxf", "video/a.mxf"));
        assertTrue(matches("video/**/*.mxf", "video/x/a.mxf"));
        assertFalse(matches("video/**/*.mxf", "videos/a.mxf"));
        assertTrue(matches("a**", "ab/c"));
    }

    @Test
    void singleStarAndQuestionMarkStayWithinOneName() {
        assertTrue(matches("*.txt", "a.txt"));
        assertFalse(matches("*.txt", "d/a.txt"));
        assertTrue(matches("d/?.txt", "d/a.txt"));
        assertFalse(matches("d?a.txt", "d/a.txt"));
    }

    @Test
    void classesAlternativesAndEscapes() {
        assertTrue(matches("[ab].txt", "b.txt"));
        assertFalse(matches("[ab].txt", "c.txt"));
        assertTrue(matches("[!ab].txt", "c.txt"));
        assertFalse(matches("[!ab]x", "/x"));
        assertTrue(matches("[a-c]", "b"));
        assertTrue(matches("[-x]", "-"));
        assertTrue(matches("*.{mxf,mov}", "a.mov"));
        assertFalse(matches("*.{mxf,mov}", "a.mp4"));
        assertTrue(matches("\\*.txt", "*.txt"));
        assertFalse(matches("\\*.txt", "a.txt"));
        assertTrue(matches("a+b(1).txt", "a+b(1).txt"));
        assertTrue(matches("a,b", "a,b"));
    }

    @Test
    void badGlobsNameTheKeyAndTheGlob() {
        for (String bad : new String[] {"", "/abs", "a[b", "{a,b", "a}", "{a,{b}}", "x\\", "[a/b]"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Glob.compile("watch.exclude", bad), bad);
            assertTrue(e.getMessage().startsWith("watch.exclude: "), e.getMessage());
        }
        assertEquals("watch.exclude: 'a[b' has '[' without ']'",
                assertThrows(IllegalArgumentException.class, () -> Glob.compile("watch.exclude", "a[b")).getMessage());
    }
}

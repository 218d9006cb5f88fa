package fff.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code to: DEST:subpath}. */
class RouteTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "siteB|siteB|''",
        "siteB:|siteB|''",
        "siteB:nas/|siteB|nas",
        "siteB:nas|siteB|nas",
        "siteB:video/in/|siteB|video/in",
        "siteB:a//b/./c/|siteB|a/b/c",
        "' siteB : x y '|siteB|x y",
        "siteB:a..b/..c|siteB|a..b/..c",
    })
    void parsesDestinationAndNormalizedSubpath(String text, String destination, String subpath) {
        Route r = Route.parse("to", text);
        assertEquals(new Route(destination, subpath), r);
        assertEquals(r, Route.parse("to", r.toString()));
    }

    @Test
    void rootAndSubpathPrintAsTheyParse() {
        assertEquals("siteB:", new Route("siteB", null).toString());
        assertEquals("siteB:nas", Route.parse("to", "siteB:nas/").toString());
    }

    private static String error(String text) {
        return assertThrows(IllegalArgumentException.class, () -> Route.parse("watch[0].to", text)).getMessage();
    }

    @Test
    void refusesSubpathsThatCouldLeaveTheDestination() {
        assertEquals("watch[0].to: 'siteB:/nas': the subpath is absolute; write it relative to the destination's "
                + "root", error("siteB:/nas"));
        assertEquals("watch[0].to: 'siteB:../x': the subpath has '..'; it must stay inside the destination",
                error("siteB:../x"));
        assertEquals("watch[0].to: 'siteB:a/../../b': the subpath has '..'; it must stay inside the destination",
                error("siteB:a/../../b"));
        assertEquals("watch[0].to: 'siteB:a\\b': the subpath has a backslash; separate folders with '/'",
                error("siteB:a\\b"));
    }

    @Test
    void refusesAMissingDestination() {
        assertEquals("watch[0].to: ':nas' names no destination (write DEST:subpath)", error(":nas"));
        assertEquals("watch[0].to: ' ' names no destination (write DEST:subpath)", error(" "));
    }

    @Test
    void refusesControlCharacters() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Route.parse("to", "b:a\u0001b"));
        assertEquals("to: 'b:a\u0001b': the subpath has a control character", e.getMessage());
    }

    @Test
    void recordRefusesAnUnnormalizedSubpath() {
        assertThrows(IllegalArgumentException.class, () -> new Route("b", "a/"));
        assertThrows(IllegalArgumentException.class, () -> new Route("b", "../a"));
        assertThrows(IllegalArgumentException.class, () -> new Route("", "a"));
        assertThrows(IllegalArgumentException.class, () -> new Route(null, "a"));
    }
}

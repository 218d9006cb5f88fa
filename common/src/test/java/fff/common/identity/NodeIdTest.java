package fff.common.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NodeIdTest {

    private static NodeId random(long seed) {
        byte[] bytes = new byte[NodeId.BYTES];
        new Random(seed).nextBytes(bytes);
        return new NodeId(bytes);
    }

    @Test
    void textFormIsThirteenGroupsOfFourAndRoundTrips() {
        for (long seed = 0; seed < 200; seed++) {
            NodeId id = random(seed);
            String text = id.toString();
            assertTrue(text.matches("[A-Z2-7]{4}(-[A-Z2-7]{4}){12}"), text);
            assertEquals(13, text.split("-").length);
            assertEquals(id, NodeId.parse(text));
            assertEquals(id.hashCode(), NodeId.parse(text).hashCode());
        }
    }

    @Test
    void knownVector() {
        // RFC 4648 alphabet check: all-zero bytes are all 'A', all-ones end in 'Q' (4 trailing zero pad bits).
        assertEquals("AAAA-".repeat(12) + "AAAA", new NodeId(new byte[32]).toString());
        byte[] ones = new byte[32];
        java.util.Arrays.fill(ones, (byte) 0xff);
        assertEquals("7777-".repeat(12) + "777Q", new NodeId(ones).toString());
    }

    @Test
    void parseIsLenientAboutCaseAndSeparators() {
        NodeId id = random(42);
        String text = id.toString();
        assertEquals(id, NodeId.parse(text.toLowerCase(Locale.ROOT)));
        assertEquals(id, NodeId.parse(text.replace("-", "")));
        assertEquals(id, NodeId.parse(text.replace("-", " ")));
        assertEquals(id, NodeId.parse("  " + text + "\n"));
    }

    @Test
    void parseRejectsGarbageNamingIt() {
        for (String bad : new String[] {"", "hello", "ABCD-EFGH", "1111-".repeat(12) + "1111",
                "AAAA-".repeat(12) + "AAAB", "AAAA-".repeat(13) + "AAAA"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NodeId.parse(bad));
            assertTrue(e.getMessage().contains("\"" + bad + "\""), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> NodeId.parse(null));
    }

    @Test
    void bytesAreDefensivelyCopied() {
        byte[] bytes = new byte[32];
        NodeId id = new NodeId(bytes);
        bytes[0] = 1;
        id.bytes()[1] = 1;
        assertArrayEquals(new byte[32], id.bytes());
        assertNotEquals(id, new NodeId(bytes));
        assertThrows(IllegalArgumentException.class, () -> new NodeId(new byte[31]));
    }

    @Test
    void shortFormIsFirstTwoGroups() {
        NodeId id = random(7);
        assertEquals(id.toString().substring(0, 9), id.shortForm());
        assertTrue(id.shortForm().matches("[A-Z2-7]{4}-[A-Z2-7]{4}"));
    }
}

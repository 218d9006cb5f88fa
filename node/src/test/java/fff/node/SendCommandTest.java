package fff.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import fff.sender.PeerClient;
import org.junit.jupiter.api.Test;

/** {@code fff send --connections}: a number of at least 1, or auto; nothing else slips through as auto. */
class SendCommandTest {

    @Test
    void connectionsAreANumberOfAtLeastOneOrAuto() {
        assertEquals(PeerClient.AUTO, LinkOptions.connections("auto"));
        assertEquals(3, LinkOptions.connections("3"));
        assertEquals(-1, LinkOptions.connections("0"), "0 is not auto");
        assertEquals(-1, LinkOptions.connections("-2"));
        assertEquals(-1, LinkOptions.connections("many"));
    }
}

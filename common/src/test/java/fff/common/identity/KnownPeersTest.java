package fff.common.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnownPeersTest {

    @TempDir
    Path home;

    private static NodeId id(int fill) {
        byte[] bytes = new byte[NodeId.BYTES];
        java.util.Arrays.fill(bytes, (byte) fill);
        return new NodeId(bytes);
    }

    @Test
    void rememberLookupReplaceAndPersist() throws Exception {
        KnownPeers peers = KnownPeers.in(home);
        assertEquals(Optional.empty(), peers.lookup("127.0.0.1:7000"));

        peers.remember("127.0.0.1:7000", id(1));
        peers.remember("[::1]:7001", id(2));
        assertEquals(Optional.of(id(1)), peers.lookup("127.0.0.1:7000"));
        assertEquals(Optional.of(id(2)), peers.lookup("[::1]:7001"));
        assertEquals(Optional.empty(), peers.lookup("127.0.0.1:7001"));

        peers.remember("127.0.0.1:7000", id(3));
        KnownPeers reopened = new KnownPeers(home.resolve(KnownPeers.FILE));
        assertEquals(Optional.of(id(3)), reopened.lookup("127.0.0.1:7000"));
        assertEquals(Optional.of(id(2)), reopened.lookup("[::1]:7001"));
        assertEquals(List.of("127.0.0.1:7000 " + id(3), "[::1]:7001 " + id(2)),
                Files.readAllLines(home.resolve(KnownPeers.FILE)));
        try (var files = Files.list(home)) {
            assertEquals(1, files.count(), "no temp files left behind");
        }
    }

    @Test
    void commentsAndBlankLinesSurviveARewrite() throws Exception {
        Path file = home.resolve(KnownPeers.FILE);
        Files.write(file, List.of("# my peers", "", "a:1 " + id(1).toString().toLowerCase()));
        KnownPeers peers = new KnownPeers(file);
        assertEquals(Optional.of(id(1)), peers.lookup("a:1"));
        peers.remember("b:2", id(2));
        peers.remember("a:1", id(4));
        assertEquals(List.of("# my peers", "", "a:1 " + id(4), "b:2 " + id(2)), Files.readAllLines(file));
    }

    @Test
    void badLinesAndAddressesAreReported() throws Exception {
        Path file = home.resolve(KnownPeers.FILE);
        Files.write(file, List.of("# ok", "a:1 NOT-AN-ID"));
        IOException e = assertThrows(IOException.class, () -> new KnownPeers(file).lookup("a:1"));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        KnownPeers peers = KnownPeers.in(home.resolve("other"));
        for (String bad : new String[] {"", "host", "host:", "host:0", "host:70000", "a b:1", ":1"}) {
            assertThrows(IllegalArgumentException.class, () -> peers.remember(bad, id(1)), bad);
        }
    }
}

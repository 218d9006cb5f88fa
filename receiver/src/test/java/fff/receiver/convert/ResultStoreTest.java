package fff.receiver.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import fff.common.transcode.Profiles;
import fff.proto.MediaInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The result store's key and budget, under a clock the test moves. */
class ResultStoreTest {

    private static final Duration DAY = Duration.ofDays(1);

    @TempDir
    Path dir;

    private Instant now = Instant.parse("2024-05-01T00:00:00Z");

    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    private static ResultKey key(int n) {
        return new ResultKey(new byte[] {(byte) n, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, "webp",
                List.of("-c:v", "libwebp"));
    }

    private ResultStore.Lease put(ResultStore store, ResultKey key, int bytes) throws IOException {
        Path partial = store.partial(key);
        Files.write(partial, new byte[bytes]);
        return store.add(key, partial, new byte[] {(byte) bytes, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    }

    @Test
    void theKeyIsTheSourceTheProfileAndItsArguments() {
        MediaInfo none = MediaInfo.getDefaultInstance();
        byte[] digest = new byte[16];
        ResultKey a = ResultKey.of(digest, Profiles.builtIn("h265-mkv", Map.of()), none);
        assertEquals(a, ResultKey.of(digest.clone(), Profiles.builtIn("h265-mkv", Map.of()), none));
        assertEquals(a.id(), ResultKey.of(digest.clone(), Profiles.builtIn("h265-mkv", Map.of()), none).id());
        assertEquals(64, a.id().length());
        byte[] other = digest.clone();
        other[3] = 1;
        assertNotEquals(a.id(), ResultKey.of(other, Profiles.builtIn("h265-mkv", Map.of()), none).id());
        assertNotEquals(a.id(), ResultKey.of(digest, Profiles.builtIn("h265-mkv", Map.of("crf", "20")), none).id(),
                "another crf is another result");
        assertNotEquals(a.id(), ResultKey.of(digest, Profiles.builtIn("h264-mkv", Map.of()), none).id());
        // fields are length-prefixed: moving a character between them changes the key
        assertNotEquals(new ResultKey(digest, "ab", List.of("c")).id(), new ResultKey(digest, "a", List.of("bc")).id());
    }

    @Test
    void aResultIsFoundWithItsDigestAndSurvivesAReopen() throws IOException {
        ResultStore store = ResultStore.open(dir, 1 << 20, DAY, clock);
        assertNull(store.lease(key(1)));
        try (ResultStore.Lease l = put(store, key(1), 100)) {
            assertEquals(100, l.size());
        }
        ResultStore again = ResultStore.open(dir, 1 << 20, DAY, clock);
        try (ResultStore.Lease l = again.lease(key(1))) {
            assertNotNull(l);
            assertEquals(100, l.size());
            assertArrayEquals(new byte[] {100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, l.digest());
        }
    }

    @Test
    void beyondTheSizeTheLeastRecentlyUsedGoFirstButNeverOneInUse() throws IOException {
        ResultStore store = ResultStore.open(dir, 250, DAY, clock);
        put(store, key(1), 100).close();
        now = now.plusSeconds(10);
        put(store, key(2), 100).close();
        now = now.plusSeconds(10);
        store.lease(key(1)).close(); // 1 is used again: 2 is now the least recent
        now = now.plusSeconds(10);
        put(store, key(3), 100).close();
        assertNull(store.lease(key(2)));
        assertEquals(200, store.bytes());

        ResultStore.Lease held = store.lease(key(1));
        now = now.plusSeconds(10);
        put(store, key(4), 100).close();
        assertNotNull(store.lease(key(1)), "in use, so kept");
        assertNull(store.lease(key(3)));
        held.close();
        assertEquals(List.of(), partials());
    }

    @Test
    void resultsUnusedForTheMaximumAgeAndPartialsGoAtStartUp() throws IOException {
        ResultStore store = ResultStore.open(dir, 1 << 20, DAY, clock);
        put(store, key(1), 10).close();
        now = now.plus(Duration.ofHours(20));
        put(store, key(2), 10).close();
        Files.write(store.partial(key(3)), new byte[5]); // a conversion the node did not finish
        now = now.plus(Duration.ofHours(5));

        ResultStore reopened = ResultStore.open(dir, 1 << 20, DAY, clock);
        assertNull(reopened.lease(key(1)), "25 h unused");
        assertNotNull(reopened.lease(key(2)));
        assertEquals(List.of(), partials());
        assertEquals(1, reopened.count());
    }

    @Test
    void addingARemovesWhatTheAgeAllowsNoLonger() throws IOException {
        ResultStore store = ResultStore.open(dir, 1 << 20, DAY, clock);
        put(store, key(1), 10).close();
        now = now.plus(Duration.ofDays(2));
        put(store, key(2), 10).close();
        assertNull(store.lease(key(1)));
        assertEquals(1, store.count());
    }

    private List<Path> partials() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(ResultStore.PARTIAL_PREFIX)).toList();
        }
    }
}

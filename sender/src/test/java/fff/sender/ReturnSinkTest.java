package fff.sender;

import static fff.common.testing.TestData.bytes;
import static fff.common.testing.TestData.digest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.hash.ContentHasher;
import fff.common.paths.SafePaths;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ReturnSink} in a temporary folder: writes in order, the check at the end, what becomes of the partial. */
class ReturnSinkTest {

    private static final int MIB = ContentHasher.BLOCK_SIZE;
    private static final long MTIME = 1_600_000_000_000L;

    @TempDir
    Path tmp;

    @Test
    void theResultIsPutInPlaceOnlyOnceItArrivedWholeAndMatches() throws IOException {
        byte[] result = bytes(MIB + 1000, 1);
        Path to = tmp.resolve("out/sub/r.webp");
        Path partial = SafePaths.partialFor(to);
        ReturnSink sink = new ReturnSink(to, result.length, digest(result, result.length));
        assertTrue(Files.isRegularFile(partial), "its folders are made and the partial opened");
        sink.write(ByteBuffer.wrap(result, 0, 700_000), 0);
        sink.write(ByteBuffer.wrap(result, 700_000, result.length - 700_000), 700_000);
        assertEquals(result.length, sink.written());
        assertFalse(Files.exists(to));

        assertNull(sink.finish(result.length, digest(result, result.length), MTIME));
        assertArrayEquals(result, Files.readAllBytes(to));
        assertEquals(MTIME, Files.getLastModifiedTime(to).toMillis());
        assertFalse(Files.exists(partial));
        sink.discard(); // what the session does when the stream ends, placed or not
        assertArrayEquals(result, Files.readAllBytes(to), "the placed result is not touched");
    }

    @Test
    void aWriteOutOfOrderOrBeyondTheSizeIsRefused() throws IOException {
        byte[] result = bytes(1000, 2);
        ReturnSink sink = new ReturnSink(tmp.resolve("r.webp"), result.length, digest(result, result.length));
        assertThrows(IOException.class, () -> sink.write(ByteBuffer.wrap(result, 0, 10), 10));
        sink.write(ByteBuffer.wrap(result, 0, 10), 0);
        assertThrows(IOException.class, () -> sink.write(ByteBuffer.wrap(bytes(991, 3)), 10));
        assertEquals(10, sink.written());
        sink.discard();
        assertFalse(Files.exists(SafePaths.partialFor(tmp.resolve("r.webp"))));
    }

    @Test
    void damagedBytesLeaveAFileAlreadyAtTheTargetAlone() throws IOException {
        byte[] result = bytes(300_000, 4);
        Path to = Files.write(tmp.resolve("r.webp"), "older".getBytes());
        ReturnSink sink = new ReturnSink(to, result.length, digest(result, result.length));
        byte[] damaged = result.clone();
        damaged[299_999] ^= 1;
        sink.write(ByteBuffer.wrap(damaged), 0);
        String wrong = sink.finish(result.length, digest(result, result.length), MTIME);
        assertNotNull(wrong);
        assertTrue(wrong.contains("digest"), wrong);
        assertArrayEquals("older".getBytes(), Files.readAllBytes(to));
        assertFalse(Files.exists(SafePaths.partialFor(to)));
    }

    @Test
    void anEndThatDisagreesWithTheAnnouncementIsAMismatch() throws IOException {
        byte[] result = bytes(300_000, 5);
        byte[] other = bytes(300_000, 6);
        for (int i = 0; i < 2; i++) {
            Path to = tmp.resolve("r" + i + ".webp");
            ReturnSink sink = new ReturnSink(to, result.length, digest(result, result.length));
            sink.write(ByteBuffer.wrap(result), 0);
            String wrong = i == 0 ? sink.finish(result.length - 1, digest(result, result.length), -1)
                    : sink.finish(result.length, digest(other, other.length), -1);
            assertNotNull(wrong, i == 0 ? "End's count differs" : "End's digest differs from READY's");
            assertFalse(Files.exists(to));
            assertFalse(Files.exists(SafePaths.partialFor(to)));
        }
    }

    @Test
    void aLinkPlantedAtThePartialsNameIsRemovedNotFollowed() throws IOException {
        Path victim = Files.write(tmp.resolve("victim"), "keep".getBytes());
        Path to = tmp.resolve("r.webp");
        Path partial = SafePaths.partialFor(to);
        Files.createSymbolicLink(partial, victim);
        byte[] result = bytes(100, 7);
        ReturnSink sink = new ReturnSink(to, result.length, digest(result, result.length));
        sink.write(ByteBuffer.wrap(result), 0);
        assertFalse(Files.isSymbolicLink(partial));
        assertArrayEquals("keep".getBytes(), Files.readAllBytes(victim));
        sink.discard();
    }
}

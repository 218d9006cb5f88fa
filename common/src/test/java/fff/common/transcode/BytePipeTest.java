package fff.common.transcode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class BytePipeTest {

    @Test
    void bytesArriveInOrderThroughASmallRingAndEndAfterClose() throws Exception {
        BytePipe pipe = new BytePipe(7);
        byte[] data = new byte[100_003];
        new Random(1).nextBytes(data);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                for (int off = 0; off < data.length; off += 1000) {
                    pipe.write(ByteBuffer.wrap(data, off, Math.min(1000, data.length - off)));
                }
                pipe.close();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(13);
        for (int n; (n = pipe.read(buf.clear())) >= 0; ) {
            got.write(buf.array(), 0, n);
        }
        writer.get(10, TimeUnit.SECONDS);
        assertArrayEquals(data, got.toByteArray());
        assertEquals(data.length, pipe.written());
        assertEquals(-1, pipe.read(buf.clear()), "still the end");
    }

    @Test
    void aFullPipeHoldsTheWriterUntilTheReaderTakes() throws Exception {
        BytePipe pipe = new BytePipe(4);
        pipe.write(ByteBuffer.wrap(new byte[4]));
        CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> {
            try {
                pipe.write(ByteBuffer.wrap(new byte[] {9}));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        assertThrows(TimeoutException.class, () -> blocked.get(200, TimeUnit.MILLISECONDS), "back-pressure");
        assertEquals(4, pipe.read(ByteBuffer.allocate(4)));
        blocked.get(5, TimeUnit.SECONDS);
        ByteBuffer one = ByteBuffer.allocate(4);
        assertEquals(1, pipe.read(one));
        assertEquals(9, one.get(0));
    }

    @Test
    void failWakesABlockedWriterAndReaderWithTheReason() throws Exception {
        BytePipe full = new BytePipe(1);
        full.write(ByteBuffer.wrap(new byte[1]));
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                full.write(ByteBuffer.wrap(new byte[1]));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        BytePipe empty = new BytePipe(1);
        CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
            try {
                return empty.read(ByteBuffer.allocate(1));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(100);
        full.fail(new IOException("ffmpeg died"));
        empty.fail(new IOException("stopped"));
        Exception w = assertThrows(Exception.class, () -> writer.get(5, TimeUnit.SECONDS));
        assertTrue(w.getCause().getMessage().contains("ffmpeg died"), w.toString());
        Exception r = assertThrows(Exception.class, () -> reader.get(5, TimeUnit.SECONDS));
        assertTrue(r.getCause().getMessage().contains("stopped"), r.toString());
        assertThrows(IOException.class, () -> full.read(ByteBuffer.allocate(1)), "a failure beats buffered bytes");
    }

    @Test
    void aTimedWriteTakesWhatFitsAndSaysWhetherItWroteAll() throws Exception {
        BytePipe pipe = new BytePipe(4);
        ByteBuffer six = ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6});
        assertEquals(false, pipe.write(six, 50, TimeUnit.MILLISECONDS));
        assertEquals(4, six.position(), "four fitted");
        assertEquals(4, pipe.read(ByteBuffer.allocate(8)));
        assertEquals(true, pipe.write(six, 50, TimeUnit.MILLISECONDS));
        assertEquals(6, pipe.written());
    }

    @Test
    void writingAfterCloseIsAnError() throws Exception {
        BytePipe pipe = new BytePipe(8);
        pipe.close();
        assertThrows(IOException.class, () -> pipe.write(ByteBuffer.wrap(new byte[1])));
    }
}

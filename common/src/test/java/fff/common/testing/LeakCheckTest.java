package fff.common.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The checker really sees a dropped buffer, and {@link LeakCheck#assertNoLeaks()} fails on it. */
@ExtendWith(LeakCheck.class)
class LeakCheckTest {

    @Test
    void runsParanoid() {
        assertEquals(ResourceLeakDetector.Level.PARANOID, ResourceLeakDetector.getLevel());
    }

    @Test
    void droppedBufferIsRecorded() {
        dropUnreleasedBuffer();
        List<String> leaks = awaitLeaks();
        assertEquals(1, leaks.size(), () -> "leaks: " + leaks);
        assertTrue(leaks.get(0).contains("dropUnreleasedBuffer"),
                () -> "the record should show where the buffer was created: " + leaks.get(0));
    }

    @Test
    void assertNoLeaksFailsOnALeakAndNamesIt() {
        dropUnreleasedBuffer();
        AssertionError error = null;
        for (int attempt = 0; attempt < 20 && error == null; attempt++) {
            try {
                LeakCheck.assertNoLeaks();
            } catch (AssertionError e) {
                error = e;
            }
        }
        if (error == null) {
            fail("assertNoLeaks() never failed on a dropped buffer");
        }
        assertTrue(error.getMessage().contains("leak"), error.getMessage());
        assertTrue(error.getMessage().contains("dropUnreleasedBuffer"), error.getMessage());
        assertTrue(LeakCheck.drainLeaks().isEmpty(), "a failed check drains what it reported");
    }

    @Test
    void releasedBuffersAreNotLeaks() {
        for (int i = 0; i < 100; i++) {
            ByteBuf buf = ByteBufAllocator.DEFAULT.buffer(64).writeLong(i);
            ByteBuf slice = buf.retainedSlice();
            slice.release();
            buf.release();
            assertEquals(0, buf.refCnt());
        }
        LeakCheck.assertNoLeaks();
    }

    /**
     * Allocates a buffer, touches it, and forgets it without release. From the default allocator: Netty does
     * not track unpooled heap buffers ({@code Unpooled.buffer()}), whose leak the GC repairs anyway.
     */
    private static void dropUnreleasedBuffer() {
        ByteBuf buf = ByteBufAllocator.DEFAULT.buffer(16);
        buf.writeInt(42);
        buf.touch("dropped by LeakCheckTest");
    }

    private static List<String> awaitLeaks() {
        List<String> leaks = new ArrayList<>();
        for (int attempt = 0; attempt < 20 && leaks.isEmpty(); attempt++) {
            LeakCheck.provokeReports();
            leaks.addAll(LeakCheck.drainLeaks());
        }
        return leaks;
    }
}

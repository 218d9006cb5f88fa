package fff.sender;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Test-only fault injection, off unless the JVM is started with {@code -Dfff.test.flipByteAt=OFFSET}: the first
 * payload chunk covering OFFSET leaves with that byte flipped (after it was hashed), once per process, so a
 * test can prove that a corrupted stream fails verification and the retry heals it.
 */
final class FaultHook {

    private static final long FLIP_AT = Long.getLong("fff.test.flipByteAt", -1);
    private static final AtomicBoolean FIRED = new AtomicBoolean();

    private FaultHook() {}

    /** While armed, payload goes through memory (not zero-copy) so it can be altered. */
    static boolean armed() {
        return FLIP_AT >= 0 && !FIRED.get();
    }

    static void apply(ByteBuf chunk, long fileOffset) {
        if (FLIP_AT >= fileOffset && FLIP_AT < fileOffset + chunk.readableBytes() && FIRED.compareAndSet(false, true)) {
            int i = chunk.readerIndex() + (int) (FLIP_AT - fileOffset);
            chunk.setByte(i, chunk.getByte(i) ^ 0x01);
        }
    }
}

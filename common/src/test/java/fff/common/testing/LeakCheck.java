package fff.common.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that fails a test when Netty reported a leaked resource (a {@link ByteBuf} that was
 * garbage-collected without being released, or any other tracked {@code ReferenceCounted}).
 *
 * <p>Register it first: {@code @ExtendWith(LeakCheck.class)}. Its static initializer installs a recording
 * {@link ResourceLeakDetectorFactory}, which only reaches detectors created afterwards; {@code ByteBuf}'s
 * detector is created once, when {@code AbstractByteBuf} initializes. When an earlier test class in the same
 * JVM already initialized it, the extension attaches a {@link ResourceLeakDetector.LeakListener} to that
 * detector instead, so ByteBuf leaks are caught either way.
 *
 * <p>Netty finds a leak only on a later allocation after the GC cleared the buffer, so after each test class
 * the extension collects garbage, allocates and releases a few buffers, and then asserts that nothing was
 * recorded; after each test it fails on what was recorded already (without collecting: three collections per
 * test cost ~0.2 s each, minutes over the suite). A leak thus fails the test during which Netty reported it,
 * or else the class; the records (allocation and access stacks, paranoid level) name the culprit. Netty reports a given record once per
 * detector, so a leak repeated from the same stack fails only the first test that shows it.
 *
 * <p>Netty does not track unpooled heap buffers ({@code Unpooled.buffer()}, {@code wrappedBuffer},
 * {@code copiedBuffer}): the GC reclaims them. Allocate from {@code ByteBufAllocator.DEFAULT} (as a channel
 * does) where a test wants ownership checked.
 */
public final class LeakCheck implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

    private static final Queue<String> LEAKS = new ConcurrentLinkedQueue<>();
    private static final boolean BYTEBUF_DETECTOR_OURS;

    static {
        if (ResourceLeakDetector.getLevel().ordinal() < ResourceLeakDetector.Level.PARANOID.ordinal()) {
            // the build sets -Dio.netty.leakDetectionLevel=paranoid; an IDE run may not
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        }
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
        ResourceLeakDetector<ByteBuf> detector = byteBufDetector();
        BYTEBUF_DETECTOR_OURS = detector instanceof RecordingDetector;
        if (!BYTEBUF_DETECTOR_OURS) {
            detector.setLeakListener(LeakCheck::record);
        }
    }

    /** Whether ByteBuf leaks reach the recording factory (false: through the fallback listener). */
    public static boolean factoryInstalledInTime() {
        return BYTEBUF_DETECTOR_OURS;
    }

    /** Leaks recorded so far, removed from the record. */
    public static List<String> drainLeaks() {
        List<String> drained = new ArrayList<>();
        for (String leak; (leak = LEAKS.poll()) != null; ) {
            drained.add(leak);
        }
        return drained;
    }

    /**
     * Gives Netty the chance to report leaked buffers: collects garbage, waits for the reference handler
     * to enqueue cleared buffers, and allocates (each paranoid allocation polls the detector's queue).
     */
    public static void provokeReports() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            for (int i = 0; i < 8; i++) {
                ByteBufAllocator.DEFAULT.buffer(1).release();
                ByteBufAllocator.DEFAULT.directBuffer(1).release();
            }
        }
    }

    /** Provokes reports, then fails with the leak records if any leak was recorded (and drains them). */
    public static void assertNoLeaks() {
        provokeReports();
        failOnRecorded();
    }

    /** Fails with the leak records if any leak was recorded so far (and drains them); collects nothing. */
    private static void failOnRecorded() {
        List<String> leaks = drainLeaks();
        if (!leaks.isEmpty()) {
            throw new AssertionError("Netty reported " + leaks.size() + " leak(s):\n" + String.join("\n\n", leaks));
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        // loading this class ran the static initializer; nothing else to do before the tests
    }

    @Override
    public void afterEach(ExtensionContext context) {
        failOnRecorded();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        assertNoLeaks();
    }

    private static void record(String resourceType, String records) {
        LEAKS.add(resourceType + " leaked" + (records.isEmpty() ? " (untraced)" : ":" + records));
    }

    @SuppressWarnings("unchecked")
    private static ResourceLeakDetector<ByteBuf> byteBufDetector() {
        try {
            Class<?> abstractByteBuf = Class.forName("io.netty.buffer.AbstractByteBuf");
            Field field = abstractByteBuf.getDeclaredField("leakDetector");
            field.setAccessible(true);
            return (ResourceLeakDetector<ByteBuf>) field.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError("cannot reach AbstractByteBuf.leakDetector: " + e);
        }
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {

        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                long maxActive) {
            return new RecordingDetector<>(resource, samplingInterval);
        }

        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval) {
            return new RecordingDetector<>(resource, samplingInterval);
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {

        RecordingDetector(Class<?> resourceType, int samplingInterval) {
            super(resourceType, samplingInterval);
        }

        @Override
        protected boolean needReport() {
            return true; // record even when Netty's error log is switched off
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            super.reportTracedLeak(resourceType, records);
            record(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            super.reportUntracedLeak(resourceType);
            record(resourceType, "");
        }
    }
}

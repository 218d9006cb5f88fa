package fff.common.testing;

import fff.common.hash.ContentHasher;
import java.util.Random;

/** Reproducible test content and its expected digest, shared by the modules' tests. */
public final class TestData {

    private TestData() {}

    /** {@code n} pseudo-random bytes, the same for the same seed. */
    public static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** The content digest of the first {@code len} bytes of {@code src}. */
    public static byte[] digest(byte[] src, int len) {
        ContentHasher h = new ContentHasher();
        h.update(src, 0, len);
        return h.digest();
    }
}

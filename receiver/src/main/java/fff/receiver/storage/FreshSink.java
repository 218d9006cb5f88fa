package fff.receiver.storage;

import fff.common.hash.ContentHasher;

/** A {@link StreamSink} that never resumes: it holds nothing at the start, and the data always starts at 0. */
public interface FreshSink extends StreamSink {

    @Override
    default long resumeOffset() {
        return 0;
    }

    @Override
    default byte[] prefixDigest() {
        return new ContentHasher().digest();
    }

    @Override
    default boolean present() {
        return false;
    }
}

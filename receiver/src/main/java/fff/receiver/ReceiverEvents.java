package fff.receiver;

import fff.common.identity.NodeId;

/** What a receiver tells its host about delivered files (for the console, later the journal and metrics). */
public interface ReceiverEvents {

    /** A file is at its final path, verified; {@code present}: it was already there, nothing was written. */
    void file(NodeId from, String path, long size, long bytesWritten, boolean present);

    void directory(NodeId from, String path);

    ReceiverEvents NONE = new ReceiverEvents() {
        @Override
        public void file(NodeId from, String path, long size, long bytesWritten, boolean present) { }

        @Override
        public void directory(NodeId from, String path) { }
    };
}

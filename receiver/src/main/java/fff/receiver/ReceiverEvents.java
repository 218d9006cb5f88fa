package fff.receiver;

import fff.common.identity.NodeId;

/**
 * What a receiver tells its host about delivered files and mirrored deletes and renames (for the console, later
 * the journal and metrics).
 */
public interface ReceiverEvents {

    /** A file is at its final path, verified; {@code present}: it was already there, nothing was written. */
    void file(NodeId from, String path, long size, long bytesWritten, boolean present);

    void directory(NodeId from, String path);

    /** A delivered file was deleted because its source was (a mirror edit); not called when nothing was there. */
    default void removed(NodeId from, String path) { }

    /** A transcode's result is at its final path, verified; {@code wireBytes} crossed the link for it. */
    default void transcoded(NodeId from, String path, String profile, long wireBytes) { }

    /** A delivered file was moved from {@code fromPath} to {@code toPath} because its source was renamed. */
    default void renamed(NodeId from, String fromPath, String toPath) { }

    ReceiverEvents NONE = new ReceiverEvents() {
        @Override
        public void file(NodeId from, String path, long size, long bytesWritten, boolean present) { }

        @Override
        public void directory(NodeId from, String path) { }
    };
}

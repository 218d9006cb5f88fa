package fff.receiver.storage;

import fff.common.paths.PathRefusal;
import fff.common.paths.SafePaths;
import fff.proto.Reason;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Turns a path named by the network into a path under the landing root, or refuses it with
 * {@link Reason#BAD_PATH}: the receiver's face of {@link SafePaths}, which holds the checks and the messages.
 *
 * <p>{@link #checkNoSymlinkEscape} does blocking file I/O: call it from a disk executor, never an event loop.
 */
public final class SafePath {

    private static final String ROOT_NAME = "the landing root";

    private SafePath() {}

    /** Resolves {@code wirePath} under {@code root}; the result is absolute and normalized. */
    public static Path resolve(Path root, String wirePath) throws StorageRefusal {
        try {
            return SafePaths.resolve(root, wirePath, ROOT_NAME);
        } catch (PathRefusal e) {
            throw badPath(e);
        }
    }

    /** Refuses when a symlink on disk leads {@code target} out of the landing root; see {@link SafePaths}. */
    public static void checkNoSymlinkEscape(Path root, Path target) throws StorageRefusal, IOException {
        try {
            SafePaths.checkNoSymlinkEscape(root, target, ROOT_NAME);
        } catch (PathRefusal e) {
            throw badPath(e);
        }
    }

    static String quote(String s) {
        return SafePaths.quote(s);
    }

    private static StorageRefusal badPath(PathRefusal e) {
        return new StorageRefusal(Reason.BAD_PATH, e.getMessage());
    }
}

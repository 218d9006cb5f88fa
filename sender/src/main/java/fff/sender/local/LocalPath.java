package fff.sender.local;

import fff.common.paths.PathRefusal;
import fff.common.paths.SafePaths;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Paths under a local destination's root, checked by {@link SafePaths} exactly as the receiver checks wire paths;
 * refusals are non-retryable {@code BAD_PATH} failures. Messages name the root by its absolute path.
 *
 * <p>Everything here that touches the disk blocks: call it from the mover's own threads.
 */
final class LocalPath {

    private LocalPath() {}

    /** Resolves {@code remotePath} under {@code root} (absolute and normalized), or refuses it. */
    static Path resolve(Path root, String remotePath) throws LocalFailure {
        try {
            return SafePaths.resolve(root, remotePath, rootName(root));
        } catch (PathRefusal e) {
            throw badPath(e.getMessage());
        }
    }

    /** Makes the folders between {@code root} (which must exist; it is never created) and {@code dir}. */
    static void createDirectories(Path root, Path dir, String remotePath) throws LocalFailure, IOException {
        checkNoSymlinkEscape(root, dir);
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException | NotDirectoryException e) {
            throw badPath("bad path " + SafePaths.quote(remotePath) + ": a file is in the way of its folders");
        }
        // again after creating: a link could have appeared between the check and the mkdir
        checkNoSymlinkEscape(root, dir);
    }

    /** Refuses when a symlink on disk leads {@code target} out of {@code root}; see {@link SafePaths}. */
    static void checkNoSymlinkEscape(Path root, Path target) throws LocalFailure, IOException {
        try {
            SafePaths.checkNoSymlinkEscape(root, target, rootName(root));
        } catch (PathRefusal e) {
            throw badPath(e.getMessage());
        }
    }

    private static String rootName(Path root) {
        return root.toAbsolutePath().normalize().toString();
    }

    private static LocalFailure badPath(String message) {
        return LocalFailure.of("BAD_PATH", message, false);
    }
}

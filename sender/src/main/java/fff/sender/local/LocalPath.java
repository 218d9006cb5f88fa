package fff.sender.local;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Paths under a local destination's root, checked as the receiver checks wire paths: a job's remote path is
 * relative, '/'-separated, without empty, "." or ".." segments, backslashes, control characters or a segment
 * that names a partial file, and nothing on disk (a planted symlink) may lead out of the root. Refusals are
 * non-retryable {@code BAD_PATH} failures. Partials are {@code .<name>.fff-partial} beside the final file.
 *
 * <p>Everything here that touches the disk blocks: call it from the mover's own threads.
 */
final class LocalPath {

    static final String PARTIAL_PREFIX = ".";
    static final String PARTIAL_SUFFIX = ".fff-partial";
    private static final int MAX_SEGMENT_BYTES = 255;
    private static final int MAX_PATH_BYTES = 4096;

    private LocalPath() {}

    /** Resolves {@code remotePath} under {@code root} (absolute and normalized), or refuses it. */
    static Path resolve(Path root, String remotePath) throws LocalFailure {
        if (remotePath.isEmpty()) {
            throw refuse("empty path", remotePath);
        }
        if (remotePath.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw refuse("longer than " + MAX_PATH_BYTES + " bytes", remotePath);
        }
        for (int i = 0; i < remotePath.length(); i++) {
            char c = remotePath.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\\') {
                throw refuse((c == '\\' ? "backslash" : "control character") + " at index " + i, remotePath);
            }
        }
        if (remotePath.charAt(0) == '/') {
            throw refuse("absolute path", remotePath);
        }
        for (String segment : remotePath.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw refuse("'" + segment + "' segment", remotePath);
            }
            if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
                throw refuse("a segment longer than " + MAX_SEGMENT_BYTES + " bytes", remotePath);
            }
            if (isPartialName(segment)) {
                throw refuse("names a partial file", remotePath);
            }
        }
        Path base = root.toAbsolutePath().normalize();
        Path resolved = base.resolve(remotePath).normalize();
        if (!resolved.startsWith(base) || resolved.equals(base)) {
            throw refuse("resolves outside " + base, remotePath);
        }
        return resolved;
    }

    /** True for names of the form {@code .<name>.fff-partial}. */
    static boolean isPartialName(String name) {
        return name.length() > PARTIAL_PREFIX.length() + PARTIAL_SUFFIX.length() && name.startsWith(PARTIAL_PREFIX)
                && name.endsWith(PARTIAL_SUFFIX);
    }

    static Path partialFor(Path finalPath) {
        return finalPath.resolveSibling(PARTIAL_PREFIX + finalPath.getFileName() + PARTIAL_SUFFIX);
    }

    /** Makes the folders between {@code root} (which must exist; it is never created) and {@code dir}. */
    static void createDirectories(Path root, Path dir, String remotePath) throws LocalFailure, IOException {
        checkNoSymlinkEscape(root, dir);
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException | NotDirectoryException e) {
            throw refuse("a file is in the way of its folders", remotePath);
        }
        // again after creating: a link could have appeared between the check and the mkdir
        checkNoSymlinkEscape(root, dir);
    }

    /**
     * Refuses when {@code target} or an existing ancestor below {@code root} resolves, through symlinks, outside
     * {@code root}'s real path.
     */
    static void checkNoSymlinkEscape(Path root, Path target) throws LocalFailure, IOException {
        Path base = root.toAbsolutePath().normalize();
        Path realBase = base.toRealPath();
        for (Path p = target; p != null && p.startsWith(base) && !p.equals(base); p = p.getParent()) {
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            Path real;
            try {
                real = p.toRealPath();
            } catch (IOException e) {
                throw refuse("cannot be resolved (dangling symlink?)", base.relativize(p).toString());
            }
            if (!real.startsWith(realBase)) {
                throw refuse("leads outside " + base + " through a symlink", base.relativize(p).toString());
            }
        }
    }

    static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some filesystems (vfat on a USB stick among them) refuse to sync a directory; the rename happened
        }
    }

    /** Quotes a path for a message: control characters and quotes escaped, long paths cut. */
    static String quote(String s) {
        int n = Math.min(s.length(), 160);
        StringBuilder sb = new StringBuilder(n + 8).append('"');
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c == '"' || c == '\\' ? "\\" + c : String.valueOf(c));
            }
        }
        sb.append('"');
        return s.length() > n ? sb.append("... (").append(s.length()).append(" chars)").toString() : sb.toString();
    }

    private static LocalFailure refuse(String what, String remotePath) {
        return LocalFailure.of("BAD_PATH", "bad path " + quote(remotePath) + ": " + what, false);
    }
}

package fff.receiver.storage;

import fff.proto.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns a path named by the network into a path under the landing root, or refuses it with
 * {@link Reason#BAD_PATH}.
 *
 * <p>A wire path is relative, '/'-separated UTF-8: no empty, "." or ".." segments, no backslash, no control
 * characters, no drive prefix, at most {@value #MAX_SEGMENT_BYTES} bytes per segment and
 * {@value #MAX_PATH_BYTES} bytes in all, and no segment that names a partial file
 * ({@link LandingArea#isPartialName}). {@link #checkNoSymlinkEscape} does the part no lexical check can:
 * symlinks already on disk.
 *
 * <p>{@link #checkNoSymlinkEscape} does blocking file I/O: call it from a disk executor, never an event loop.
 */
public final class SafePath {

    public static final int MAX_SEGMENT_BYTES = 255;
    public static final int MAX_PATH_BYTES = 4096;
    private static final int MAX_QUOTED_CHARS = 160;

    private SafePath() {}

    /** Resolves {@code wirePath} under {@code root}; the result is absolute and normalized. */
    public static Path resolve(Path root, String wirePath) throws StorageRefusal {
        if (wirePath == null || wirePath.isEmpty()) {
            throw refuse("empty path", "");
        }
        if (!StandardCharsets.UTF_8.newEncoder().canEncode(wirePath)) {
            throw refuse("not valid UTF-8 (unpaired surrogate)", wirePath);
        }
        if (wirePath.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw refuse("longer than " + MAX_PATH_BYTES + " bytes", wirePath);
        }
        for (int i = 0; i < wirePath.length(); i++) {
            char c = wirePath.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw refuse("control character at index " + i, wirePath);
            }
            if (c == '\\') {
                throw refuse("backslash at index " + i, wirePath);
            }
        }
        if (wirePath.charAt(0) == '/') {
            throw refuse("absolute path", wirePath);
        }
        if (wirePath.length() >= 2 && wirePath.charAt(1) == ':' && isAsciiLetter(wirePath.charAt(0))) {
            throw refuse("drive prefix", wirePath);
        }
        for (String segment : wirePath.split("/", -1)) {
            if (segment.isEmpty()) {
                throw refuse("empty segment", wirePath);
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw refuse("'" + segment + "' segment", wirePath);
            }
            if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
                throw refuse("a segment longer than " + MAX_SEGMENT_BYTES + " bytes", wirePath);
            }
            if (LandingArea.isPartialName(segment)) {
                throw refuse("names a partial file", wirePath);
            }
        }
        Path base = root.toAbsolutePath().normalize();
        Path resolved = base.resolve(wirePath).normalize();
        if (!resolved.startsWith(base) || resolved.equals(base)) {
            throw refuse("resolves outside the landing root", wirePath);
        }
        return resolved;
    }

    /**
     * Refuses when {@code target} or any of its existing ancestors under {@code root} resolves, through symlinks,
     * outside {@code root}'s real path, so a link planted in the destination cannot redirect writes.
     */
    public static void checkNoSymlinkEscape(Path root, Path target) throws StorageRefusal, IOException {
        Path base = root.toAbsolutePath().normalize();
        Path realBase = base.toRealPath();
        Path abs = target.toAbsolutePath().normalize();
        if (!abs.startsWith(base)) {
            throw new StorageRefusal(Reason.BAD_PATH, "path " + quote(abs.toString()) + " is outside the landing root");
        }
        for (Path p = abs; p != null && p.startsWith(base) && !p.equals(base); p = p.getParent()) {
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            Path real;
            try {
                real = p.toRealPath();
            } catch (IOException e) {
                throw new StorageRefusal(Reason.BAD_PATH,
                        "path " + quote(base.relativize(p).toString()) + " cannot be resolved (dangling symlink?)");
            }
            if (!real.startsWith(realBase)) {
                throw new StorageRefusal(Reason.BAD_PATH, "path " + quote(base.relativize(p).toString())
                        + " leads outside the landing root through a symlink");
            }
        }
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static StorageRefusal refuse(String what, String wirePath) {
        return new StorageRefusal(Reason.BAD_PATH, "bad path " + quote(wirePath) + ": " + what);
    }

    /** Quotes a path for a message: control characters, quotes and backslashes escaped, long paths cut. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_QUOTED_CHARS) + 8).append('"');
        int n = Math.min(s.length(), MAX_QUOTED_CHARS);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", (int) c));
            } else if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
        if (s.length() > n) {
            sb.append("... (").append(s.length()).append(" chars)");
        }
        return sb.toString();
    }
}

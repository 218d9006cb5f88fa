package fff.common.paths;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The one place that turns a relative path from elsewhere (a wire path for the landing area, a job's remote path for
 * a local destination) into a path under a root, or refuses it with a {@link PathRefusal}.
 *
 * <p>A relative path is '/'-separated UTF-8: no empty, "." or ".." segments, no backslash, no control characters,
 * no drive prefix, at most {@value #MAX_SEGMENT_BYTES} bytes per segment and {@value #MAX_PATH_BYTES} bytes in all,
 * and no segment that names a partial file ({@link #isPartialName}). {@link #checkNoSymlinkEscape} does the part no
 * lexical check can: symlinks already on disk. Partials are {@code .<name>.fff-partial} beside the final file.
 *
 * <p>Files kept beside a partial are named as partials of partials ({@link #rangesFor}): since no wire path may name
 * a partial, no file's partial can ever collide with them, and every name decomposes one way into its owner
 * ({@link #ownerOf}).
 *
 * <p>{@code rootName} says in messages what the root is ("the landing root", a destination's folder).
 * {@link #checkNoSymlinkEscape} does blocking file I/O: call it from a disk executor, never an event loop.
 */
public final class SafePaths {

    public static final String PARTIAL_PREFIX = ".";
    public static final String PARTIAL_SUFFIX = ".fff-partial";
    public static final int MAX_SEGMENT_BYTES = 255;
    public static final int MAX_PATH_BYTES = 4096;
    private static final int MAX_QUOTED_CHARS = 160;

    private SafePaths() {}

    /** Resolves {@code relativePath} under {@code root}; the result is absolute and normalized. */
    public static Path resolve(Path root, String relativePath, String rootName) throws PathRefusal {
        if (relativePath == null || relativePath.isEmpty()) {
            throw refuse("empty path", "");
        }
        if (!StandardCharsets.UTF_8.newEncoder().canEncode(relativePath)) {
            throw refuse("not valid UTF-8 (unpaired surrogate)", relativePath);
        }
        if (relativePath.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw refuse("longer than " + MAX_PATH_BYTES + " bytes", relativePath);
        }
        for (int i = 0; i < relativePath.length(); i++) {
            char c = relativePath.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw refuse("control character at index " + i, relativePath);
            }
            if (c == '\\') {
                throw refuse("backslash at index " + i, relativePath);
            }
        }
        if (relativePath.charAt(0) == '/') {
            throw refuse("absolute path", relativePath);
        }
        if (relativePath.length() >= 2 && relativePath.charAt(1) == ':' && isAsciiLetter(relativePath.charAt(0))) {
            throw refuse("drive prefix", relativePath);
        }
        for (String segment : relativePath.split("/", -1)) {
            if (segment.isEmpty()) {
                throw refuse("empty segment", relativePath);
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw refuse("'" + segment + "' segment", relativePath);
            }
            if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
                throw refuse("a segment longer than " + MAX_SEGMENT_BYTES + " bytes", relativePath);
            }
            if (isPartialName(segment)) {
                throw refuse("names a partial file", relativePath);
            }
        }
        Path base = root.toAbsolutePath().normalize();
        Path resolved = base.resolve(relativePath).normalize();
        if (!resolved.startsWith(base) || resolved.equals(base)) {
            throw refuse("resolves outside " + rootName, relativePath);
        }
        return resolved;
    }

    /**
     * Refuses when {@code target} or any of its existing ancestors under {@code root} resolves, through symlinks,
     * outside {@code root}'s real path, so a link planted in the destination cannot redirect writes.
     */
    public static void checkNoSymlinkEscape(Path root, Path target, String rootName) throws PathRefusal, IOException {
        Path base = root.toAbsolutePath().normalize();
        Path realBase = base.toRealPath();
        Path abs = target.toAbsolutePath().normalize();
        if (!abs.startsWith(base)) {
            throw new PathRefusal("path " + quote(abs.toString()) + " is outside " + rootName);
        }
        for (Path p = abs; p != null && p.startsWith(base) && !p.equals(base); p = p.getParent()) {
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            Path real;
            try {
                real = p.toRealPath();
            } catch (IOException e) {
                throw new PathRefusal(
                        "path " + quote(base.relativize(p).toString()) + " cannot be resolved (dangling symlink?)");
            }
            if (!real.startsWith(realBase)) {
                throw new PathRefusal("path " + quote(base.relativize(p).toString()) + " leads outside " + rootName
                        + " through a symlink");
            }
        }
    }

    /** True for names of the form {@code .<name>.fff-partial}. */
    public static boolean isPartialName(String fileName) {
        return fileName.length() > PARTIAL_PREFIX.length() + PARTIAL_SUFFIX.length()
                && fileName.startsWith(PARTIAL_PREFIX)
                && fileName.endsWith(PARTIAL_SUFFIX);
    }

    /** The partial a file is written to before it is renamed to {@code finalPath}. */
    public static Path partialFor(Path finalPath) {
        return finalPath.resolveSibling(PARTIAL_PREFIX + finalPath.getFileName() + PARTIAL_SUFFIX);
    }

    /** The final file a partial is renamed to; {@code partial} must be one ({@link #isPartialName}). */
    public static Path finalFor(Path partial) {
        String name = partial.getFileName().toString();
        return partial.resolveSibling(
                name.substring(PARTIAL_PREFIX.length(), name.length() - PARTIAL_SUFFIX.length()));
    }

    /**
     * The sidecar that records which byte ranges of a striped file's partial are held and verified:
     * {@code ..<name>.fff-partial.fff-partial}, the partial's own partial name. A partial name itself, so the wire
     * can never name it and the stale-partial sweep sees it; {@link #finalFor} of it is the partial.
     */
    public static Path rangesFor(Path finalPath) {
        return partialFor(partialFor(finalPath));
    }

    /**
     * Where the source of a whole-file conversion whose result goes to {@code finalPath} is kept while it arrives
     * and is converted: the {@link #rangesFor sidecar}'s partial name (a conversion's output is never striped,
     * but the names stay apart anyway), so the stale-partial sweep sees it too.
     */
    public static Path sourceFor(Path finalPath) {
        return partialFor(rangesFor(finalPath));
    }

    /**
     * The final file a partial-named file belongs to (its partial, its {@link #rangesFor sidecar}, a temporary of
     * either): {@link #finalFor} repeated until the name is not a partial name.
     */
    public static Path ownerOf(Path partialNamed) {
        Path p = partialNamed;
        while (isPartialName(p.getFileName().toString())) {
            p = finalFor(p);
        }
        return p;
    }

    /** Quotes a path for a message: control characters, quotes and backslashes escaped, long paths cut. */
    public static String quote(String s) {
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

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static PathRefusal refuse(String what, String relativePath) {
        return new PathRefusal("bad path " + quote(relativePath) + ": " + what);
    }
}

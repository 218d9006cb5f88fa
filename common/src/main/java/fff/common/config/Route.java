package fff.common.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a watch rule sends its files: key {@code to: DEST:subpath}. {@code DEST} is a key of
 * {@code destinations:}; {@code subpath} is a folder below that destination's root, '/'-separated and
 * relative. {@code DEST:} and {@code DEST} alone both mean the destination's root.
 *
 * @param destination the name of a destination (checked against {@code destinations:} by {@link NodeConfig})
 * @param subpath     '/'-separated folder below the destination's root, normalized: no empty, {@code .} or
 *                    {@code ..} segments, no leading or trailing '/', no backslash; {@code ""} for the root
 */
public record Route(String destination, String subpath) {

    public Route {
        if (destination == null || destination.isBlank()) {
            throw new IllegalArgumentException("route names no destination");
        }
        if (subpath == null) {
            subpath = "";
        }
        if (!subpath.equals(normalize(subpath))) {
            throw new IllegalArgumentException("route subpath '" + subpath + "' is not normalized");
        }
    }

    /**
     * Reads {@code text}, the value of config key {@code key}: {@code DEST}, {@code DEST:} or
     * {@code DEST:sub/path/} (a trailing '/' is dropped).
     *
     * @throws IllegalArgumentException naming {@code key} and {@code text} when the subpath could leave the
     *                                  destination's root or the destination is missing
     */
    public static Route parse(String key, String text) {
        String s = text == null ? "" : text.strip();
        int colon = s.indexOf(':');
        String destination = colon < 0 ? s : s.substring(0, colon).strip();
        String subpath = colon < 0 ? "" : s.substring(colon + 1).strip();
        if (destination.isEmpty()) {
            throw new IllegalArgumentException(key + ": '" + text + "' names no destination (write DEST:subpath)");
        }
        String why = subpath.startsWith("/") ? "is absolute; write it relative to the destination's root"
                : subpath.contains("\\") ? "has a backslash; separate folders with '/'"
                : subpath.chars().anyMatch(Character::isISOControl) ? "has a control character"
                : List.of(subpath.split("/")).contains("..") ? "has '..'; it must stay inside the destination"
                : null;
        if (why != null) {
            throw new IllegalArgumentException(key + ": '" + text + "': the subpath " + why);
        }
        return new Route(destination, normalize(subpath));
    }

    private static String normalize(String subpath) {
        List<String> parts = new ArrayList<>();
        for (String part : subpath.split("/")) {
            if (!part.isEmpty() && !part.equals(".")) {
                parts.add(part);
            }
        }
        String joined = String.join("/", parts);
        if (joined.contains("\\") || parts.contains("..") || joined.chars().anyMatch(Character::isISOControl)) {
            return null;
        }
        return joined;
    }

    /** {@code DEST:subpath} as {@link #parse} reads it back. */
    @Override
    public String toString() {
        return destination + ":" + subpath;
    }
}

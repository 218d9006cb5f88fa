package fff.common.config;

import java.nio.file.Path;
import java.util.Locale;

/**
 * What a watch rule does with a source file once the destination has verified it: key
 * {@code after: keep | delete | move:DIR}.
 *
 * @param action what to do
 * @param dir    for {@link Action#MOVE} only: the folder the file is moved into (keeping its path below the
 *               watched folder); relative {@code DIR} in a file is resolved against the file's directory.
 *               Null for the other actions
 */
public record After(Action action, Path dir) {

    /** Leave the file where it is (the default); an unchanged file is never sent twice. */
    public static final After KEEP = new After(Action.KEEP, null);
    /** Delete the source file. */
    public static final After DELETE = new After(Action.DELETE, null);

    /** The three things that can happen to a sent file. */
    public enum Action { KEEP, DELETE, MOVE }

    public After {
        if (action == null) {
            throw new IllegalArgumentException("after: no action");
        }
        if ((action == Action.MOVE) != (dir != null)) {
            throw new IllegalArgumentException("after: " + (dir == null
                    ? "move needs a folder (move:DIR)" : action.name().toLowerCase(Locale.ROOT) + " takes no folder"));
        }
    }

    /** {@code move:DIR}. */
    public static After move(Path dir) {
        return new After(Action.MOVE, dir);
    }

    /** {@code keep}, {@code delete} or {@code move:DIR}, as written in config. */
    @Override
    public String toString() {
        return action == Action.MOVE ? "move:" + dir : action.name().toLowerCase(Locale.ROOT);
    }
}

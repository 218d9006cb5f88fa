package fff.common.paths;

/**
 * A path named by a peer or a job is refused: unsafe as written, or leading out of its root on disk. The message is
 * the whole sentence for people, e.g. {@code bad path "a/../b": '..' segment}; callers wrap it in their own
 * refusal ({@code BAD_PATH}, never retried).
 */
public final class PathRefusal extends Exception {

    private static final long serialVersionUID = 1L;

    public PathRefusal(String message) {
        super(message, null, false, false);
    }
}

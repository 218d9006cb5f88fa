package fff.sender.watch;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The problems a {@link FolderWatcher} currently has (root missing, a folder unreadable, no file events), each
 * under a key, so that each is reported once when it starts and once when it clears rather than on every
 * look. Used on the watcher's timer thread only.
 */
final class Problems {

    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

    private final Map<String, String> open = new LinkedHashMap<>();
    private final Consumer<String> onError;
    private final Consumer<String> onRecovered;

    Problems(Consumer<String> onError, Consumer<String> onRecovered) {
        this.onError = onError;
        this.onRecovered = onRecovered;
    }

    /** Reports {@code message} unless a problem under {@code key} is already open. */
    void report(String key, String message) {
        if (open.putIfAbsent(key, message) == null) {
            LOG.warn("{}", message);
            onError.accept(message);
        }
    }

    /** Closes the problem under {@code key}, if open, and reports its recovery. */
    void clear(String key) {
        String message = open.remove(key);
        if (message != null) {
            LOG.info("recovered: {}", message);
            onRecovered.accept(message);
        }
    }

    /** Closes every open problem whose key passes {@code test}. */
    void clearAll(Predicate<String> test) {
        for (String key : List.copyOf(open.keySet())) {
            if (test.test(key)) {
                clear(key);
            }
        }
    }
}

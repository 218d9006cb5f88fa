package fff.common.journal;

import java.nio.file.Path;
import java.util.List;
import net.openhft.chronicle.core.analytics.AnalyticsFacade;

/**
 * The child half of {@link ChronicleQuietTest}: uses a journal the way a node does (outside JUnit, where
 * Chronicle's analytics would be live), then lingers so that a background report would have time to leave.
 */
public final class ChronicleQuietChild {

    private ChronicleQuietChild() { }

    public static void main(String[] args) throws Exception {
        try (Journal journal = Journal.open(Path.of(args[0]), JournalOptions.defaults())) {
            journal.replay(e -> { });
            journal.append(JournalEvents.created(1));
            journal.checkpoint(2, List.of(JournalEvents.limit("NAS", 1)));
        }
        Thread.sleep(Long.parseLong(args[1]));
        // Chronicle copies system.properties from the classpath into the system properties when it loads
        System.out.println("disable=" + System.getProperty("chronicle.analytics.disable")
                + " announcer=" + System.getProperty("chronicle.announcer.disable")
                + " enabled=" + AnalyticsFacade.isEnabled());
    }
}

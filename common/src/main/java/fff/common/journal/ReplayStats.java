package fff.common.journal;

import java.time.Duration;

/**
 * What one {@link Journal#replay} did, for the start-up log line and for tests.
 *
 * @param start       where the replay began
 * @param startIndex  Chronicle index of the first entry read; -1 when the journal was empty
 * @param delivered   events handed to the consumer
 * @param skipped     entries that could not be read (corrupt, or a body this version does not know);
 *                    each was logged at WARN with its index
 * @param interrupted entries of checkpoints that were cut off before their end (a crash mid-checkpoint);
 *                    not delivered, as the events before them already carry the same state
 * @param elapsed     wall time of the replay
 */
public record ReplayStats(Start start, long startIndex, long delivered, long skipped, long interrupted,
                          Duration elapsed) {

    /** How the replay found where to begin. */
    public enum Start {
        /** The checkpoint file named a complete checkpoint. */
        CHECKPOINT_FILE,
        /** The checkpoint file was missing or wrong; a backward scan found the last complete checkpoint. */
        SCAN,
        /** No complete checkpoint exists: replay read the journal from its first entry. */
        BEGINNING
    }
}

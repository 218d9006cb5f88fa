package fff.common.journal;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Journal} keeps its files: how often a new file starts, how long old files stay, how hard each
 * write is pushed to the disk, and the clock that decides both (a fake one in tests, so nothing sleeps).
 *
 * @param roll      how often Chronicle starts a new file; {@link Roll#DAILY} by default
 * @param retention files entirely older than this, and entirely before the last complete checkpoint, are
 *                  deleted after each checkpoint; 30 days by default; must be positive
 * @param sync      when written entries are forced to the disk (fsync, see {@link Journal#sync()}); {@link Sync#CHECKPOINT} by default
 * @param clock     wall clock for file cycles, retention and checkpoint timestamps; system UTC by default
 */
public record JournalOptions(Roll roll, Duration retention, Sync sync, Clock clock) {

    /** Default retention of roll-cycle files. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);

    /** How often a new roll-cycle file starts. */
    public enum Roll {
        /** One file a day (Chronicle's fast daily cycle, UTC). */
        DAILY,
        /** One file an hour. */
        HOURLY,
        /** One file a second: for tests of retention under a fake clock, never for a node. */
        TEST_SECONDLY
    }

    /**
     * When entries are forced from the page cache to the disk. Every mode survives a killed process (the
     * entries live in a shared mapping the kernel writes back); the modes differ only on a power cut.
     */
    public enum Sync {
        /** Never forced here: the kernel writes back within seconds; a power cut may lose the last entries. */
        NONE,
        /** fsync each checkpoint before the checkpoint file names it, so a named checkpoint is on disk. */
        CHECKPOINT,
        /** fsync after every append too: nothing acknowledged is lost on a power cut; much slower. */
        EVERY_APPEND
    }

    public JournalOptions {
        Objects.requireNonNull(roll, "journal.roll");
        Objects.requireNonNull(retention, "journal.retention");
        Objects.requireNonNull(sync, "journal.sync");
        Objects.requireNonNull(clock, "journal.clock");
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("journal.retention must be positive, got " + retention);
        }
    }

    /** Daily files, 30 days' retention, fsync at checkpoints, system clock. */
    public static JournalOptions defaults() {
        return new JournalOptions(Roll.DAILY, DEFAULT_RETENTION, Sync.CHECKPOINT, Clock.systemUTC());
    }

    public JournalOptions withRoll(Roll r) {
        return new JournalOptions(r, retention, sync, clock);
    }

    public JournalOptions withRetention(Duration d) {
        return new JournalOptions(roll, d, sync, clock);
    }

    public JournalOptions withSync(Sync s) {
        return new JournalOptions(roll, retention, s, clock);
    }

    public JournalOptions withClock(Clock c) {
        return new JournalOptions(roll, retention, sync, c);
    }
}

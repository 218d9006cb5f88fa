package fff.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * At start the receiver removes partial files untouched for longer than the stale-partials age (7 days by
 * default), anywhere under its root, keeps fresh ones for resume, and says so in its log.
 */
class StalePartialIT {

    @Test
    void partialsOlderThanSevenDaysAreRemovedAtStartAndFreshOnesKept(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        FileTime eightDaysAgo = FileTime.from(Instant.now().minus(Duration.ofDays(8)));
        Path old = partial(out.resolve(".old.bin.fff-partial"), eightDaysAgo);
        Path nested = partial(out.resolve("sub").resolve(".x.fff-partial"), eightDaysAgo);
        Path fresh = partial(out.resolve(".new.bin.fff-partial"), null);
        // look-alikes that are not partials stay, however old
        Path oldFile = partial(out.resolve("old.bin"), eightDaysAgo);
        Path notPartial = partial(out.resolve(".fff-partial"), eightDaysAgo);
        try (FffProcess receiver = Nodes.openReceiver(dir, out)) {
            receiver.awaitListening();
            assertFalse(Files.exists(old), "8-day-old partial kept");
            assertFalse(Files.exists(nested), "8-day-old nested partial kept");
            assertTrue(Files.exists(fresh), "fresh partial removed");
            assertEquals(3 << 10, Files.size(fresh));
            assertTrue(Files.exists(oldFile) && Files.exists(notPartial), "only partials are removed");
            assertTrue(Files.isDirectory(out.resolve("sub")), "directories are left alone");
            String log = receiver.await("stale partial");
            assertTrue(log.contains("removed 2 stale partial file(s)"), log);
            receiver.stop();
            receiver.assertNoLeaks();
        }
        assertTrue(Files.exists(fresh), "fresh partial still there after the receiver stopped");
    }

    @Test
    void nothingStaleNothingLogged(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        Path fresh = partial(out.resolve(".new.bin.fff-partial"), FileTime.from(Instant.now().minus(
                Duration.ofDays(6))));
        try (FffProcess receiver = Nodes.openReceiver(dir, out)) {
            receiver.awaitListening();
            assertTrue(Files.exists(fresh), "6-day-old partial removed");
            receiver.stop();
            assertFalse(receiver.output().contains("stale"), receiver.output());
        }
    }

    private static Path partial(Path file, FileTime mtime) throws Exception {
        Nodes.randomFile(file, 3 << 10, file.toString().hashCode());
        if (mtime != null) {
            Files.setLastModifiedTime(file, mtime);
        }
        return file;
    }
}

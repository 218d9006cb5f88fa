package fff.sender.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Reconciling a look with what was known, without files or timers. */
class TrackedFilesTest {

    private static final TrackedFiles.Scope ALL = TrackedFiles.Scope.everything(Set.of());

    @Test
    void sameKeySizeAndMtimeUnderANewNameIsAMove() {
        TrackedFiles t = new TrackedFiles();
        t.reconcile(Map.of("a", new FileStat(1, 10, "k1")), ALL, 0);
        List<TrackedFiles.Change> changes = t.reconcile(Map.of("b", new FileStat(1, 10, "k1")), ALL, 5);
        TrackedFiles.Moved m = assertInstanceOf(TrackedFiles.Moved.class, changes.get(0));
        assertEquals(List.of("a", "b"), List.of(m.from(), m.entry().relative));
        assertEquals(1, changes.size());
        assertNull(t.get("a"));
        assertSame(m.entry(), t.get("b"));
        assertEquals(0, m.entry().changedAt); // still settling from its first sight
    }

    @Test
    void aChangedOrKeylessFileUnderANewNameIsGoneAndNew() {
        for (FileStat after : List.of(new FileStat(2, 10, "k1"), new FileStat(1, 11, "k1"))) {
            TrackedFiles t = new TrackedFiles();
            t.reconcile(Map.of("a", new FileStat(1, 10, "k1")), ALL, 0);
            List<TrackedFiles.Change> changes = t.reconcile(Map.of("b", after), ALL, 5);
            assertEquals(2, changes.size());
            assertInstanceOf(TrackedFiles.Pending.class, changes.get(0));
            assertInstanceOf(TrackedFiles.Gone.class, changes.get(1));
        }
        TrackedFiles t = new TrackedFiles();
        t.reconcile(Map.of("a", new FileStat(1, 10, null)), ALL, 0);
        assertEquals(2, t.reconcile(Map.of("b", new FileStat(1, 10, null)), ALL, 5).size());
    }

    @Test
    void onlyWhatTheLookCoveredCanBeGone() {
        TrackedFiles t = new TrackedFiles();
        t.reconcile(Map.of("a", new FileStat(1, 1, null), "d/x", new FileStat(1, 1, null),
                "locked/y", new FileStat(1, 1, null)), ALL, 0);
        TrackedFiles.Scope onlyA = new TrackedFiles.Scope(false, Set.of("a"), Set.of(), Set.of());
        assertEquals(1, t.reconcile(Map.of(), onlyA, 1).size());
        assertEquals(2, t.size());
        List<TrackedFiles.Change> all = t.reconcile(Map.of(), TrackedFiles.Scope.everything(Set.of("locked")), 2);
        assertEquals(1, all.size());
        assertEquals("d/x", ((TrackedFiles.Gone) all.get(0)).entry().relative);
        assertEquals(0, t.reconcile(Map.of(), TrackedFiles.Scope.everything(Set.of("")), 3).size());
    }

    @Test
    void anUnchangedFileIsNoChangeAndAChangedOneIsUnreportedAgain() {
        TrackedFiles t = new TrackedFiles();
        t.reconcile(Map.of("a", new FileStat(1, 1, null)), ALL, 0);
        t.get("a").reported = true;
        assertEquals(List.of(), t.reconcile(Map.of("a", new FileStat(1, 1, null)), ALL, 1));
        assertEquals(1, t.reconcile(Map.of("a", new FileStat(2, 1, null)), ALL, 2).size());
        assertEquals(false, t.get("a").reported);
        assertEquals(2, t.get("a").changedAt);
    }
}

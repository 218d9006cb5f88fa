package fff.common.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GroupTreeTest {

    static GroupTree reference() {
        return GroupTree.builder()
                .root("total", 6)
                .child("total", "outbound", 4)
                .child("outbound", "NAS", 3)
                .child("total", "inbound", 4)
                .child("inbound", "Backups", 1)
                .child("inbound", "VidServer", 4)
                .build();
    }

    @Test
    void pathsRunFromGroupToRoot() {
        GroupTree t = reference();
        assertEquals(List.of("NAS", "outbound", "total"), t.path("NAS"));
        assertEquals(List.of("VidServer", "inbound", "total"), t.path("VidServer"));
        assertEquals(List.of("total"), t.path("total"));
        assertEquals(List.of("outbound", "inbound"), t.children("total"));
        assertEquals(Optional.of("inbound"), t.parent("Backups"));
        assertEquals(Optional.empty(), t.parent("total"));
        assertEquals(3, t.limit("NAS"));
        assertEquals(List.of(), t.warnings());
        assertEquals(List.of("total", "outbound", "NAS", "inbound", "Backups", "VidServer"), t.names());
    }

    @Test
    void specsInAnyOrderAndAnyDepth() {
        GroupTree t = GroupTree.of(List.of(
                new GroupSpec("d", "c", 1), new GroupSpec("c", "b", 2),
                new GroupSpec("b", "a", 3), GroupSpec.root("a", 4), GroupSpec.root("other", 2)));
        assertEquals(List.of("d", "c", "b", "a"), t.path("d"));
        assertEquals(List.of("other"), t.path("other"));
    }

    @Test
    void childAboveParentIsAWarningNotAnError() {
        GroupTree t = GroupTree.builder().root("total", 2).child("total", "big", 5).build();
        assertEquals(List.of("group 'big': limit 5 exceeds limit 2 of parent 'total'"), t.warnings());
    }

    @Test
    void duplicateNameIsNamed() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> GroupTree.builder().root("total", 6).child("total", "NAS", 3).child("total", "NAS", 2).build());
        assertEquals("group 'NAS': duplicate name", e.getMessage());
    }

    @Test
    void limitBelowOneIsNamed() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> GroupTree.builder().root("total", 6).child("total", "NAS", 0));
        assertEquals("group 'NAS': limit 0 must be >= 1", e.getMessage());
    }

    @Test
    void unknownParentIsNamed() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> GroupTree.builder().root("total", 6).child("outbund", "NAS", 3).build());
        assertEquals("group 'NAS': unknown parent 'outbund'", e.getMessage());
    }

    @Test
    void cycleIsNamed() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> GroupTree.of(List.of(new GroupSpec("a", "b", 1), new GroupSpec("b", "a", 1))));
        assertEquals("group 'a': parent cycle through 'a'", e.getMessage());
    }

    @Test
    void unknownGroupIsNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> reference().path("nope"));
        assertEquals("unknown group 'nope'", e.getMessage());
    }

    @Test
    void emptyTreeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> GroupTree.of(List.of()));
    }
}

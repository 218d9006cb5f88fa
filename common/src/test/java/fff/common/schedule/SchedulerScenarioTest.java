package fff.common.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scheduler scenarios as data on the reference tree
 * {@code total(6) → outbound(4) → NAS(3)}, {@code total(6) → inbound(4) → Backups(1), VidServer(4)}.
 *
 * <p>Each line is {@code operation args => expected}. Operations: {@code submit job group [priority]},
 * {@code finished job}, {@code cancel job}, {@code top job}, {@code bottom job}, {@code before job other},
 * {@code after job other}, {@code limit group n}, {@code block job}, {@code unblock job}. Expected is
 * the started job ids in order, {@code !job} for a job to stop, or {@code -} for nothing. Check lines:
 * {@code inUse group n}, {@code queue ids... | -}, {@code running ids... | -}.
 */
class SchedulerScenarioTest {

    static Stream<Arguments> scenarios() {
        return Stream.of(
                Arguments.of("NAS is capped at 3 while VidServer keeps going", """
                        submit n1 NAS => n1
                        submit n2 NAS => n2
                        submit n3 NAS => n3
                        submit n4 NAS => -
                        submit n5 NAS => -
                        submit v1 VidServer => v1
                        submit v2 VidServer => v2
                        inUse NAS 3
                        inUse outbound 3
                        inUse inbound 2
                        inUse total 5
                        queue n4 n5
                        finished n2 => n4
                        queue n5
                        """),
                Arguments.of("total 6 caps everything", """
                        submit v1 VidServer => v1
                        submit v2 VidServer => v2
                        submit v3 VidServer => v3
                        submit v4 VidServer => v4
                        submit n1 NAS => n1
                        submit n2 NAS => n2
                        submit n3 NAS => -
                        submit b1 Backups => -
                        inUse total 6
                        finished v1 => n3
                        finished n3 => b1
                        finished b1 => -
                        inUse total 5
                        """),
                Arguments.of("Backups(1) serialises", """
                        submit b1 Backups => b1
                        submit b2 Backups => -
                        submit b3 Backups => -
                        finished b1 => b2
                        finished b2 => b3
                        finished b3 => -
                        inUse Backups 0
                        running -
                        queue -
                        """),
                Arguments.of("reordering changes which job starts next", """
                        submit b1 Backups => b1
                        submit b2 Backups => -
                        submit b3 Backups => -
                        submit b4 Backups => -
                        top b4 => -
                        queue b4 b2 b3
                        finished b1 => b4
                        before b3 b2 => -
                        queue b3 b2
                        finished b4 => b3
                        submit b5 Backups => -
                        bottom b2 => -
                        queue b5 b2
                        after b5 b2 => -
                        queue b2 b5
                        finished b3 => b2
                        """),
                Arguments.of("priority goes first and moves adopt the neighbour's priority", """
                        submit b1 Backups => b1
                        submit lo Backups 0 => -
                        submit hi Backups 5 => -
                        submit mid Backups 3 => -
                        queue hi mid lo
                        top lo => -
                        submit hi2 Backups 5 => -
                        queue lo hi hi2 mid
                        """),
                Arguments.of("lowering a limit stops new starts, not running jobs; raising starts at once", """
                        submit n1 NAS => n1
                        submit n2 NAS => n2
                        submit n3 NAS => n3
                        submit n4 NAS => -
                        submit n5 NAS => -
                        limit NAS 1 => -
                        running n1 n2 n3
                        inUse NAS 3
                        finished n1 => -
                        finished n2 => -
                        finished n3 => n4
                        limit NAS 3 => n5
                        inUse NAS 2
                        """),
                Arguments.of("lowering a parent limit blocks its whole branch only", """
                        submit n1 NAS => n1
                        submit n2 NAS => n2
                        limit outbound 1 => -
                        submit n3 NAS => -
                        submit v1 VidServer => v1
                        limit outbound 4 => n3
                        """),
                Arguments.of("cancel of a running job frees tokens and starts the next", """
                        submit b1 Backups => b1
                        submit b2 Backups => -
                        submit b3 Backups => -
                        cancel b1 => !b1 b2
                        cancel b3 => -
                        queue -
                        running b2
                        inUse inbound 1
                        """),
                Arguments.of("a NAS job waiting on NAS does not hold back a VidServer job queued after it", """
                        submit n1 NAS => n1
                        submit n2 NAS => n2
                        submit n3 NAS => n3
                        submit n4 NAS 9 => -
                        submit v1 VidServer => v1
                        queue n4
                        """),
                Arguments.of("a blocked job is skipped and never holds back others", """
                        submit b1 Backups => b1
                        submit b2 Backups => -
                        submit b3 Backups => -
                        block b2 => -
                        finished b1 => b3
                        unblock b2 => -
                        finished b3 => b2
                        submit n1 NAS => n1
                        submit n2 NAS => n2
                        submit n3 NAS => n3
                        submit n4 NAS => -
                        block n4 => -
                        finished n1 => -
                        unblock n4 => n4
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void scenario(String name, String script) {
        Scheduler s = new Scheduler(GroupTreeTest.reference());
        int lineNo = 0;
        for (String line : script.strip().split("\n")) {
            lineNo++;
            String where = name + ", line " + lineNo + ": " + line;
            String[] parts = line.split("=>");
            String[] w = parts[0].trim().split("\\s+");
            if (parts.length == 2) {
                Decision d = apply(s, w);
                assertEquals(expected(parts[1]), d, where);
            } else {
                check(s, w, where);
            }
        }
    }

    private static Decision apply(Scheduler s, String[] w) {
        return switch (w[0]) {
            case "submit" -> s.submit(w[1], w[2], w.length > 3 ? Integer.parseInt(w[3]) : 0);
            case "finished" -> s.finished(w[1]);
            case "cancel" -> s.cancel(w[1]);
            case "top" -> s.moveToTop(w[1]);
            case "bottom" -> s.moveToBottom(w[1]);
            case "before" -> s.moveBefore(w[1], w[2]);
            case "after" -> s.moveAfter(w[1], w[2]);
            case "limit" -> s.setLimit(w[1], Integer.parseInt(w[2]));
            case "block" -> s.setBlocked(w[1], true);
            case "unblock" -> s.setBlocked(w[1], false);
            default -> throw new IllegalArgumentException("unknown operation " + w[0]);
        };
    }

    private static Decision expected(String text) {
        List<String> start = new ArrayList<>();
        List<String> stop = new ArrayList<>();
        for (String t : text.trim().split("\\s+")) {
            if (t.equals("-")) {
                continue;
            }
            if (t.startsWith("!")) {
                stop.add(t.substring(1));
            } else {
                start.add(t);
            }
        }
        return new Decision(start, stop);
    }

    private static void check(Scheduler s, String[] w, String where) {
        Snapshot snap = s.snapshot();
        List<String> ids = w.length == 2 && w[1].equals("-") ? List.of() : Arrays.asList(w).subList(1, w.length);
        switch (w[0]) {
            case "inUse" -> {
                assertEquals(Integer.parseInt(w[2]), s.inUse(w[1]), where);
                assertEquals(s.inUse(w[1]), snap.group(w[1]).inUse(), where);
            }
            case "queue" -> assertEquals(ids, snap.queuedIds(), where);
            case "running" -> assertEquals(ids, snap.running(), where);
            default -> throw new IllegalArgumentException("unknown check " + w[0]);
        }
    }

    @Test
    void snapshotShowsGroupsQueueAndRunning() {
        Scheduler s = new Scheduler(GroupTreeTest.reference());
        s.submit("b1", "Backups", 0);
        s.submit("b2", "Backups", 2);
        s.setBlocked("b2", true);
        s.setLimit("NAS", 2);
        Snapshot snap = s.snapshot();
        assertEquals(new Snapshot.GroupState("Backups", "inbound", 1, 1, 1), snap.group("Backups"));
        assertEquals(new Snapshot.GroupState("NAS", "outbound", 2, 0, 0), snap.group("NAS"));
        assertEquals(new Snapshot.GroupState("total", null, 6, 1, 0), snap.group("total"));
        assertEquals(List.of(new Snapshot.QueuedJob("b2", "Backups", 2, true)), snap.queued());
        assertEquals(List.of("b1"), snap.running());
    }

    @Test
    void refusalsNameTheJobOrGroup() {
        Scheduler s = new Scheduler(GroupTreeTest.reference());
        s.submit("b1", "Backups", 0);
        s.submit("b2", "Backups", 0);
        assertEquals("job 'x': unknown group 'Nope'",
                assertThrows(IllegalArgumentException.class, () -> s.submit("x", "Nope", 0)).getMessage());
        assertEquals("job 'b1': already known",
                assertThrows(IllegalArgumentException.class, () -> s.submit("b1", "NAS", 0)).getMessage());
        assertEquals("job 'b2': not running",
                assertThrows(IllegalArgumentException.class, () -> s.finished("b2")).getMessage());
        assertEquals("job 'b1': not queued",
                assertThrows(IllegalArgumentException.class, () -> s.moveToTop("b1")).getMessage());
        assertEquals("job 'b2': cannot move relative to itself",
                assertThrows(IllegalArgumentException.class, () -> s.moveBefore("b2", "b2")).getMessage());
        assertEquals("job 'zz': not queued or running",
                assertThrows(IllegalArgumentException.class, () -> s.cancel("zz")).getMessage());
        assertEquals("group 'NAS': limit 0 must be >= 1",
                assertThrows(IllegalArgumentException.class, () -> s.setLimit("NAS", 0)).getMessage());
        assertEquals("unknown group 'Nope'",
                assertThrows(IllegalArgumentException.class, () -> s.setLimit("Nope", 2)).getMessage());
    }
}

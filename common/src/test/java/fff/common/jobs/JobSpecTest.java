package fff.common.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.proto.journal.JobRecord;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The transcode profile of a job and where its result comes back: only sends have them; the journal keeps them. */
class JobSpecTest {

    static final JobSpec PROXY = new JobSpec("r", Path.of("/src/a.mxf"), "a.mxf", "siteB", "in/a.mp4", "total", 0,
            100, 5, null).withProfile("proxy");

    @Test
    void anEmptyProfileIsNone() {
        assertNull(PROXY.withProfile("").profile());
        assertNull(new JobSpec("r", Path.of("/src/a"), "a", "siteB", "in/a", "total", 0, 100, 5, null).profile());
        assertEquals("proxy", PROXY.profile());
    }

    @Test
    void removalsAndRenamesCarryNoProfile() {
        assertNull(PROXY.asRemove().profile());
        assertNull(PROXY.asRenameFrom("in/old.mp4").profile());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PROXY.asRemove().withProfile("proxy"));
        assertEquals("REMOVE job: no transcode profile ('proxy')", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new JobSpec("r", Path.of("/src/a"), "a", "siteB", "in/a",
                "total", 0, 100, 5, null, JobSpec.Op.RENAME, "in/b", "imx30"));
    }

    @Test
    void aDifferentProfileIsADifferentFile() {
        assertTrue(PROXY.sameFileAs(PROXY.withProfile("proxy")));
        assertFalse(PROXY.sameFileAs(PROXY.withProfile("imx30")));
        assertFalse(PROXY.sameFileAs(PROXY.withProfile(null)));
    }

    @Test
    void aResultReturnedHereNeedsASendWithAProfileAndAnAbsolutePath() {
        JobSpec via = PROXY.withProfile("webp").withReturnTo(Path.of("/results/a.webp"));
        assertEquals(Path.of("/results/a.webp"), via.returnTo());
        assertNull(PROXY.returnTo());
        assertNull(via.withProfile(null).returnTo(), "a plain copy returns nothing");
        assertEquals(Path.of("/results/a.webp"), via.withProfile("h265-mkv").returnTo());
        assertNull(via.asRemove().returnTo());
        assertNull(via.asRenameFrom("in/old.mp4").returnTo());
        assertFalse(via.sameFileAs(via.withReturnTo(null)), "kept at the destination is another job");
        assertFalse(via.sameFileAs(via.withReturnTo(Path.of("/elsewhere/a.webp"))));
        assertTrue(via.sameFileAs(via.withReturnTo(Path.of("/results/a.webp"))));
        assertEquals("SEND job without a profile: no result comes back ('/r/a')", assertThrows(
                IllegalArgumentException.class, () -> PROXY.withProfile(null).withReturnTo(Path.of("/r/a")))
                .getMessage());
        assertEquals("REMOVE job: no result comes back ('/r/a')", assertThrows(IllegalArgumentException.class,
                () -> PROXY.asRemove().withReturnTo(Path.of("/r/a"))).getMessage());
        assertEquals("returnTo: 'r/a' is not absolute", assertThrows(IllegalArgumentException.class,
                () -> PROXY.withReturnTo(Path.of("r/a"))).getMessage());
    }

    @Test
    void theJournalRecordKeepsWhereTheResultComesBack() {
        JobRecords records = new JobRecords();
        JobSpec via = PROXY.withProfile("webp").withReturnTo(Path.of("/results/a.webp"));
        JobRecord r = records.toRecord(new JobEntry(9, via, 1_000));
        assertEquals("/results/a.webp", r.getReturnTo());
        assertEquals(via, records.fromRecord(9, r).spec);
        assertEquals("", records.toRecord(new JobEntry(10, PROXY, 1_000)).getReturnTo());
        assertNull(records.fromRecord(10, records.toRecord(new JobEntry(10, PROXY, 1_000))).spec.returnTo());
    }

    @Test
    void theJournalRecordKeepsTheProfile() {
        JobRecords records = new JobRecords();
        JobRecord r = records.toRecord(new JobEntry(7, PROXY, 1_000));
        assertEquals("proxy", r.getProfile());
        assertEquals(PROXY, records.fromRecord(7, r).spec);

        JobSpec plain = PROXY.withProfile(null);
        r = records.toRecord(new JobEntry(8, plain, 1_000));
        assertEquals("", r.getProfile());
        assertEquals(plain, records.fromRecord(8, r).spec);
    }
}

package fff.common.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link JobQuery}: order (running, queue order, newest ended), filters and paging bounds. */
class JobQueryTest {

    static Job job(long id, String group, JobState state, long started, long ended, String error) {
        JobSpec s = new JobSpec("send", Path.of("/in/f" + id), "f" + id, "siteB", "in/f" + id, group, 0, 1, 0, "keep");
        return new Job(id, s, state, false, 0, error, 0, 0, 0, id, started, ended, null);
    }

    final List<Job> jobs = List.of(job(1, "a", JobState.DONE, 1, 10, null), job(2, "b", JobState.FAILED, 2, 30, "Disk full"),
            job(3, "a", JobState.RUNNING, 50, 0, null), job(4, "a", JobState.RUNNING, 40, 0, null),
            job(5, "a", JobState.QUEUED, 0, 0, null), job(6, "b", JobState.QUEUED, 0, 0, null),
            job(7, "a", JobState.CANCELLED, 0, 20, null));

    static List<Long> ids(JobControl.JobPage p) {
        return p.jobs().stream().map(Job::id).toList();
    }

    @Test
    void orderIsRunningThenQueueThenNewestEnded() {
        JobControl.JobPage p = JobQuery.all().apply(jobs, List.of("6", "5"));
        assertEquals(7, p.total());
        assertEquals(List.of(4L, 3L, 6L, 5L, 2L, 7L, 1L), ids(p));
    }

    @Test
    void filtersAndPages() {
        assertEquals(List.of(4L, 3L, 5L), ids(new JobQuery(Set.of(JobState.RUNNING, JobState.QUEUED), "a", null, 0, 10)
                .apply(jobs, List.of("6", "5"))));
        assertEquals(List.of(2L), ids(new JobQuery(Set.of(), null, "disk FULL", 0, 10).apply(jobs, List.of())));
        JobControl.JobPage p = new JobQuery(Set.of(), null, null, 5, 2).apply(jobs, List.of("6", "5"));
        assertEquals(7, p.total());
        assertEquals(List.of(7L, 1L), ids(p));
        assertEquals(List.of(), ids(new JobQuery(Set.of(), null, null, 99, 2).apply(jobs, List.of())));
        assertThrows(IllegalArgumentException.class, () -> new JobQuery(Set.of(), null, null, 0, 1001));
        assertThrows(IllegalArgumentException.class, () -> new JobQuery(Set.of(), null, null, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new JobQuery(Set.of(), null, null, -1, 10));
    }
}

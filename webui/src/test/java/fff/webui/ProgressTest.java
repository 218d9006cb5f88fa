package fff.webui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import fff.common.jobs.Job;
import fff.common.jobs.JobSpec;
import fff.common.jobs.JobState;
import fff.common.jobs.MediaProgress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressTest {

    static final long SECOND = 1_000_000_000L;
    long now;
    final Progress progress = new Progress(() -> now);

    static Job running(long id, long size, long done, MediaProgress media) {
        JobSpec spec = new JobSpec("r", Path.of("/in/f"), "f", "siteB", "f", "g", 0, size, 0, "keep");
        return new Job(id, spec, JobState.RUNNING, false, 1, null, 0, done, done, 0, 1, 0, null, media);
    }

    @Test
    void noEstimateFromOneSample() {
        progress.sample(List.of(running(1, 1000, 10, null)));
        assertEquals(Progress.Estimate.NONE, progress.of(running(1, 1000, 10, null)));
    }

    @Test
    void rateOverTheWindowAndEtaFromTheBytesLeft() {
        for (int s = 0; s <= 8; s++) {
            now = s * SECOND;
            // 100 B/s for four seconds, then 300 B/s
            long done = s <= 4 ? 100L * s : 400 + 300L * (s - 4);
            progress.sample(List.of(running(1, 10_000, done, null)));
        }
        Job j = running(1, 10_000, 1600, null);
        Progress.Estimate e = progress.of(j);
        // the window is the last five seconds: from 300 bytes at 3 s to 1600 at 8 s
        assertEquals(260.0, e.rate(), 0.001);
        assertEquals((10_000 - 1600) / 260.0, e.etaSeconds(), 0.001);
    }

    @Test
    void aNewAttemptStartsAFreshWindowAndEndedJobsAreForgotten() {
        now = 0;
        progress.sample(List.of(running(1, 1000, 500, null)));
        now = SECOND;
        progress.sample(List.of(running(1, 1000, 20, null)));
        assertEquals(Progress.Estimate.NONE, progress.of(running(1, 1000, 20, null)));
        now = 2 * SECOND;
        progress.sample(List.of(running(1, 1000, 70, null)));
        assertEquals(50.0, progress.of(running(1, 1000, 70, null)).rate(), 0.001);
        progress.sample(List.of());
        assertEquals(Progress.Estimate.NONE, progress.of(running(1, 1000, 70, null)));
    }

    @Test
    void aTranscodeTakesItsEtaFromFrames() {
        MediaProgress m = new MediaProgress(100, 500, 50, 2.0);
        now = 0;
        progress.sample(List.of(running(2, 9_999_999, 0, m)));
        now = SECOND;
        progress.sample(List.of(running(2, 9_999_999, 4000, m)));
        Progress.Estimate e = progress.of(running(2, 9_999_999, 4000, m));
        assertEquals(4000.0, e.rate(), 0.001);
        assertEquals(8.0, e.etaSeconds(), 0.001);
        assertNull(progress.of(running(3, 100, 0, null)).etaSeconds());
    }
}

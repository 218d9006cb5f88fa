package fff.webui;

import fff.common.jobs.Job;
import fff.common.jobs.MediaProgress;
import fff.common.metrics.RateWindow;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Rate and ETA of running jobs, from the progress samples {@link LiveFeed} takes about once a second. The rate
 * is the bytes moved over the last {@link #WINDOW_NANOS} (so one slow second does not swing it); the ETA of a
 * transcode comes from its frames and fps, of any other job from the bytes left at that rate. A job that starts
 * over (a new attempt, fewer bytes than before) starts a fresh window. Thread-safe.
 */
final class Progress {

    static final long WINDOW_NANOS = 5_000_000_000L;

    /** A job's throughput and time left; either may be null when not known yet. */
    record Estimate(Double rate, Double etaSeconds) {
        static final Estimate NONE = new Estimate(null, null);
    }

    private final LongSupplier nanos;
    private final Map<Long, RateWindow> windows = new HashMap<>();

    Progress(LongSupplier nanos) {
        this.nanos = nanos;
    }

    /** Records how far each of {@code running} is now; jobs no longer running are forgotten. */
    synchronized void sample(List<Job> running) {
        long now = nanos.getAsLong();
        Set<Long> seen = new HashSet<>();
        for (Job j : running) {
            seen.add(j.id());
            windows.computeIfAbsent(j.id(), id -> new RateWindow(WINDOW_NANOS)).add(now, j.bytesDone());
        }
        windows.keySet().retainAll(seen);
    }

    synchronized Estimate of(Job j) {
        RateWindow w = windows.get(j.id());
        Double rate = w == null ? null : w.rate();
        MediaProgress m = j.media();
        Double eta = null;
        if (m != null && m.frames() > 0 && m.fps() > 0) {
            eta = Math.max(0, m.frames() - m.frame()) / m.fps();
        } else if (m == null && rate != null && rate > 0 && j.spec().size() > 0) {
            eta = Math.max(0, j.spec().size() - j.bytesDone()) / rate;
        }
        return rate == null && eta == null ? Estimate.NONE : new Estimate(rate, eta);
    }
}

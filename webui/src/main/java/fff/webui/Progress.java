package fff.webui;

import fff.common.jobs.Job;
import fff.common.jobs.MediaProgress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
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

    private record Sample(long nanos, long bytes) {
    }

    private final LongSupplier nanos;
    private final Map<Long, ArrayDeque<Sample>> samples = new HashMap<>();

    Progress(LongSupplier nanos) {
        this.nanos = nanos;
    }

    /** Records how far each of {@code running} is now; jobs no longer running are forgotten. */
    synchronized void sample(List<Job> running) {
        long now = nanos.getAsLong();
        Set<Long> seen = new HashSet<>();
        for (Job j : running) {
            seen.add(j.id());
            ArrayDeque<Sample> s = samples.computeIfAbsent(j.id(), id -> new ArrayDeque<>());
            if (!s.isEmpty() && j.bytesDone() < s.peekLast().bytes()) {
                s.clear();
            }
            s.addLast(new Sample(now, j.bytesDone()));
            // keep one sample at or before the window's start, so the window is always fully covered
            while (s.size() > 2 && now - second(s).nanos() >= WINDOW_NANOS) {
                s.removeFirst();
            }
        }
        samples.keySet().retainAll(seen);
    }

    private static Sample second(ArrayDeque<Sample> s) {
        Iterator<Sample> it = s.iterator();
        it.next();
        return it.next();
    }

    synchronized Estimate of(Job j) {
        ArrayDeque<Sample> s = samples.get(j.id());
        Double rate = null;
        if (s != null && s.size() >= 2 && s.peekLast().nanos() > s.peekFirst().nanos()) {
            rate = (s.peekLast().bytes() - s.peekFirst().bytes()) * 1e9 / (s.peekLast().nanos() - s.peekFirst().nanos());
        }
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

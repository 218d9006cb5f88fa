package fff.common.rate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * A token bucket in bytes that paces what one destination (or the whole node) sends, shared by all its
 * connections and, through {@code parent}, chained to the node-wide one: a send needs permission from both.
 *
 * <p>Reservations are first come, first served (Guava's {@code RateLimiter} model): {@link #reserve} takes the
 * bytes at once, which may leave the bucket in debt, and answers how long the caller must wait before sending
 * them: until the debt of earlier reservations is paid. So a 1 MiB chunk passes a bucket far smaller than that
 * and the next one waits proportionally longer; the average is exact whatever the chunk size, the excess over
 * any period is at most one burst plus one chunk per connection, and connections that share the limiter take
 * turns instead of the quickest starving the others. The bucket holds at most {@link #burstBytes} (the larger of
 * 64 KiB and 20 ms at the rate), so after an idle spell the rate over a second is still right. It starts full.
 *
 * <p>The rate follows a {@link RateSchedule} read in the zone of the injected wall {@link Clock}; token
 * arithmetic runs on the injected nano clock. The schedule's next change is computed ahead, not polled for, and
 * a wait is worked out across it (a debt at 200M before 18:00 and unlimited after is paid at 18:00 sharp). A
 * change made at run time ({@link #setSchedule}) tells the {@linkplain #addListener listeners} (here or at a
 * parent), so that senders waiting under the old rate need not sit out a wait the new one does not ask for.
 *
 * <p>Threading: all methods are thread-safe and short; none blocks except {@link #acquire}, which is for
 * threads that may block (FTP and local copies), never for an event loop. Locks are taken child, then parent.
 */
public final class RateLimiter {

    static final long MIN_BURST_BYTES = 64 * 1024;
    static final long BURST_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long ACQUIRE_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** A debt below this many bytes (rounding in the token arithmetic) counts as paid. */
    private static final double PAID = 1e-3;

    private final Clock wall;
    private final LongSupplier nanos;
    private final RateLimiter parent;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    // guarded by this
    private RateSchedule schedule;
    private Rate rate;
    /** Bytes that may go now; negative: owed by sends already made. */
    private double tokens;
    private long lastNanos;
    /** When (nano clock) the schedule next changes the rate; Long.MAX_VALUE: never. */
    private long switchAtNanos;
    /** The same instant on the wall clock; null: never. */
    private Instant switchAtWall;
    /** Run-time changes here and at parents so far; a blocked {@link #acquire} stops waiting when it moves. */
    private final AtomicLong changes = new AtomicLong();

    /**
     * @param schedule the rate over the week
     * @param parent   a limiter every send also needs permission from (the node's), or null
     * @param wall     wall clock whose zone the schedule is read in
     * @param nanos    monotonic nanoseconds, as {@link System#nanoTime()}
     */
    public RateLimiter(RateSchedule schedule, RateLimiter parent, Clock wall, LongSupplier nanos) {
        this.wall = wall;
        this.nanos = nanos;
        this.parent = parent;
        long now = nanos.getAsLong();
        synchronized (this) {
            this.schedule = schedule;
            this.lastNanos = now;
            this.rate = Rate.UNLIMITED;
            follow(now);
            this.tokens = burstBytes(rate);
        }
        if (parent != null) {
            parent.addListener(this::changed);
        }
    }

    /** A limiter on the system clocks, in the node's time zone. */
    public static RateLimiter of(RateSchedule schedule, RateLimiter parent) {
        return new RateLimiter(schedule, parent, Clock.systemDefaultZone(), System::nanoTime);
    }

    /** A limiter that never makes anyone wait (a send without a configured rate). */
    public static RateLimiter unlimited() {
        return of(RateSchedule.UNLIMITED, null);
    }

    /** The most bytes the bucket holds at {@code rate}: max(64 KiB, 20 ms at the rate). */
    static long burstBytes(Rate rate) {
        return Math.max(MIN_BURST_BYTES, (long) (rate.bytesPerSecond() * BURST_NANOS / NANOS_PER_SECOND));
    }

    /**
     * Reserves {@code bytes}: they are taken from this bucket and every parent's now, and the answer is how many
     * nanoseconds the caller must wait before sending them (0: send now). The caller then sends them without
     * asking again; one that gives up {@linkplain #refund refunds} them. Never blocks beyond a short lock.
     */
    public long reserve(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes " + bytes);
        }
        return reserve(bytes, nanos.getAsLong());
    }

    private synchronized long reserve(long bytes, long now) {
        advance(now);
        long wait = waitNanos(now);
        if (!rate.unlimited()) {
            tokens -= bytes;
        }
        return parent == null ? wait : Math.max(wait, parent.reserve(bytes, now));
    }

    /**
     * Gives back {@code bytes} that were reserved and then not sent (a transcode read that came back short),
     * here and at every parent. The bucket still holds at most its burst.
     */
    public void refund(long bytes) {
        if (bytes <= 0) {
            return;
        }
        long now = nanos.getAsLong();
        synchronized (this) {
            advance(now);
            if (!rate.unlimited()) {
                tokens = Math.min(burstBytes(rate), tokens + bytes);
            }
        }
        if (parent != null) {
            parent.refund(bytes);
        }
    }

    /**
     * Blocking {@link #reserve}: parks the calling thread until the bytes may go, or at once after a run-time
     * change. Returns false, with the bytes refunded, as soon as {@code stop} answers true (asked at least every
     * 100 ms) or the thread is interrupted. Not for event loops.
     */
    public boolean acquire(long bytes, BooleanSupplier stop) {
        long seen = changes.get();
        long until = nanos.getAsLong() + reserve(bytes);
        for (long left = until - nanos.getAsLong(); left > 0 && changes.get() == seen;
                left = until - nanos.getAsLong()) {
            if (stop.getAsBoolean() || Thread.currentThread().isInterrupted()) {
                refund(bytes);
                return false;
            }
            LockSupport.parkNanos(Math.min(left, ACQUIRE_SLICE_NANOS));
        }
        return true;
    }

    /**
     * Replaces the schedule (a run-time change). The listeners hear of it: a sender waiting to send what it
     * reserved may send it now (its bytes stay counted, so the average holds).
     */
    public void setSchedule(RateSchedule next) {
        long now = nanos.getAsLong();
        synchronized (this) {
            advance(now);
            schedule = next;
            follow(now);
        }
        changed();
    }

    public synchronized RateSchedule schedule() {
        return schedule;
    }

    /** The rate in force now. */
    public Rate rate() {
        long now = nanos.getAsLong();
        synchronized (this) {
            advance(now);
            return rate;
        }
    }

    /** The wall clock this limiter reads its schedule by (its zone is the schedule's). */
    public Clock wall() {
        return wall;
    }

    /** {@code r} runs (on the changing thread) after every run-time change here or at a parent. */
    public void addListener(Runnable r) {
        listeners.add(r);
    }

    public void removeListener(Runnable r) {
        listeners.remove(r);
    }

    private void changed() {
        changes.incrementAndGet();
        listeners.forEach(Runnable::run);
    }

    /** Credits the time since {@link #lastNanos}, switching rates at scheduled changes on the way. */
    private void advance(long now) {
        while (now >= switchAtNanos) {
            refill(switchAtNanos);
            follow(switchAtNanos);
        }
        refill(now);
    }

    private void refill(long until) {
        if (until <= lastNanos) {
            return;
        }
        if (!rate.unlimited()) {
            double earned = (double) (until - lastNanos) * rate.bytesPerSecond() / NANOS_PER_SECOND;
            tokens = Math.min(burstBytes(rate), tokens + earned);
        }
        lastNanos = until;
    }

    /**
     * Takes the schedule's rate at nano time {@code at} (read on the wall clock now, less the time since
     * {@code at}) and when it changes next. A bucket that was unlimited starts full; a lower burst caps it.
     */
    private void follow(long at) {
        Instant wallAt = wall.instant().minusNanos(Math.max(0, nanos.getAsLong() - at));
        Rate next = schedule.rateAt(wallAt, wall.getZone());
        if (rate.unlimited() && !next.unlimited()) {
            tokens = burstBytes(next);
        }
        rate = next;
        tokens = Math.min(tokens, burstBytes(rate));
        switchAtWall = schedule.nextChange(wallAt, wall.getZone());
        switchAtNanos = switchAtWall == null ? Long.MAX_VALUE
                : at + Math.max(1, Duration.between(wallAt, switchAtWall).toNanos());
    }

    /**
     * Nanoseconds from {@code now} until the debt is paid, at the scheduled rates on the way (0 when there is
     * none; a debt is paid at once where the schedule becomes unlimited).
     */
    private long waitNanos(long now) {
        double debt = -tokens;
        long t = now;
        Rate r = rate;
        long switchNanos = switchAtNanos;
        Instant switchWall = switchAtWall;
        while (debt > PAID && !r.unlimited()) {
            double need = debt * NANOS_PER_SECOND / r.bytesPerSecond();
            if (switchWall == null || t + need <= switchNanos) {
                return (long) Math.ceil(t - now + need);
            }
            debt -= (switchNanos - t) * r.bytesPerSecond() / NANOS_PER_SECOND;
            t = switchNanos;
            r = schedule.rateAt(switchWall, wall.getZone());
            Instant after = schedule.nextChange(switchWall, wall.getZone());
            switchNanos = after == null ? Long.MAX_VALUE : switchNanos + Duration.between(switchWall, after).toNanos();
            switchWall = after;
        }
        return t - now;
    }
}

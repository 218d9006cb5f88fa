package fff.sender.ftp;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Logged-in sessions to one location, kept between jobs: a session comes back after a job that left it in a
 * known state and is handed out again after a NOOP proves it alive; sessions idle longer than
 * {@link #IDLE_NANOS} are closed by {@link #sweep}. The pool holds at most as many sessions as jobs ran at
 * once, which the group tokens bound. Thread-safe; NOOP, login and QUIT run outside the lock.
 */
final class FtpSessionPool implements AutoCloseable {

    static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(60);

    private record Idle(FtpSession session, long sinceNanos) {}

    private final FtpConnector connector;
    private final LongSupplier nanoClock;
    private final Deque<Idle> idle = new ArrayDeque<>();
    private int open;
    private boolean closed;

    FtpSessionPool(FtpConnector connector, LongSupplier nanoClock) {
        this.connector = connector;
        this.nanoClock = nanoClock;
    }

    /** An idle session that answers NOOP, else a new one. */
    FtpSession acquire() throws FtpProblem {
        while (true) {
            Idle i;
            synchronized (this) {
                i = idle.pollFirst(); // most recently used first: the likeliest to be alive
            }
            if (i == null) {
                break;
            }
            if (i.session.alive()) {
                return i.session;
            }
            discard(i.session);
        }
        FtpSession s = connector.open();
        synchronized (this) {
            open++;
        }
        return s;
    }

    /** Takes back a session in a known state (no transfer pending). */
    void release(FtpSession s) {
        synchronized (this) {
            if (!closed) {
                idle.addFirst(new Idle(s, nanoClock.getAsLong()));
                return;
            }
        }
        discard(s);
    }

    /** Closes a session that is broken or in an unknown state. */
    void discard(FtpSession s) {
        synchronized (this) {
            open--;
        }
        s.close();
    }

    /** Closes sessions idle for longer than {@link #IDLE_NANOS}. */
    void sweep() {
        long now = nanoClock.getAsLong();
        while (true) {
            Idle oldest;
            synchronized (this) {
                oldest = idle.peekLast();
                if (oldest == null || now - oldest.sinceNanos < IDLE_NANOS) {
                    return;
                }
                idle.pollLast();
            }
            discard(oldest.session);
        }
    }

    /** Sessions open now, idle or in use. */
    synchronized int open() {
        return open;
    }

    @Override
    public void close() {
        Deque<Idle> all;
        synchronized (this) {
            closed = true;
            all = new ArrayDeque<>(idle);
            idle.clear();
        }
        all.forEach(i -> discard(i.session));
    }
}

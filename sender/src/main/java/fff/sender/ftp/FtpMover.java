package fff.sender.ftp;

import fff.common.config.FtpLocation;
import fff.common.jobs.Delivery;
import fff.common.jobs.Failure;
import fff.common.jobs.Job;
import fff.common.jobs.JobSpec;
import fff.common.jobs.Mover;
import fff.common.peers.PeerStatus;
import fff.common.peers.PeerTraffic;
import fff.common.rate.RateLimiter;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves jobs to a folder on an FTP server ({@code ftp://} or {@code ftps://}): sends a file through
 * {@link FtpUpload} (temporary name, resume, verify, rename), removes and renames for mirror jobs. One attempt
 * per {@link #start}, run on this mover's own threads with a session from its {@link FtpSessionPool}; the job
 * engine does the retrying.
 *
 * <p>A cancel stops the upload within one chunk and removes the partial file (a cancelled job is not expected
 * to leave anything behind); a dropped connection keeps it for the next attempt to continue. An upload stuck in
 * a write is unblocked by closing its control connection {@link #CANCEL_GRACE_MILLIS} after the cancel.
 */
public final class FtpMover implements Mover {

    private static final Logger log = LoggerFactory.getLogger(FtpMover.class);
    /** Threads per mover; the group tokens bound the jobs running at once far below this in practice. */
    static final int THREADS = 8;
    static final long CANCEL_GRACE_MILLIS = 2_000;

    private final String name;
    private final FtpConnector connector;
    private final FtpSessionPool pool;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService timer;
    private final PeerTraffic traffic = new PeerTraffic();
    private final RateLimiter rate;
    /** Bytes sent by earlier attempts of jobs not finished yet, by job id: a Delivery counts all attempts. */
    private final Map<Long, Long> earlier = new ConcurrentHashMap<>();
    private volatile boolean online;
    private volatile String lastProblem;

    public FtpMover(String name, FtpLocation location, UnaryOperator<String> env) {
        this(name, location, env, RateLimiter.unlimited());
    }

    /** As above, uploading no faster than {@code rate} allows (the destination's limiter). */
    public FtpMover(String name, FtpLocation location, UnaryOperator<String> env, RateLimiter rate) {
        this.rate = rate;
        this.name = name;
        this.connector = new FtpConnector(location, env);
        this.pool = new FtpSessionPool(connector, System::nanoTime);
        this.workers = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> daemon(r, "fff-ftp-" + name));
        workers.allowCoreThreadTimeOut(true);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "fff-ftp-timer-" + name));
        timer.scheduleWithFixedDelay(pool::sweep, 10, 10, TimeUnit.SECONDS);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public Running start(Job job, Listener listener) {
        if (job.spec().profile() != null) {
            listener.failed(Failure.of("UNSUPPORTED_PROFILE", "destination " + name + " (" + connector.location()
                    + ") takes plain copies only; it cannot transcode with profile '" + job.spec().profile() + "'",
                    false));
            return why -> { };
        }
        Attempt a = new Attempt(job, listener);
        try {
            workers.execute(a);
        } catch (RejectedExecutionException e) {
            listener.failed(Failure.of("IO_ERROR", "destination " + name + " is closed", true));
            return why -> { };
        }
        return a::cancel;
    }

    /** Online when the last login worked; why: the last problem reaching the server. */
    @Override
    public PeerStatus status() {
        return traffic.status(name, PeerStatus.OUT, connector.location().toString(), online, lastProblem,
                pool.open());
    }

    @Override
    public void close() {
        workers.shutdownNow();
        timer.shutdownNow();
        pool.close();
    }

    private final class Attempt implements Runnable {
        private final Job job;
        private final Listener listener;
        private volatile String cancelled;
        private volatile FtpSession session;
        private volatile boolean finished;

        Attempt(Job job, Listener listener) {
            this.job = job;
            this.listener = listener;
        }

        void cancel(String why) {
            cancelled = why == null ? "cancelled" : why;
            if (finished) {
                return;
            }
            try {
                timer.schedule(() -> {
                    FtpSession s = session;
                    if (!finished && s != null) {
                        s.kill();
                    }
                }, CANCEL_GRACE_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // the mover is closed: its threads are being interrupted anyway
            }
        }

        @Override
        public void run() {
            JobSpec spec = job.spec();
            if (cancelled != null) {
                end(null, Failure.of("CANCELLED", cancelled, false));
                return;
            }
            FtpSession s;
            try {
                s = pool.acquire();
                online = true;
                lastProblem = null;
            } catch (FtpProblem e) {
                lastProblem = e.getMessage();
                online = false;
                end(null, failure(e));
                return;
            }
            session = s;
            FtpUpload upload = null;
            boolean reusable = false;
            try {
                Delivery d = switch (spec.op()) {
                    case SEND -> {
                        upload = new FtpUpload(s, spec, () -> cancelled != null, listener::progress, traffic::sent,
                                rate);
                        Delivery r = upload.run();
                        if (r.resumedFrom() > 0) {
                            traffic.resumed();
                        }
                        yield new Delivery(r.bytesSent() + earlier.getOrDefault(job.id(), 0L), r.resumedFrom(),
                                r.alreadyPresent());
                    }
                    case REMOVE -> remove(s, connector.location().resolve(spec.remotePath()));
                    case RENAME -> {
                        s.rename(connector.location().resolve(spec.renameFrom()),
                                connector.location().resolve(spec.remotePath()));
                        yield new Delivery(0, 0, false);
                    }
                };
                reusable = true;
                end(d, null);
            } catch (FtpUpload.Refused r) {
                reusable = true;
                if (r.dropPart && upload != null) {
                    dropPart(s, upload.part);
                }
                note(upload, r.failure);
                end(null, cancelled != null ? Failure.of("CANCELLED", cancelled, false) : r.failure);
            } catch (FtpProblem e) {
                reusable = !e.reason().equals(FtpProblem.IO_ERROR) && s.alive();
                Failure f = cancelled != null ? Failure.of("CANCELLED", cancelled, false) : failure(e);
                if (cancelled != null && upload != null && s.alive()) {
                    dropPart(s, upload.part);
                }
                note(upload, f);
                end(null, f);
            } catch (IOException | RuntimeException e) {
                Failure f = Failure.of("IO_ERROR", "cannot read source " + spec.source() + ": " + e, true);
                note(upload, f);
                end(null, f);
            } finally {
                session = null;
                if (reusable) {
                    pool.release(s);
                } else {
                    pool.discard(s);
                }
            }
        }

        /** Remembers what a failed attempt sent, for the retry's Delivery. */
        private void note(FtpUpload upload, Failure f) {
            if (upload != null && f.retryable() && upload.wireBytes() > 0) {
                earlier.merge(job.id(), upload.wireBytes(), Long::sum);
            }
        }

        private void end(Delivery d, Failure f) {
            finished = true;
            if (d != null) {
                earlier.remove(job.id());
                listener.done(d);
            } else {
                if (!f.retryable()) {
                    earlier.remove(job.id());
                }
                listener.failed(f);
            }
        }
    }

    private static Delivery remove(FtpSession s, String path) throws IOException {
        try {
            s.delete(path);
        } catch (FtpProblem e) {
            if (!e.reason().equals(FtpProblem.NOT_FOUND) || s.size(path) >= 0) {
                throw e;
            }
            // already gone: what the mirror wanted
        }
        return new Delivery(0, 0, false);
    }

    private void dropPart(FtpSession s, String part) {
        try {
            if (s.size(part) >= 0) {
                s.delete(part);
            }
        } catch (IOException e) {
            log.debug("{}: could not remove {}: {}", name, part, e.getMessage());
        }
    }

    /** How the job engine sees an FTP problem: an unreachable server does not count against the retry limit. */
    static Failure failure(FtpProblem e) {
        if (e.reason().equals(FtpProblem.CONNECTION_REFUSED)) {
            return new Failure("OFFLINE", e.getMessage(), true, false, 0);
        }
        return Failure.of(e.reason(), e.getMessage(), e.retryable());
    }
}

package fff.sender.pull;

import fff.common.config.After;
import fff.common.config.SourceRule;
import fff.common.paths.PathRefusal;
import fff.common.paths.SafePaths;
import fff.sender.ftp.FtpConnector;
import fff.sender.ftp.FtpProblem;
import fff.sender.ftp.FtpSession;
import fff.sender.ftp.RemoteFile;
import fff.sender.watch.WatchFilter;
import fff.sender.watch.WatchSpec;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code sources:} entry at work: lists an FTP folder every {@code poll}, and a file whose size and time
 * are unchanged since the previous listing is pulled into the staging folder (resuming a pull cut short),
 * checked against the server's size, given the server's time, renamed into place and handed to the node to be
 * sent on. Once the node reports the relay verified at its destination, the staged copy is deleted and the
 * server's file kept, deleted or moved as configured; a crash in between is caught up at the next poll, because
 * the journal still says the same unchanged file was delivered.
 *
 * <p>Everything runs on one thread per source, one file at a time, over at most one connection, which stays
 * open between polls unless the source is {@code single-session} (then it is closed after each poll so that
 * the device's one login is free for others). Problems are logged once until they change, and the next poll
 * tries again.
 */
public final class FtpSource implements AutoCloseable {

    /** Logins tried when the server answers 421 (at its session limit), pausing longer each time. */
    private static final int BUSY_LOGINS = 4;
    private static final long BUSY_LOGIN_PAUSE_MILLIS = 250;

    private static final Logger LOG = LoggerFactory.getLogger(FtpSource.class);
    /** Suffix of a pull in progress; the staging folder is never watched, but the name says what it is. */
    static final String PARTIAL = ".fff-partial";

    /** The node's side: what became of a file, and queueing the staged copy. */
    public interface Relay {
        /**
         * What the journal knows of the latest job of this source's file {@code relative} with this size and
         * time. May block (it is called on the source's own thread).
         */
        Known known(String relative, long size, long mtimeMillis);

        /** Queues a job that sends {@code staged}, the verified copy of {@code file}. */
        void submit(Path staged, RemoteFile file);
    }

    /** What the journal knows of a remote file. */
    public enum Known {
        /** No job for it: pull it. */
        NEW,
        /** A job for it has not ended, or ended without delivering (cancelled, failed): leave it. */
        PENDING,
        /** A job delivered it and its destination verified it. */
        DELIVERED
    }

    private final SourceRule rule;
    private final FtpConnector connector;
    private final WatchFilter filter;
    private final Relay relay;
    private final SteadyFiles steady = new SteadyFiles();
    private final ScheduledExecutorService thread;
    private FtpSession session;
    private String lastProblem;
    /** Payload bytes pulled from the server since the start, resumed pulls counting only what crossed. */
    private volatile long bytesPulled;
    private volatile long filesPulled;

    /** {@code rule} with its staging folder set. */
    public FtpSource(SourceRule rule, FtpConnector connector, Relay relay) {
        this.rule = Objects.requireNonNull(rule);
        this.connector = connector;
        this.relay = relay;
        Objects.requireNonNull(rule.staging(), "staging folder");
        this.filter = new WatchFilter(new WatchSpec(rule.staging().toAbsolutePath(), rule.include(),
                rule.exclude(), rule.recursive(), null, null, false));
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fff-source-" + rule.name());
            t.setDaemon(true);
            return t;
        });
    }

    /** Polls now and then every {@code poll}. */
    public void start() {
        long every = rule.poll().toMillis();
        thread.scheduleWithFixedDelay(this::pollSafely, 0, every, TimeUnit.MILLISECONDS);
    }

    /** A job of this source was delivered: deal with the staged copy and the server's file soon. */
    public void delivered() {
        if (!thread.isShutdown()) {
            thread.execute(this::pollSafely);
        }
    }

    private void pollSafely() {
        try {
            poll();
            if (lastProblem != null) {
                LOG.info("source {}: {} reachable again", rule.name(), rule.ftp());
                lastProblem = null;
            }
        } catch (IOException | RuntimeException e) {
            String problem = e instanceof FtpProblem p ? p.getMessage() : e.toString();
            if (!problem.equals(lastProblem)) {
                LOG.warn("source {}: {} (trying again every {})", rule.name(), problem,
                        fff.common.config.Durations.format(rule.poll()));
                lastProblem = problem;
            }
            closeSession();
        } finally {
            if (rule.singleSession()) {
                closeSession();
            }
        }
    }

    /** One listing and what follows from it. */
    void poll() throws IOException {
        FtpSession s = session();
        List<RemoteFile> listing = s.list(rule.ftp().dir(), rule.recursive()).stream()
                .filter(f -> filter.acceptsFile(f.relative())).toList();
        for (RemoteFile f : steady.steady(listing)) {
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
            Path staged;
            try {
                staged = staged(rule.staging(), f.relative());
            } catch (PathRefusal e) {
                LOG.warn("source {}: skipping a file the server listed: {}", rule.name(), e.getMessage());
                continue;
            }
            switch (relay.known(f.relative(), f.size(), f.mtimeMillis())) {
                case NEW -> pull(s, f, staged);
                case DELIVERED -> dispose(s, f, staged);
                case PENDING -> { }
            }
        }
    }

    /** Pulls {@code f} into {@code staged} (resuming), checks it, and queues it. */
    private void pull(FtpSession s, RemoteFile f, Path staged) throws IOException {
        if (sameFile(staged, f)) { // pulled before a restart, not queued yet
            relay.submit(staged, f);
            return;
        }
        Files.createDirectories(staged.getParent());
        Path partial = partial(staged, f);
        dropOtherPartials(staged, partial);
        String remote = rule.ftp().resolve(f.relative());
        long before = Files.exists(partial) ? Files.size(partial) : 0;
        long got = s.download(remote, partial, bytes -> { });
        bytesPulled += got;
        long size = Files.size(partial);
        if (size != f.size()) {
            if (size > f.size()) {
                Files.delete(partial);
            }
            throw new IOException("pulled " + size + " bytes of " + remote + ", the server listed " + f.size()
                    + (size > f.size() ? "; it changed during the pull, starting over next time" : ""));
        }
        long now = s.size(remote);
        if (now != f.size()) {
            throw new IOException(remote + " changed during the pull (" + f.size() + " → " + now + " bytes)");
        }
        try (FileChannel c = FileChannel.open(partial, StandardOpenOption.WRITE)) {
            c.force(true);
        }
        Files.setLastModifiedTime(partial, FileTime.fromMillis(f.mtimeMillis()));
        Files.move(partial, staged, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        LOG.info("source {}: pulled {} ({} bytes{})", rule.name(), remote, size,
                before > 0 ? ", resumed at " + before : "");
        filesPulled++;
        relay.submit(staged, f);
    }

    /**
     * The partial of one version of a remote file: its name carries the size and time the server listed, so a
     * pull is only ever continued onto bytes of the same version (the server offers no hash to check them by).
     */
    static Path partial(Path staged, RemoteFile f) {
        return staged.resolveSibling("." + staged.getFileName() + "." + f.size() + "-" + f.mtimeMillis() + PARTIAL);
    }

    /** Removes partials of other versions of the file at {@code staged}. */
    private static void dropOtherPartials(Path staged, Path keep) throws IOException {
        String prefix = "." + staged.getFileName() + ".";
        try (var siblings = Files.newDirectoryStream(staged.getParent(),
                p -> p.getFileName().toString().startsWith(prefix) && p.toString().endsWith(PARTIAL))) {
            for (Path p : siblings) {
                if (!p.equals(keep)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Payload bytes pulled since the start. */
    public long bytesPulled() {
        return bytesPulled;
    }

    /** Files pulled, checked and queued since the start. */
    public long filesPulled() {
        return filesPulled;
    }

    /** The relay of {@code f} was verified: drop the staged copy, then keep, delete or move the server's file. */
    private void dispose(FtpSession s, RemoteFile f, Path staged) throws IOException {
        if (sameFile(staged, f)) {
            Files.delete(staged);
        }
        After after = rule.after();
        String remote = rule.ftp().resolve(f.relative());
        switch (after.action()) {
            case KEEP -> { }
            case DELETE -> {
                s.delete(remote);
                LOG.info("source {}: deleted {} on the server, its relay to {} being verified", rule.name(),
                        remote, rule.to());
            }
            case MOVE -> {
                String dir = after.dir().toString();
                String to = (dir.endsWith("/") ? dir : dir + "/") + f.relative();
                s.rename(remote, to);
                LOG.info("source {}: moved {} to {} on the server, its relay to {} being verified", rule.name(),
                        remote, to, rule.to());
            }
        }
    }

    /**
     * Where a file the server listed at {@code relative} is staged; refused (as the receiver refuses wire paths)
     * when a hostile or broken listing would leave the staging folder or name a partial.
     */
    static Path staged(Path staging, String relative) throws PathRefusal {
        return SafePaths.resolve(staging, relative, "the staging folder");
    }

    /** Whether {@code staged} holds {@code f} as pulled: same size and time. */
    private static boolean sameFile(Path staged, RemoteFile f) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(staged, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() && a.size() == f.size() && a.lastModifiedTime().toMillis() == f.mtimeMillis();
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private FtpSession session() throws IOException {
        if (session != null && !session.alive()) {
            closeSession();
        }
        for (int attempt = 1; session == null; attempt++) {
            try {
                session = connector.open();
            } catch (FtpProblem e) {
                // 421 at login: the server is at its session limit. A device that allows one session (or a server
                // with max_per_ip) may still count the one just closed for a moment: ask again a little later.
                if (e.replyCode() != 421 || attempt == BUSY_LOGINS) {
                    throw e;
                }
                try {
                    Thread.sleep(BUSY_LOGIN_PAUSE_MILLIS * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
        return session;
    }

    private void closeSession() {
        if (session != null) {
            session.close();
            session = null;
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("source {}: a pull did not stop within 5 s", rule.name());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeSession();
    }
}

package fff.node;

import fff.common.config.After;
import fff.common.config.ConvertSection;
import fff.common.config.Destination;
import fff.common.config.Durations;
import fff.common.config.NodeConfig;
import fff.common.config.Route;
import fff.common.config.SourceRule;
import fff.common.config.WatchRule;
import fff.common.identity.KnownPeers;
import fff.common.identity.NodeId;
import fff.common.identity.NodeIdentity;
import fff.common.jobs.EngineControl;
import fff.common.jobs.Job;
import fff.common.jobs.JobDb;
import fff.common.jobs.JobEngine;
import fff.common.jobs.JobLog;
import fff.common.jobs.JobSpec;
import fff.common.jobs.JobState;
import fff.common.jobs.Mover;
import fff.common.jobs.RetryPolicy;
import fff.common.journal.Journal;
import fff.common.journal.JournalOptions;
import fff.common.journal.ReplayStats;
import fff.common.metrics.MetricNames;
import fff.common.peers.PeerStatus;
import fff.common.rate.RateLimits;
import fff.common.rate.RateSchedule;
import fff.common.rate.RateStatus;
import fff.common.transcode.FfmpegTools;
import fff.common.transcode.MediaException;
import fff.common.wire.HostPort;
import fff.proto.journal.JobEvent;
import fff.receiver.Admission;
import fff.receiver.PeerServer;
import fff.receiver.ReceiverConfig;
import fff.receiver.convert.ConvertService;
import fff.receiver.transcode.Transcoder;
import fff.sender.PeerMover;
import fff.sender.PeerTarget;
import fff.sender.Transcoding;
import fff.sender.ftp.FtpConnector;
import fff.sender.ftp.FtpMover;
import fff.sender.ftp.RemoteFile;
import fff.sender.local.LocalMover;
import fff.sender.pull.FtpSource;
import fff.sender.transcode.LocalTranscodeMover;
import fff.sender.watch.FolderWatcher;
import fff.sender.watch.WatchSpec;
import fff.sender.watch.WatchedFile;
import fff.webui.JobEventMetrics;
import fff.webui.NodeInfo;
import fff.webui.WebServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node as {@code fff run --config} builds it: the journal replayed into the job db, one mover per
 * destination, the job engine, one folder watcher per watch rule feeding it, and the peer server admitting
 * offers through the same group tree. Started in that order and stopped in reverse.
 */
final class NodeRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NodeRuntime.class);

    private final NodeConfig cfg;
    private final NodeIdentity identity;
    private final PrintStream out;
    private final Map<String, Mover> movers = new LinkedHashMap<>();
    private final List<FolderWatcher> watchers = new ArrayList<>();
    private final Map<String, FtpSource> sources = new LinkedHashMap<>();
    private final ScheduledExecutorService watchTimer;
    private Journal journal;
    private JobEngine engine;
    /** The node's and each destination's rate limiter; run-time changes go through the job engine's journal. */
    private RateLimits rates;
    private PeerServer server;
    private boolean stopped;
    private FileChannel lockChannel;
    /** Made up front so the job engine's events reach the page's live feed once the server is up. */
    private final WebServer web = new WebServer();
    private HostPort webAt;
    /** What /metrics serves; the job engine's events feed it from the start. */
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** This node's ffmpeg, or null; then {@link #noFfmpeg} says why. */
    private FfmpegTools ffmpeg;
    private String noFfmpeg;

    NodeRuntime(NodeConfig cfg, NodeIdentity identity, PrintStream out) {
        this.cfg = cfg;
        this.identity = identity;
        this.out = out;
        this.watchTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fff-watch");
            t.setDaemon(true);
            return t;
        });
    }

    JobEngine engine() {
        return engine;
    }

    PeerServer server() {
        return server;
    }

    void start() throws IOException {
        lockHome();
        journal = Journal.open(cfg.node().home().resolve("journal"), JournalOptions.defaults()
                .withRetention(cfg.jobs().history()));
        JobLog log = new JobLog() {
            @Override
            public void append(JobEvent event) {
                journal.append(event);
            }

            @Override
            public void checkpoint(long nextJobId, Iterable<JobEvent> records) {
                journal.checkpoint(nextJobId, records);
            }

            @Override
            public void sync() {
                journal.sync();
            }

            @Override
            public long eventsSinceCheckpoint() {
                return journal.eventsSinceCheckpoint();
            }
        };
        var jobs = cfg.jobs();
        JobDb db = new JobDb(cfg.groups(), new RetryPolicy(jobs.attempts(), jobs.backoff(), jobs.backoffMax()),
                Clock.systemUTC(), log, RandomGenerator.getDefault());
        ReplayStats replay = journal.replay(db::replay);
        out.println("journal " + journal.dir() + ": replayed " + replay.delivered() + " events in "
                + replay.elapsed().toMillis() + " ms" + (replay.skipped() > 0 ? ", skipped " + replay.skipped()
                + " unreadable" : ""));
        startRates(db);

        findFfmpeg();
        Transcoding transcoding = ffmpeg != null ? Transcoding.of(ffmpeg, cfg.profiles())
                : new Transcoding(null, cfg.profiles(), noFfmpeg);
        KnownPeers known = new KnownPeers(cfg.node().home().resolve("known_peers"));
        for (Destination d : cfg.destinations().values()) {
            if (d.kind() == Destination.Kind.PEER) {
                // one attempt per job start: the job db retries with backoff and journals each attempt
                PeerTarget target = new PeerTarget(d.peer(), d.plain(), d.id(), d.id() == null ? known : null, 1, 0,
                        d.congestion());
                // profiles that run on the sender convert here first; the rest the peer (and its receiver) runs
                movers.put(d.name(), LocalTranscodeMover.inFrontOfPeer(new PeerMover(d.name(), target, identity,
                        d.connections(), transcoding, rates.limiter(d.name())), transcoding,
                        cfg.node().home().resolve("work").resolve(d.name())));
            } else {
                // every profile runs here (split: both sides; whole-file: one conversion), then the result is
                // delivered like any file
                Mover plain = d.kind() == Destination.Kind.LOCAL
                        ? new LocalMover(d.name(), d.local(), rates.limiter(d.name()))
                        : new FtpMover(d.name(), d.ftp(), System::getenv, rates.limiter(d.name()));
                movers.put(d.name(), new LocalTranscodeMover(plain, transcoding,
                        cfg.node().home().resolve("work").resolve(d.name())));
            }
        }
        JobConsole console = new JobConsole(out);
        JobEventMetrics counters = new JobEventMetrics(metrics);
        JobEngine.Events page = web.events();
        engine = new JobEngine(db, movers, log, jobs.history().toMillis(), jobs.checkpointEvery(), (j, what) -> {
            console.job(j, what);
            counters.job(j, what);
            page.job(j, what);
            FtpSource source = sources.get(j.spec().rule());
            if (source != null && j.state() == JobState.DONE) {
                source.delivered();
            }
        });
        engine.start().join();
        Map<String, Long> perGroup = new LinkedHashMap<>();
        engine.jobs().join().stream().filter(j -> !j.state().ended())
                .forEach(j -> perGroup.merge(j.spec().group(), 1L, Long::sum));
        if (!perGroup.isEmpty()) {
            out.println("resuming jobs from the journal: " + perGroup);
        }

        if (cfg.node().listen() != null) {
            startServer();
        }
        startWeb();
        for (WatchRule rule : cfg.watch()) {
            if (rule.out() != null) {
                Files.createDirectories(rule.out());
            }
            FolderWatcher w = new FolderWatcher(spec(rule), watchTimer, new RuleListener(rule));
            watchers.add(w);
            w.start();
            out.println("watching " + rule.path() + " (" + rule.name() + ") -> " + rule.target() + " group "
                    + rule.group());
        }
        for (SourceRule rule : cfg.sources()) {
            SourceRule staged = rule.with(rule.group(), rule.staging() != null ? rule.staging()
                    : cfg.node().home().resolve("staging").resolve(rule.name().replaceAll("[^A-Za-z0-9._-]", "_")));
            FtpSource source = new FtpSource(staged, new FtpConnector(rule.ftp(), System::getenv), new PullRelay(staged));
            sources.put(rule.name(), source);
            FunctionCounter.builder(MetricNames.SOURCE_PULLED_BYTES, source, FtpSource::bytesPulled)
                    .tag(MetricNames.TAG_SOURCE, rule.name()).baseUnit("bytes").register(metrics);
            FunctionCounter.builder(MetricNames.SOURCE_PULLED_FILES, source, FtpSource::filesPulled)
                    .tag(MetricNames.TAG_SOURCE, rule.name()).register(metrics);
            source.start();
            out.println("polling " + rule.ftp() + " every " + Durations.format(rule.poll()) + " (" + rule.name()
                    + ") -> " + rule.to() + " group " + rule.group() + ", staging in " + staged.staging()
                    + (rule.after().action() == After.Action.KEEP ? "" : ", then " + rule.after() + " on the server"));
        }
    }

    /**
     * The rate limits from the config, with the changes made at run time (replayed from the journal) on top; a
     * change is journalled by the job engine, which then applies it.
     */
    private void startRates(JobDb db) {
        Map<String, RateSchedule> schedules = new LinkedHashMap<>();
        cfg.destinations().values().forEach(d -> schedules.put(d.name(), d.rate()));
        rates = new RateLimits(cfg.node().rate(), schedules,
                (scope, lines, apply) -> engine.setRate(scope, lines, apply));
        db.rateOverrides().forEach((scope, lines) -> {
            try {
                rates.restore(scope, lines);
            } catch (IllegalArgumentException e) {
                LOG.warn("rate limit of {} set at run time is not restored: {}", scope.isEmpty() ? "the node" : scope,
                        e.getMessage());
            }
        });
        List<RateStatus> limits = new ArrayList<>(List.of(rates.rates().node()));
        limits.addAll(rates.rates().destinations());
        for (RateStatus r : limits) {
            if (r.changedAtRunTime() || !r.schedule().equals(RateSchedule.UNLIMITED.lines())) {
                out.println("rate limit " + (r.name() == null ? "of the node" : r.name()) + ": "
                        + String.join("; ", r.schedule()) + (r.changedAtRunTime() ? " (set at run time; the config "
                        + "says " + String.join("; ", r.config()) + ")" : ""));
            }
        }
    }

    /** A source's link to the journal: what became of a remote file, and the job that sends a pulled one on. */
    private final class PullRelay implements FtpSource.Relay {
        private final SourceRule rule;

        PullRelay(SourceRule rule) {
            this.rule = rule;
        }

        @Override
        public FtpSource.Known known(String relative, long size, long mtimeMillis) {
            Optional<Job> latest = engine.call(db -> db.latest(rule.name(), relative)).join();
            if (latest.isEmpty() || latest.get().spec().size() != size
                    || latest.get().spec().mtimeMillis() != mtimeMillis) {
                return FtpSource.Known.NEW;
            }
            return latest.get().state() == JobState.DONE ? FtpSource.Known.DELIVERED : FtpSource.Known.PENDING;
        }

        @Override
        public void submit(Path staged, RemoteFile f) {
            engine.submit(new JobSpec(rule.name(), staged, f.relative(), rule.to().destination(),
                    remotePath(rule.to(), rule.profile(), f.relative()), rule.group(), rule.priority(), f.size(),
                    f.mtimeMillis(), "keep").withProfile(rule.profile())).join();
        }
    }

    /** Where a file at {@code relative} goes below {@code to}, renamed to a profile's output format if any. */
    private String remotePath(Route to, String profile, String relative) {
        String sub = to.subpath();
        String remote = sub.isEmpty() ? relative : sub + "/" + relative;
        // the receiver stores the profile's output format (a proxy is an .mp4), so the name follows it
        return profile == null ? remote : cfg.profiles().get(profile).orElseThrow().outputPath(remote);
    }

    /** Where the page is served, or null when the web server did not start. */
    HostPort webAddress() {
        return webAt;
    }

    /**
     * The page, the JSON API, {@code /healthz} and {@code /metrics} on {@code web.listen}. A node whose web port
     * is taken still moves files: it says so and goes on without them.
     */
    private void startWeb() throws IOException {
        String token = UiToken.loadOrCreate(cfg.node().home());
        try {
            HostPort at = web.start(cfg.web().listen(), new EngineControl(engine), this::peers, rates,
                    new NodeInfo(identity.id().toString(), Version.current(), System.currentTimeMillis(),
                            journal::bytesOnDisk), token, metrics);
            webAt = at;
            out.println("page on http://" + at + "/ (API under /api/, metrics on /metrics; UI token: fff id"
                    + " --token)");
        } catch (RuntimeException e) {
            LOG.error("web API not started on {}: {} (set web.listen to a free address)", cfg.web().listen(),
                    e.getCause() != null ? e.getCause().toString() : e.toString());
        }
    }

    /** For {@code /api/peers}: the destinations, then the senders seen (named as destinations where they are one). */
    private List<PeerStatus> peers() {
        List<PeerStatus> out = new ArrayList<>();
        movers.values().stream().map(Mover::status).filter(Objects::nonNull).forEach(out::add);
        PeerServer s = server;
        if (s != null) {
            Map<NodeId, String> names = new LinkedHashMap<>();
            cfg.destinations().values().stream().filter(d -> d.id() != null)
                    .forEach(d -> names.putIfAbsent(d.id(), d.name()));
            out.addAll(s.peers(id -> names.getOrDefault(id, id.toString())));
        }
        return out;
    }

    /**
     * Looks for ffmpeg when this node may need it: watch rules with a profile (then its absence stops the node
     * here, with the reason, rather than failing jobs later) or a receiving side (which then refuses transcodes,
     * saying why).
     */
    private void findFfmpeg() throws IOException {
        if (!cfg.needsFfmpeg() && cfg.node().listen() == null) {
            noFfmpeg = "no watch rule here names a profile, so ffmpeg was not looked for";
            return;
        }
        try {
            ffmpeg = FfmpegTools.find(cfg.ffmpegPath());
            out.println("ffmpeg: " + ffmpeg.ffmpeg() + " (" + ffmpeg.version() + ")");
        } catch (MediaException e) {
            if (cfg.needsFfmpeg()) {
                throw new IOException("watch rules with a profile need ffmpeg: " + e.getMessage());
            }
            noFfmpeg = e.getMessage();
            out.println("no ffmpeg, so this node refuses transcodes: " + e.getMessage());
        }
    }

    /** One node per home: a second one would corrupt the journal. The lock goes with the process. */
    private void lockHome() throws IOException {
        Path file = cfg.node().home().resolve("node.lock");
        Files.createDirectories(file.getParent());
        lockChannel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            throw new IOException("another fff node is running with home " + cfg.node().home()
                    + " (it holds " + file + ")");
        }
    }

    private void startServer() throws IOException {
        var r = cfg.receive();
        ReceiverConfig rc = new ReceiverConfig(cfg.node().listen(), cfg.node().plain(), r.root(), r.allowAny(),
                cfg.allowedIds(), r.reserve(), r.stalePartials(), ReceiverConfig.DEFAULT_STREAM_WINDOW,
                ReceiverConfig.DEFAULT_CONNECTION_WINDOW, ReceiverConfig.DEFAULT_MAX_STREAMS);
        Admission admission = Admission.ALWAYS;
        if (r.group() != null) {
            String group = r.group();
            admission = (peer, path, size) -> engine.admit(group).thenApply(key -> key == null ? null
                    : () -> engine.release(key));
        }
        ConvertService convert = null;
        if (ffmpeg != null) {
            // conversions for senders that want the result back: spool and result store under the home
            ConvertSection c = r.convert();
            convert = ConvertService.open(cfg.node().home(), ffmpeg, c.limit(), c.storeMax(), c.storeAge(),
                    Clock.systemUTC());
        }
        server = PeerServer.start(rc, identity, new ConsoleEvents(out), admission,
                ffmpeg != null ? Transcoder.of(ffmpeg, cfg.profiles()) : Transcoder.unavailable(noFfmpeg), convert);
        out.printf("listening on %s:%d (%s), landing in %s%s%s%n", server.address().getHostString(),
                server.address().getPort(), rc.plain() ? "plain TCP" : "TLS 1.3, mutual", r.root(),
                r.group() == null ? "" : ", admitting through group " + r.group(),
                convert == null ? "" : ", converting for senders (" + convert.limit() + " at once)");
    }

    private static WatchSpec spec(WatchRule rule) {
        return new WatchSpec(rule.path(), rule.include(), rule.exclude(), rule.recursive(), rule.stableFor(),
                rule.rescan(), rule.includeHidden());
    }

    /** Turns a watcher's stable files into job submissions for one rule. */
    private final class RuleListener implements FolderWatcher.Listener {
        private final WatchRule rule;

        RuleListener(WatchRule rule) {
            this.rule = rule;
        }

        @Override
        public void stable(WatchedFile f) {
            engine.submit(spec(f)).exceptionally(e -> failed("queue " + f.absolute(), e));
        }

        @Override
        public void renamed(String fromRelative, String toRelative) {
            WatchedFile f;
            try {
                var a = Files.readAttributes(rule.path().resolve(toRelative), BasicFileAttributes.class);
                f = new WatchedFile(rule.path().resolve(toRelative), toRelative, a.size(),
                        a.lastModifiedTime().toMillis(), a.fileKey());
            } catch (IOException e) {
                LOG.info("watch {}: {} was renamed to {} and is gone again", rule.name(), fromRelative, toRelative);
                removed(fromRelative);
                return;
            }
            engine.renamed(spec(f), fromRelative, rule.mirror().contains(WatchRule.Mirror.RENAMES))
                    .exceptionally(e -> failed("handle the rename of " + fromRelative, e));
        }

        @Override
        public void removed(String relative) {
            engine.removed(rule.name(), relative, rule.mirror().contains(WatchRule.Mirror.DELETES))
                    .exceptionally(e -> failed("handle the deletion of " + relative, e));
        }

        private JobSpec spec(WatchedFile f) {
            if (rule.via() != null) {
                // converted by the via peer and returned: the result lands below out, named for the profile
                String result = cfg.profiles().get(rule.profile()).orElseThrow().outputPath(f.relative());
                return new JobSpec(rule.name(), f.absolute(), f.relative(), rule.via(), result, rule.group(),
                        rule.priority(), f.size(), f.mtimeMillis(), rule.after().toString())
                        .withProfile(rule.profile())
                        .withReturnTo(rule.out().resolve(result).toAbsolutePath().normalize());
            }
            return new JobSpec(rule.name(), f.absolute(), f.relative(), rule.to().destination(),
                    remotePath(rule.to(), rule.profile(), f.relative()),
                    rule.group(), rule.priority(), f.size(), f.mtimeMillis(), rule.after().toString())
                    .withProfile(rule.profile());
        }

        private <T> T failed(String what, Throwable e) {
            LOG.error("watch {}: could not {}: {}", rule.name(), what, e.toString());
            return null;
        }

        @Override
        public void error(String message) {
            LOG.warn("watch {}: {}", rule.name(), message);
        }
    }

    /** Stops watching, lets open inbound transfers finish within {@code grace}, then stops moving. */
    synchronized void stop(Duration grace) {
        if (stopped) {
            return;
        }
        stopped = true;
        watchers.forEach(FolderWatcher::close);
        sources.values().forEach(FtpSource::close);
        watchTimer.shutdownNow();
        web.stop();
        if (server != null) {
            server.shutdown(grace);
        }
        if (engine != null) {
            engine.close(); // first: running jobs stay RUNNING in the journal and resume after a restart
        }
        movers.values().forEach(Mover::close);
        if (journal != null) {
            journal.close();
        }
        if (lockChannel != null) {
            try {
                lockChannel.close();
            } catch (IOException e) {
                LOG.debug("closing the home lock: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }
}

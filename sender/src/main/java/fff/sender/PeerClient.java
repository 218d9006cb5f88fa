package fff.sender;

import fff.common.identity.NodeId;
import fff.common.identity.NodeIdentity;
import fff.common.identity.TlsContexts;
import fff.common.peers.PeerTraffic;
import fff.common.rate.RateLimiter;
import fff.common.transcode.Profile;
import fff.common.wire.Congestion;
import fff.common.wire.FrameDecoder;
import fff.common.wire.FrameEncoder;
import fff.common.wire.SocketBuffers;
import fff.common.wire.Transports;
import fff.proto.Reason;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends files to one receiving peer over one or more connections, many streams on each, and mirrors deletes
 * and renames of files it delivered. Queues what does not fit, reconnects with exponential backoff and jitter
 * when a connection drops, and retries interrupted or failed files, which then resume from what the receiver
 * already holds.
 *
 * <p>In persistent mode (a node's long-lived client, given a {@link ConnectionListener}) an unreachable
 * receiver never makes the client give up: queued transfers fail as retryable, the listener hears that the
 * peer is offline, and the owner decides when to {@link #probe()} again; the owner also does the retrying.
 *
 * <p>All connections send under one {@link RateLimiter}: the client is one destination, and its rate limit
 * holds over all of them together.
 *
 * <p>Bookkeeping is guarded by {@code this}; the sessions' event loops call in briefly and never block.
 */
public final class PeerClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PeerClient.class);

    private final PeerTarget target;
    private final NodeIdentity identity;
    /** Connections asked for, or {@link #AUTO}. */
    private final int connections;
    /** With {@link #AUTO}: decides how many connections to keep open; else null. */
    private final ConnectionTuner tuner;
    private final EventLoopGroup group;
    private final ExecutorService disk;
    private final Bootstrap bootstrap;
    private final SessionOwner owner = new SessionOwner();
    private final ConnectionListener listener; // null: one-shot mode (fff send)
    private final PeerTraffic traffic = new PeerTraffic();
    private final Congestion congestion;
    private final SocketBuffers buffers = SocketBuffers.read();
    /** The last congestion outcome logged, so each different one is said once. */
    private Congestion.Outcome announced;
    private final RateLimiter rate;

    private final ArrayDeque<Transfer> queue = new ArrayDeque<>();
    private final Map<SenderSession, Integer> inFlight = new HashMap<>();
    /** {@code inFlight.size()} for readers outside the lock (the web API), so they never hold up a loop. */
    private volatile int readyConnections;
    /** Ready connections by congestion control, for readers outside the lock like {@code readyConnections}. */
    private volatile Map<String, Integer> congestionInUse = Map.of();
    private int connecting;
    private boolean reconnectScheduled;
    private boolean everConnected;
    private int reconnectFailures;
    private TransferException fatal;
    private boolean closed;

    /** {@code connections: auto}: grown while throughput grows (see {@link ConnectionTuner}). */
    public static final int AUTO = 0;
    private static final long TUNE_EVERY_MILLIS = 2_000;

    public PeerClient(PeerTarget target, NodeIdentity identity, int connections) throws IOException {
        this(target, identity, connections, null);
    }

    /** A client in persistent mode when {@code listener} is not null (see the class comment). */
    public PeerClient(PeerTarget target, NodeIdentity identity, int connections, ConnectionListener listener)
            throws IOException {
        this(target, identity, connections, listener, RateLimiter.unlimited());
    }

    /** As above, sending no faster than {@code rate} allows over all connections. */
    public PeerClient(PeerTarget target, NodeIdentity identity, int connections, ConnectionListener listener,
            RateLimiter rate) throws IOException {
        this.listener = listener;
        this.rate = rate;
        if (connections < 1 && connections != AUTO) {
            throw new IllegalArgumentException("connections must be >= 1 or AUTO, got " + connections);
        }
        this.target = target;
        this.identity = identity;
        this.connections = connections;
        this.tuner = connections == AUTO ? new ConnectionTuner() : null;
        int most = connections == AUTO ? ConnectionTuner.MAX : connections;
        this.group = Transports.group(Math.min(most, Runtime.getRuntime().availableProcessors()), "fff-send");
        AtomicInteger n = new AtomicInteger();
        this.disk = Executors.newFixedThreadPool(Math.max(2, Math.min(4, most * 2)), r -> {
            Thread t = new Thread(r, "fff-send-disk-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.congestion = Congestion.of(target.congestion());
        SslContext ssl = target.plain() ? null : TlsContexts.client(identity);
        this.bootstrap = new Bootstrap().group(group).channel(Transports.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        Congestion.Outcome cc = congestion.apply(ch);
                        announce(cc);
                        ChannelPipeline p = ch.pipeline();
                        if (ssl != null) {
                            p.addLast("tls", ssl.newHandler(ch.alloc(), target.address().host(), target.address().port()));
                        }
                        p.addLast("length", FrameDecoder.lengthDecoder());
                        p.addLast("decoder", FrameDecoder.INSTANCE);
                        p.addLast("encoder", FrameEncoder.INSTANCE);
                        p.addLast("idle", new IdleStateHandler(60, 15, 0));
                        p.addLast("session", new SenderSession(owner, disk, identity.id(), target.plain(),
                                traffic, cc.used(), rate));
                    }
                });
        if (tuner != null) {
            group.scheduleAtFixedRate(this::tune, TUNE_EVERY_MILLIS, TUNE_EVERY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Connections to keep open now: as asked, or what the tuner has grown to. */
    private int limit() {
        return tuner == null ? connections : tuner.limit();
    }

    private boolean busy() {
        return !queue.isEmpty() || inFlight.values().stream().anyMatch(used -> used > 0);
    }

    /** {@code auto}: one look at the throughput; opens another connection when the tuner says so. */
    private synchronized void tune() {
        if (closed) {
            return;
        }
        int before = tuner.limit();
        int now = tuner.tick(new ConnectionTuner.PeriodSample(System.nanoTime(), traffic.sentBytes(), busy(),
                inFlight.size()));
        if (now > before) {
            LOG.info("connections to {}: {} now (payload {} Mbit/s with {})", target.address(), now,
                    Math.round(tuner.baseline() * 8 / 1e6), before);
            dispatch();
        }
    }

    public PeerTarget target() {
        return target;
    }

    /** What crossed the link with the receiver over all connections so far. */
    public PeerTraffic traffic() {
        return traffic;
    }

    /** Says in the log which congestion control the connections get, and why when it is not the one asked for. */
    private synchronized void announce(Congestion.Outcome cc) {
        if (cc.equals(announced)) {
            return;
        }
        announced = cc;
        String used = cc.used() == null ? "the system's" : cc.used();
        if (cc.why() == null) {
            LOG.info("connections to {} use congestion control {} (asked: {})", target.address(), used,
                    congestion.describeAsked());
        } else if (congestion.asked() == null) {
            LOG.info("connections to {} use congestion control {}: {}", target.address(), used, cc.why());
        } else {
            LOG.warn("connections to {} use congestion control {}, not {}: {}", target.address(), used,
                    congestion.asked(), cc.why());
        }
    }

    /** Open connections by the congestion control each uses ({@code unknown} where it cannot be read). */
    public Map<String, Integer> congestion() {
        return congestionInUse;
    }

    /** Recounts what the readers outside the lock see; called whenever {@code inFlight} changes. */
    private void connectionsChanged() {
        readyConnections = inFlight.size();
        Map<String, Integer> byAlgorithm = new TreeMap<>();
        for (SenderSession s : inFlight.keySet()) {
            byAlgorithm.merge(s.congestion() == null ? "unknown" : s.congestion(), 1, Integer::sum);
        }
        congestionInUse = Map.copyOf(byAlgorithm);
    }

    /** Connections that finished their handshake and are open now. */
    public int connections() {
        return readyConnections;
    }

    /** Queues a file or an (empty) directory entry for {@code remotePath} under the receiver's root. */
    public CompletableFuture<TransferResult> send(Path source, String remotePath, TransferListener listener)
            throws IOException {
        return submit(source, remotePath, listener).result();
    }

    /** As {@link #send}, with a handle that can cancel the transfer. */
    public TransferHandle submit(Path source, String remotePath, TransferListener listener) throws IOException {
        BasicFileAttributes a = Files.readAttributes(source, BasicFileAttributes.class);
        if (!a.isDirectory() && !a.isRegularFile()) {
            throw new IOException(source + " is neither a regular file nor a directory");
        }
        Transfer t = new Transfer(source, remotePath, a.isDirectory(), a.isDirectory() ? 0 : a.size(),
                a.lastModifiedTime().toMillis(), listener == null ? TransferListener.NONE : listener);
        return enqueueWithHandle(t);
    }

    /**
     * Queues {@code source} to be transcoded on the way: this node's ffmpeg makes the profile's wire stream, the
     * receiver's ffmpeg stores the profile's output at {@code remotePath}. Never resumed: each attempt starts
     * from the beginning. Fails with UNSUPPORTED_PROFILE, not retryable, when the receiver cannot transcode.
     */
    public TransferHandle submitTranscode(Path source, String remotePath, TranscodeRequest request,
            TransferListener listener) throws IOException {
        BasicFileAttributes a = regularFile(source);
        return enqueueWithHandle(Transfer.transcode(source, requirePath(remotePath, "remotePath"), a.size(),
                a.lastModifiedTime().toMillis(), request, listener == null ? TransferListener.NONE : listener));
    }

    /** {@code source}'s attributes, once it is a regular file and the request's profile one the receiver runs. */
    private static BasicFileAttributes convertible(Path source, TranscodeRequest request) throws IOException {
        if (request.profile().placement() != Profile.Placement.RECEIVER) {
            throw new IllegalArgumentException("profile " + request.profile().name() + " is not converted by the "
                    + "receiver (placement " + request.profile().placement() + ")");
        }
        return regularFile(source);
    }

    private static BasicFileAttributes regularFile(Path source) throws IOException {
        BasicFileAttributes a = Files.readAttributes(source, BasicFileAttributes.class);
        if (!a.isRegularFile()) {
            throw new IOException(source + " is not a regular file");
        }
        return a;
    }

    /**
     * Queues {@code source} to be converted by the receiver with the request's whole-file profile (placement
     * {@link Profile.Placement#RECEIVER RECEIVER}): the source crosses unchanged, and the
     * receiver stores the result at {@code remotePath} (the caller names it, usually
     * {@code profile.outputPath(...)}), answering Verified once it is there. The request's media is what this
     * node's ffprobe found, checked against the profile's limits already ({@link TranscodeRequest#admit}). Never
     * resumed, never striped, never eager. Fails with UNSUPPORTED_PROFILE, not retryable, when the receiver
     * cannot convert; the receiver's own refusals (TOO_LARGE, TOO_LONG, BAD_SOURCE, UNSUPPORTED_PROFILE,
     * DISK_FULL) are final too.
     */
    public TransferHandle submitConvert(Path source, String remotePath, TranscodeRequest request,
            TransferListener listener) throws IOException {
        BasicFileAttributes a = convertible(source, request);
        return enqueueWithHandle(Transfer.convert(source, requirePath(remotePath, "remotePath"), a.size(),
                a.lastModifiedTime().toMillis(), request, listener == null ? TransferListener.NONE : listener));
    }

    /**
     * Queues {@code source} to be converted by the receiver with the request's whole-file profile and the result
     * returned on the same stream into {@code returnTo} (temp, verify, rename; a file there is replaced). The
     * receiver answers from its store when it converted these bytes with this profile before: the source is not
     * sent again. Needs the receiver's "return" capability.
     */
    public TransferHandle submitConvertAndReturn(Path source, TranscodeRequest request, Path returnTo,
            TransferListener listener) throws IOException {
        BasicFileAttributes a = convertible(source, request);
        return enqueueWithHandle(Transfer.convertAndReturn(source, source.getFileName().toString(), a.size(),
                a.lastModifiedTime().toMillis(), request, returnTo,
                listener == null ? TransferListener.NONE : listener));
    }

    /**
     * Queues the deletion of the file at {@code remotePath} under the receiver's root, mirroring a delete at
     * the source. Completes with size 0 and {@link TransferResult#alreadyPresent()} true when the receiver had
     * no such file. Needs a receiver that supports mirroring; an older one fails it, not retryable.
     */
    public TransferHandle submitRemove(String remotePath) {
        return enqueueWithHandle(Transfer.remove(requirePath(remotePath, "remotePath")));
    }

    /**
     * Queues the rename of the file at {@code fromRemotePath} to {@code toRemotePath} under the receiver's root
     * (replacing a file there), mirroring a rename at the source. Fails with reason {@code NOT_FOUND}, not
     * retryable, when the receiver has no file at {@code fromRemotePath}; {@code BUSY} is retried. Needs a
     * receiver that supports mirroring; an older one fails it, not retryable.
     */
    public TransferHandle submitRename(String fromRemotePath, String toRemotePath) {
        return enqueueWithHandle(Transfer.rename(requirePath(fromRemotePath, "fromRemotePath"),
                requirePath(toRemotePath, "toRemotePath")));
    }

    private static String requirePath(String path, String name) {
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        return path;
    }

    private TransferHandle enqueueWithHandle(Transfer t) {
        enqueue(t);
        return new TransferHandle() {
            @Override
            public CompletableFuture<TransferResult> result() {
                return t.result;
            }

            @Override
            public void cancel(String why) {
                PeerClient.this.cancel(t, why);
            }
        };
    }

    private synchronized void cancel(Transfer t, String why) {
        if (t.result.isDone() || t.cancelled) {
            return;
        }
        t.cancelled = true;
        if (t.striping != null) {
            t.striping.parts().forEach(part -> cancel(part, why)); // the whole ends when they have
            return;
        }
        SenderSession s = t.session;
        if (s != null) {
            s.loop().execute(() -> s.cancel(t, why));
        } else {
            queue.remove(t);
            t.result.completeExceptionally(new TransferException(Reason.CANCELLED, why, false));
        }
    }

    /** Persistent mode: opens a connection now if there is none, to learn whether the peer is back. */
    public synchronized void probe() {
        if (!closed && inFlight.isEmpty() && connecting == 0) {
            connect();
        }
    }

    private synchronized void enqueue(Transfer t) {
        if (t.result.isDone() || t.cancelled) {
            return;
        }
        if (closed || fatal != null) {
            t.result.completeExceptionally(closed ? new TransferException(Reason.CANCELLED, "client closed", false) : fatal);
            return;
        }
        queue.add(t);
        dispatch();
    }

    /**
     * Starts queued transfers in order while connections have free streams, each on the least busy connection;
     * splits a large file into parts when there are several connections, and starts each part on a connection
     * that carries no other part of the same file (a part that finds none waits for one, without holding up the
     * transfers behind it). Opens another connection, one at a time, while there is work and fewer than asked
     * for are open.
     */
    private void dispatch() {
        int free = 0;
        for (Map.Entry<SenderSession, Integer> e : inFlight.entrySet()) {
            free += Math.max(0, e.getKey().maxStreams() - e.getValue());
        }
        List<Transfer> waiting = new ArrayList<>();
        while (free > 0 && !queue.isEmpty()) {
            Transfer t = queue.poll();
            int parts = stripeable(t) ? Striping.partsFor(t.size, partsWanted()) : 1;
            if (parts > 1) {
                t.attempts++;
                t.startedNanos = System.nanoTime();
                List<Transfer> split = Striping.split(t, parts);
                for (int i = split.size() - 1; i >= 0; i--) {
                    queue.addFirst(split.get(i));
                }
                continue;
            }
            SenderSession s = leastBusy(t);
            if (s == null) {
                waiting.add(t);
                continue;
            }
            if (t.attempts++ == 0) {
                t.startedNanos = System.nanoTime();
            }
            inFlight.merge(s, 1, Integer::sum);
            free--;
            t.session = s;
            s.loop().execute(() -> s.start(t));
        }
        for (int i = waiting.size() - 1; i >= 0; i--) {
            queue.addFirst(waiting.get(i));
        }
        if (busy() && !reconnectScheduled && inFlight.size() + connecting < limit()) {
            connect();
        }
    }

    /**
     * A whole file worth sending in parts: several connections asked for, and a receiver that takes parts. Only a
     * FILE: a transcode's length is unknown, and a conversion's receiver converts what one stream brought.
     */
    private boolean stripeable(Transfer t) {
        return t.kind == Transfer.Kind.FILE && t.stripe == null && Striping.partsFor(t.size, partsWanted()) > 1
                && inFlight.keySet().stream().anyMatch(SenderSession::stripes);
    }

    /** Parts a large file is split into: one per connection asked for; with auto, more than start, to grow into. */
    private int partsWanted() {
        return tuner == null ? connections : ConnectionTuner.PARTS;
    }

    /** The connection with a free stream and the fewest streams for {@code t}; for a part, one without its siblings. */
    private SenderSession leastBusy(Transfer t) {
        SenderSession best = null;
        int bestUsed = Integer.MAX_VALUE;
        for (Map.Entry<SenderSession, Integer> e : inFlight.entrySet()) {
            int used = e.getValue();
            if (used >= e.getKey().maxStreams() || used >= bestUsed
                    || (t.whole != null && t.whole.striping.on(e.getKey()) > 0)) {
                continue;
            }
            best = e.getKey();
            bestUsed = used;
        }
        return best;
    }

    private void connect() {
        connecting++;
        bootstrap.connect(target.address().host(), target.address().port()).addListener(f -> {
            if (!f.isSuccess()) {
                connectFailed(f.cause().getMessage(), null);
            }
        });
    }

    private synchronized void connectFailed(String why, String hint) {
        connecting--;
        reconnectFailures++;
        if (!inFlight.isEmpty()) {
            // other connections work: this one is tried again later, and never fails the transfers
            scheduleDispatch(backoffMillis(reconnectFailures));
            LOG.debug("another connection to {} failed ({}); {} open", target.address(), why, inFlight.size());
            return;
        }
        if (listener != null) {
            String msg = "cannot reach receiver at " + target.address() + ": " + why + (hint == null ? "" : " " + hint);
            if (inFlight.isEmpty() && connecting == 0) {
                listener.offline(msg);
                Transfer t;
                while ((t = queue.poll()) != null) {
                    t.result.completeExceptionally(TransferException.connection(msg));
                }
            }
            return;
        }
        if (!everConnected || reconnectFailures > target.reconnects()) {
            String msg = "cannot reach receiver at " + target.address() + ": " + why
                    + (everConnected ? " (gave up after " + target.reconnects() + " reconnects)" : "")
                    + (hint == null ? "" : " " + hint);
            failEverything(new TransferException(Reason.IO_ERROR, msg, false));
            return;
        }
        long delay = backoffMillis(reconnectFailures);
        LOG.info("receiver at {} unreachable ({}); reconnecting in {} ms", target.address(), why, delay);
        scheduleDispatch(delay);
    }

    private void scheduleDispatch(long delayMillis) {
        reconnectScheduled = true;
        group.schedule(() -> {
            synchronized (PeerClient.this) {
                reconnectScheduled = false;
                dispatch();
            }
        }, delayMillis, TimeUnit.MILLISECONDS);
    }

    private void failEverything(TransferException e) {
        fatal = e;
        Transfer t;
        while ((t = queue.poll()) != null) {
            t.result.completeExceptionally(e);
        }
    }

    private void retryOrFail(Transfer t, TransferException e) {
        t.session = null;
        if (t.cancelled) {
            t.result.completeExceptionally(new TransferException(Reason.CANCELLED, e.getMessage(), false));
        } else if (closed || fatal != null) {
            t.result.completeExceptionally(fatal != null ? fatal : e);
        } else if (e.retryable() && t.attempts < target.maxAttempts()) {
            long delay = e.retryAfterMillis() > 0 ? e.retryAfterMillis() : backoffMillis(t.attempts);
            LOG.info("{}: {}; attempt {} of {} in {} ms", t.describe(), e.getMessage(), t.attempts + 1,
                    target.maxAttempts(), delay);
            group.schedule(() -> enqueue(t), delay, TimeUnit.MILLISECONDS);
        } else {
            t.result.completeExceptionally(e);
        }
    }

    /** 250 ms doubling per failure up to 30 s, times a jitter in [0.5, 1.5). */
    static long backoffMillis(int failures) {
        long base = Math.min(30_000L, 250L << Math.min(16, Math.max(0, failures - 1)));
        return (long) (base * (0.5 + ThreadLocalRandom.current().nextDouble()));
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            failEverything(new TransferException(Reason.CANCELLED, "client closed", false));
            for (SenderSession s : inFlight.keySet()) {
                s.close();
            }
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        disk.shutdown();
    }

    private final class SessionOwner implements SenderSession.Owner {

        @Override
        public String verifyPeer(NodeId seen) {
            if (target.expectedId() != null) {
                return seen.equals(target.expectedId()) ? null : "receiver at " + target.address()
                        + " presented node ID " + seen + ", expected " + target.expectedId();
            }
            if (target.knownPeers() == null) {
                return null;
            }
            String key = target.address().toString();
            try {
                Optional<NodeId> known = target.knownPeers().lookup(key);
                if (known.isEmpty()) {
                    target.knownPeers().remember(key, seen);
                    LOG.info("trusting receiver {} at {} on first use (remembered in known_peers)", seen, key);
                    return null;
                }
                return known.get().equals(seen) ? null : "receiver at " + key + " presented node ID " + seen
                        + " but known_peers has " + known.get() + " for it. If the receiver really got a new "
                        + "identity, remove its line from known_peers; otherwise someone may be in between.";
            } catch (IOException e) {
                return "cannot read or update known_peers: " + e.getMessage();
            }
        }

        @Override
        public void firstRtt(long nanos) {
            String advice = buffers.advice(true, nanos, limit());
            if (advice != null) {
                LOG.info("sending to {}: {}", target.address(), advice);
            }
        }

        @Override
        public void ready(SenderSession session) {
            synchronized (PeerClient.this) {
                connecting--;
                everConnected = true;
                reconnectFailures = 0;
                if (closed) {
                    session.close();
                    return;
                }
                if (listener != null && inFlight.isEmpty()) {
                    listener.online();
                }
                inFlight.put(session, 0);
                connectionsChanged();
                dispatch();
            }
        }

        @Override
        public void attemptDone(SenderSession session, Transfer t, TransferResult result, TransferException error) {
            synchronized (PeerClient.this) {
                inFlight.computeIfPresent(session, (k, v) -> Math.max(0, v - 1));
                if (error == null) {
                    t.result.complete(result);
                } else {
                    retryOrFail(t, error);
                }
                dispatch();
            }
        }

        @Override
        public void closed(SenderSession session, boolean wasReady, TransferException fatalError,
                List<Transfer> interrupted) {
            synchronized (PeerClient.this) {
                inFlight.remove(session);
                connectionsChanged();
                if (fatalError != null && listener != null) {
                    // a node keeps going: these transfers fail for good, later ones try afresh
                    if (!wasReady) {
                        connecting--;
                    }
                    interrupted.forEach(t -> t.result.completeExceptionally(fatalError));
                    Transfer t;
                    while ((t = queue.poll()) != null) {
                        t.result.completeExceptionally(fatalError);
                    }
                    if (inFlight.isEmpty()) {
                        listener.offline(fatalError.getMessage());
                    }
                    return;
                }
                if (fatalError != null) {
                    if (!wasReady) {
                        connecting--;
                    }
                    failEverything(fatalError);
                    interrupted.forEach(t -> t.result.completeExceptionally(fatalError));
                    return;
                }
                for (Transfer t : interrupted) {
                    retryOrFail(t, TransferException.connection("connection to " + target.address() + " lost"));
                }
                if (wasReady && listener != null && inFlight.isEmpty()) {
                    listener.offline("connection to " + target.address() + " lost");
                }
                if (!wasReady) {
                    connectFailed("connection closed during the handshake", target.plain()
                            ? "(does the receiver expect TLS? use --plain on both sides or on neither)" : null);
                } else {
                    dispatch();
                }
            }
        }
    }
}

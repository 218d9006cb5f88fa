package fff.receiver;

import fff.common.hash.ContentHasher;
import fff.common.transcode.Profile;
import fff.common.wire.Frames;
import fff.common.wire.OutboundFrame;
import fff.common.wire.WireLimits;
import fff.proto.Credit;
import fff.proto.Failed;
import fff.proto.Offer;
import fff.proto.Reason;
import fff.proto.ResultState;
import fff.proto.Verified;
import fff.receiver.convert.ConvertService;
import fff.receiver.convert.ResultKey;
import fff.receiver.convert.ResultStore;
import fff.receiver.convert.SpoolSink;
import fff.receiver.convert.StoredSink;
import fff.receiver.storage.StreamSink;
import fff.receiver.storage.Verdict;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The converting side of "convert and return" on one connection (see {@code Convert} in the protocol): after
 * the source is uploaded (as any file, by {@link ReceiverSession}), the conversion waits for and runs in the
 * {@link ConvertService} ({@code Result} QUEUED, CONVERTING), and its result goes back on the same stream:
 * {@code Result} READY, Data read from the store within the requester's credit, End, then the requester's
 * Verified or Failed.
 *
 * <p>Credit for the result: each stream starts with its offer's {@code return_window}, the connection with the
 * {@code return_window} of the first convert offer on it; Credit frames from the requester give back what it
 * consumed, so neither may grow above its start (that would be an overrun, a protocol error). Data goes out only
 * while both have credit and the channel is writable.
 *
 * <p>Threading: owned by the channel's event loop like its session. Reads and hashing of the result run on the
 * stream's disk chain; the convert service's news comes back through the loop.
 */
final class ReturnStreams {

    private static final Logger LOG = LoggerFactory.getLogger(ReturnStreams.class);
    /** Ended streams remembered, so a Credit already on its way for one is not taken for a protocol error. */
    private static final int RECENTLY_ENDED = 256;

    /** A convert stream's side of the return; loop-confined but for the chain fields. */
    static final class ReturnStream {
        enum Phase { UPLOAD, QUEUED, CONVERTING, SENDING, ENDED }

        final InboundStream in;
        final Profile profile;
        final ResultKey key;
        final long window;
        Phase phase = Phase.UPLOAD;
        ConvertService.Job job;
        /** Set on the chain (stored) or the loop (converted), read on both after that. */
        volatile ResultStore.Lease result;
        boolean fromStore;
        long credit;
        long next;
        boolean inLine;
        boolean gone;
        /** Chain only. */
        FileChannel file;
        final ContentHasher hasher = new ContentHasher();

        ReturnStream(InboundStream in, Profile profile, ResultKey key, long window) {
            this.in = in;
            this.profile = profile;
            this.key = key;
            this.window = window;
            this.credit = window;
        }

        long size() {
            return result.size();
        }
    }

    private final ChannelHandlerContext ctx;
    private final ConvertService service;
    private final Supplier<String> peer;
    private final Consumer<String> protocolError;
    /** The session forgets the stream and gives its ticket back (it calls {@link #forget} too). */
    private final Consumer<InboundStream> drop;
    private final Map<Long, ReturnStream> open = new HashMap<>();
    private final LinkedHashSet<Long> recentlyEnded = new LinkedHashSet<>();
    private final ArrayDeque<ReturnStream> sending = new ArrayDeque<>();
    /** The connection's return window: the first convert offer's return_window; 0 before one came. */
    private long connectionWindow;
    private long connectionCredit;

    ReturnStreams(ChannelHandlerContext ctx, ConvertService service, Supplier<String> peer,
            Consumer<String> protocolError, Consumer<InboundStream> drop) {
        this.ctx = ctx;
        this.service = service;
        this.peer = peer;
        this.protocolError = protocolError;
        this.drop = drop;
    }

    /** What is wrong with a convert offer's shape (a Reject PROTOCOL_ERROR), or null. No I/O. */
    static String misshapen(Offer offer) {
        if (!offer.hasTranscode() || !offer.getTranscode().getWireFormat().isEmpty()) {
            return "a convert offer needs a whole-file transcode (a profile, an empty wire format)";
        }
        if (offer.getEager() || offer.hasStripe() || offer.getDirectory() || offer.getRemove()
                || !offer.getRenameFrom().isEmpty()) {
            return "a convert offer is never eager, a stripe, a directory, a remove or a rename";
        }
        if (offer.getConvert().getSourceDigest().size() < ContentHasher.DIGEST_BYTES) {
            return "a convert offer names its source's digest";
        }
        if (offer.getConvert().getReturnWindow() < 1) {
            return "a convert offer grants a return window of at least 1 byte";
        }
        return null;
    }

    /** Whether this node converts for others at all. */
    boolean available() {
        return service != null;
    }

    /** A convert offer that passed the checks: its stream takes part in returns from now on. */
    void open(InboundStream s, Profile profile) {
        Offer offer = s.offer;
        ResultKey key = ResultKey.of(offer.getConvert().getSourceDigest().toByteArray(), profile,
                offer.getTranscode().getSource());
        ReturnStream r = new ReturnStream(s, profile, key, offer.getConvert().getReturnWindow());
        s.ret = r;
        open.put(s.id, r);
        if (connectionWindow == 0) {
            connectionWindow = r.window;
            connectionCredit = r.window;
        }
    }

    /**
     * Chain: where the source goes, after a look in the store. A stored result is leased and the source is not
     * taken again ({@link StoredSink}); otherwise it is spooled ({@link SpoolSink}).
     */
    StreamSink begin(ReturnStream r) {
        Offer offer = r.in.offer;
        ResultStore.Lease stored = service.store().lease(r.key);
        if (stored != null) {
            r.result = stored;
            return new StoredSink(offer.getSize(), offer.getConvert().getSourceDigest().toByteArray(), stored);
        }
        return new SpoolSink(service.spoolFile(), offer.getSize(), "'" + offer.getPath() + "' to convert");
    }

    /** The upload ended ({@code err} when its finish failed): convert it, or return the stored result. */
    void uploaded(InboundStream s, Verdict verdict, Throwable err) {
        ReturnStream r = s.ret;
        if (r.gone) {
            if (s.incoming instanceof SpoolSink spool && err == null && verdict.ok()) {
                // verified after the stream ended here (the connection went): nobody waits for a conversion
                onChain(r, () -> Files.deleteIfExists(spool.path()));
            }
            return;
        }
        if (err != null || !verdict.ok()) {
            String message = err != null ? "converter could not keep the source: " + err.getMessage()
                    : verdict.message();
            LOG.warn("source of '{}' from {} failed: {}", s.offer.getPath(), peer.get(), message);
            write(Frames.failed(s.id, err != null ? Reason.IO_ERROR : verdict.reason(), message, true));
            drop.accept(s);
            return;
        }
        if (r.result != null) {
            r.fromStore = true;
            ready(r);
            return;
        }
        SpoolSink spool = (SpoolSink) s.incoming;
        r.job = service.submit(r.key, r.profile, s.offer.getTranscode().getSource(), spool.path(), listener(r));
        if (r.job.waiting()) {
            r.phase = ReturnStream.Phase.QUEUED;
            write(Frames.result(s.id, ResultState.QUEUED, 0));
        } else if (r.phase == ReturnStream.Phase.UPLOAD) {
            r.phase = ReturnStream.Phase.QUEUED; // started: its CONVERTING is on its way through the loop
        }
    }

    private ConvertService.Listener listener(ReturnStream r) {
        return new ConvertService.Listener() {
            @Override
            public void started() {
                onLoop(() -> {
                    if (!r.gone && r.phase == ReturnStream.Phase.QUEUED) {
                        r.phase = ReturnStream.Phase.CONVERTING;
                        write(Frames.result(r.in.id, ResultState.CONVERTING, 0));
                    }
                }, () -> { });
            }

            @Override
            public void progress(double fraction) {
                onLoop(() -> {
                    if (!r.gone && r.phase == ReturnStream.Phase.CONVERTING) {
                        write(Frames.result(r.in.id, ResultState.CONVERTING, fraction));
                    }
                }, () -> { });
            }

            @Override
            public void done(ResultStore.Lease result) {
                onLoop(() -> {
                    if (r.gone) {
                        result.close(); // stored for a retry; nobody waits for it here
                        return;
                    }
                    r.result = result;
                    ready(r);
                }, result::close);
            }

            @Override
            public void failed(String message, boolean retryable) {
                onLoop(() -> {
                    if (r.gone) {
                        return;
                    }
                    LOG.warn("converting '{}' for {} failed: {}", r.in.offer.getPath(), peer.get(), message);
                    write(Frames.failed(r.in.id, Reason.TRANSCODE_FAILED, message, retryable));
                    drop.accept(r.in);
                }, () -> { });
            }
        };
    }

    /** The result is leased: READY, then its bytes within credit, then End. */
    private void ready(ReturnStream r) {
        r.phase = ReturnStream.Phase.SENDING;
        ResultStore.Lease result = r.result;
        String name = r.profile.outputPath(fileName(r.in.offer.getPath()));
        write(Frames.resultReady(r.in.id, name, result.size(), result.digest(), r.fromStore));
        if (result.size() == 0) {
            finishReads(r);
            return;
        }
        line(r);
        pump();
    }

    /** Sends what credit and writability allow; reads go on each stream's chain and come back in order. */
    void pump() {
        while (ctx.channel().isWritable() && connectionCredit > 0 && !sending.isEmpty()) {
            ReturnStream r = sending.poll();
            r.inLine = false;
            if (r.gone || r.phase != ReturnStream.Phase.SENDING || r.next >= r.size()) {
                continue;
            }
            int n = (int) Math.min(Math.min(WireLimits.MAX_PAYLOAD, r.credit),
                    Math.min(connectionCredit, r.size() - r.next));
            if (n <= 0) {
                continue; // parked until its credit comes back
            }
            r.credit -= n;
            connectionCredit -= n;
            long offset = r.next;
            r.next += n;
            read(r, offset, n);
            if (r.next == r.size()) {
                finishReads(r);
            } else if (r.credit > 0) {
                line(r);
            }
        }
    }

    private void line(ReturnStream r) {
        if (!r.inLine) {
            r.inLine = true;
            sending.add(r);
        }
    }

    private void read(ReturnStream r, long offset, int n) {
        r.in.chain.then(() -> readChunk(r, offset, n), (buf, err) -> {
            if (err != null || r.gone || !ctx.channel().isActive()) {
                ReferenceCountUtil.release(buf);
                connectionCredit += n; // never sent, so never given back
                if (err != null && !r.gone) {
                    fail(r, Reason.IO_ERROR, "converter could not read the result: " + err.getMessage());
                }
                return;
            }
            ctx.writeAndFlush(OutboundFrame.data(Frames.dataHeader(r.in.id, offset, n), buf), ctx.voidPromise());
        });
    }

    /** Chain: reads and hashes {@code n} bytes of the result at {@code offset}. */
    private ByteBuf readChunk(ReturnStream r, long offset, int n) throws IOException {
        if (r.gone) {
            return null;
        }
        if (r.file == null) {
            r.file = FileChannel.open(r.result.path(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        }
        ByteBuf buf = ctx.alloc().directBuffer(n);
        try {
            ByteBuffer nio = buf.nioBuffer(0, n);
            long pos = offset;
            while (nio.hasRemaining()) {
                int got = r.file.read(nio, pos);
                if (got < 0) {
                    throw new EOFException("the stored result ends before " + pos);
                }
                pos += got;
            }
            buf.writerIndex(n);
            r.hasher.update(buf.nioBuffer());
            return buf;
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw e;
        }
    }

    /** After the last read: End when what was read is what the store says it holds. */
    private void finishReads(ReturnStream r) {
        r.in.chain.then(r.hasher::digest, (digest, err) -> {
            if (r.gone || !ctx.channel().isActive()) {
                return;
            }
            if (err != null || !ContentHasher.same(digest, r.result.digest())) {
                LOG.warn("the stored {} result {} is damaged; removed", r.key, r.result.path());
                onChain(r, () -> service.store().remove(r.key));
                fail(r, Reason.IO_ERROR, "the converter's stored result was damaged; try again");
                return;
            }
            r.phase = ReturnStream.Phase.ENDED;
            write(Frames.end(r.in.id, r.size(), digest));
        });
    }

    /** A Credit from the requester: for a return stream, or the connection (stream 0). */
    void onCredit(Credit c) {
        long id = c.getStream();
        long bytes = c.getBytes();
        if (id == 0) {
            if (connectionWindow == 0) {
                protocolError.accept("Credit for the connection before any convert offer");
            } else if (bytes > connectionWindow - connectionCredit) {
                protocolError.accept("Credit of " + bytes + " bytes for the connection overruns its return window of "
                        + connectionWindow + " (" + connectionCredit + " unused)");
            } else {
                connectionCredit += bytes;
                pump();
            }
            return;
        }
        ReturnStream r = open.get(id);
        if (r == null) {
            if (!recentlyEnded.contains(id)) {
                protocolError.accept("Credit for stream " + id + ", which returns nothing");
            }
            return;
        }
        if (bytes > r.window - r.credit) {
            protocolError.accept("Credit of " + bytes + " bytes for stream " + id + " overruns its return window of "
                    + r.window + " (" + r.credit + " unused)");
            return;
        }
        r.credit += bytes;
        if (r.phase == ReturnStream.Phase.SENDING && r.credit > 0 && r.next < r.size()) {
            line(r);
        }
        pump();
    }

    void onVerified(Verified v) {
        ReturnStream r = open.get(v.getStream());
        if (r == null || r.phase != ReturnStream.Phase.ENDED) {
            protocolError.accept("Verified on stream " + v.getStream() + ", which has returned no result");
            return;
        }
        LOG.info("returned '{}' converted with {} to {}: {} bytes{}", r.in.offer.getPath(), r.profile.name(),
                peer.get(), r.size(), r.fromStore ? " (stored from an earlier request)" : "");
        drop.accept(r.in);
    }

    void onFailed(Failed f) {
        ReturnStream r = open.get(f.getStream());
        if (r == null) {
            return; // ended here meanwhile
        }
        LOG.warn("{} failed the return of '{}' ({}): {} {}", peer.get(), r.in.offer.getPath(), r.profile.name(),
                f.getReason(), f.getMessage());
        stopJob(r);
        drop.accept(r.in);
    }

    /** The requester cancelled: a waiting conversion never starts, a running one is stopped. */
    void cancelled(ReturnStream r) {
        stopJob(r);
        forget(r);
    }

    /** The connection is gone: a waiting conversion never starts, a running one may finish into the store. */
    void closed(ReturnStream r) {
        if (r.phase == ReturnStream.Phase.QUEUED && r.job != null && r.job.waiting()) {
            r.job.cancel();
        }
        forget(r);
    }

    private static void stopJob(ReturnStream r) {
        if (r.job != null && (r.phase == ReturnStream.Phase.QUEUED || r.phase == ReturnStream.Phase.CONVERTING)) {
            r.job.cancel();
        }
    }

    /** The stream is over: nothing more goes out for it; the result's file and lease are let go after its reads. */
    void forget(ReturnStream r) {
        if (r.gone) {
            return;
        }
        r.gone = true;
        open.remove(r.in.id);
        recentlyEnded.add(r.in.id);
        if (recentlyEnded.size() > RECENTLY_ENDED) {
            recentlyEnded.remove(recentlyEnded.iterator().next());
        }
        sending.remove(r);
        onChain(r, () -> {
            if (r.file != null) {
                r.file.close();
                r.file = null;
            }
            ResultStore.Lease lease = r.result;
            if (lease != null) {
                lease.close();
            }
        });
    }

    private void fail(ReturnStream r, Reason reason, String message) {
        LOG.warn("returning '{}' to {} failed: {}", r.in.offer.getPath(), peer.get(), message);
        write(Frames.failed(r.in.id, reason, message, true));
        drop.accept(r.in);
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void onChain(ReturnStream r, Step step) {
        r.in.chain.then(() -> {
            step.run();
            return null;
        }, (x, err) -> {
            if (err != null) {
                LOG.warn("cleaning up after a return failed: {}", err.toString());
            }
        });
    }

    /** Runs {@code task} on the loop; {@code otherwise} at once when the loop is gone (the node is stopping). */
    private void onLoop(Runnable task, Runnable otherwise) {
        try {
            ctx.executor().execute(task);
        } catch (RejectedExecutionException e) {
            otherwise.run();
        }
    }

    private void write(OutboundFrame f) {
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(f, ctx.voidPromise());
        }
    }

    private static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}

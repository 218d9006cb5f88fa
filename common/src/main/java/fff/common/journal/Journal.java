package fff.common.journal;

import com.google.protobuf.CodedOutputStream;
import fff.proto.journal.CheckpointBegin;
import fff.proto.journal.CheckpointEnd;
import fff.proto.journal.JobEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's crash-safe job journal: a Chronicle Queue in one directory, one serialized {@link JobEvent} per
 * entry, replayed at start and trimmed by checkpoints.
 *
 * <p>A checkpoint ({@link #checkpoint}) writes {@code CheckpointBegin}, the full state as records, limits and
 * rates, and {@code CheckpointEnd}; then the file {@code checkpoint} is replaced to name the begin's index, and whole
 * roll-cycle files that are both older than the retention and before that checkpoint are deleted (also
 * after a replay).
 * {@link #replay} starts at the last complete checkpoint (see {@link JournalReader}). A process killed at any
 * point leaves a journal that replays: entries live in a shared file mapping the kernel writes back, a torn
 * checkpoint is ignored, and the checkpoint file is only a hint.
 *
 * <p>Threading: one writer. {@link #append} and {@link #checkpoint} must be called from a single thread (the
 * job engine's; Chronicle's appender checks this), and {@link #replay}, if used, must finish before the first
 * append. {@link #eventsSinceCheckpoint}, {@link #bytesOnDisk} and {@link #dir} may be read from any thread.
 * Calls block on disk I/O: never call them on an event loop.
 */
public final class Journal implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Journal.class);

    /** Largest entry accepted; job events are a few hundred bytes. */
    static final int MAX_ENTRY_BYTES = 1 << 20;

    private final Path dir;
    private final JournalOptions options;
    private final SingleChronicleQueue queue;
    private final CycleFiles files;
    private final CheckpointFile checkpointFile;

    private ExcerptAppender appender;          // created by the writer thread on its first write
    private byte[] scratch = new byte[512];
    private Bytes<byte[]> scratchBytes = Bytes.wrapForRead(scratch);
    private boolean written;
    private long lastCheckpointIndex = -1;
    private volatile long eventsSinceCheckpoint;
    private boolean closed;

    private Journal(Path dir, JournalOptions options, SingleChronicleQueue queue, CycleFiles files) {
        this.dir = dir;
        this.options = options;
        this.queue = queue;
        this.files = files;
        this.checkpointFile = new CheckpointFile(dir);
    }

    /** Opens (creating the directory if needed) the journal in {@code dir}. */
    public static Journal open(Path dir, JournalOptions options) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create journal directory " + dir, e);
        }
        CycleFiles files = new CycleFiles(dir);
        SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(dir)
                .rollCycle(rollCycle(options.roll()))
                .timeProvider(options.clock()::millis)
                .storeFileListener(files)
                .build();
        files.bind(queue.rollCycle(), queue.epoch());
        return new Journal(dir, options, queue, files);
    }

    private static RollCycle rollCycle(JournalOptions.Roll roll) {
        return switch (roll) {
            case DAILY -> RollCycles.FAST_DAILY;
            case HOURLY -> RollCycles.FAST_HOURLY;
            case TEST_SECONDLY -> TestRollCycles.TEST_SECONDLY;
        };
    }

    /**
     * Appends one event. Checkpoint bodies ({@code checkpoint_begin}, {@code record}, {@code checkpoint_end})
     * are refused: they are written by {@link #checkpoint} only. Allocation-light: the event is serialized
     * into a reused buffer and copied into the mapped file.
     */
    private volatile long lastSyncMillis;

    public void append(JobEvent e) {
        switch (e.getBodyCase()) {
            case CHECKPOINT_BEGIN, RECORD, CHECKPOINT_END, BODY_NOT_SET -> throw new IllegalArgumentException(
                    "journal append takes job events, not " + e.getBodyCase());
            default -> { }
        }
        write(e);
        if (options.sync() == JournalOptions.Sync.EVERY_APPEND) {
            sync();
        }
        eventsSinceCheckpoint++;
    }

    /**
     * Writes a checkpoint: {@code CheckpointBegin(nextJobId)}, every element of {@code state} (each a
     * {@code record} — one per job worth keeping, queued jobs first in queue order — a {@code limit} or a
     * {@code rate}), and {@code CheckpointEnd(count)}; forces it to disk unless
     * {@link JournalOptions.Sync#NONE}; names it in the checkpoint file; then applies retention. {@code state} is
     * iterated twice (checked, then written).
     */
    public void checkpoint(long nextJobId, Iterable<JobEvent> state) {
        for (JobEvent r : state) {
            switch (r.getBodyCase()) {
                case RECORD, LIMIT, RATE -> { }
                default -> throw new IllegalArgumentException(
                        "a checkpoint holds records, limits and rates, not " + r.getBodyCase());
            }
        }
        long now = options.clock().millis();
        write(JobEvent.newBuilder().setAtMillis(now)
                .setCheckpointBegin(CheckpointBegin.newBuilder().setNextJobId(nextJobId)).build());
        long begin = appender.lastIndexAppended();
        long count = 0;
        for (JobEvent r : state) {
            write(r);
            count++;
        }
        write(JobEvent.newBuilder().setAtMillis(now)
                .setCheckpointEnd(CheckpointEnd.newBuilder().setRecords(count)).build());
        if (options.sync() != JournalOptions.Sync.NONE) {
            sync();
        }
        // only after the end is written (and synced): the file must never name a torn checkpoint
        checkpointFile.write(begin);
        lastCheckpointIndex = begin;
        eventsSinceCheckpoint = 0;
        applyRetention();
    }

    /**
     * Forces what was written so far to the disk: fsync of the queue files touched since the last call.
     * Chronicle's own {@code sync()} issues {@code msync(MS_ASYNC)}, which on Linux writes nothing back; an
     * fsync of the file does, mapped pages included. Safe from any thread; cheap when nothing changed.
     */
    public void sync() {
        long since = lastSyncMillis;
        lastSyncMillis = System.currentTimeMillis();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.{cq4,cq4t}")) {
            for (Path f : files) {
                if (Files.getLastModifiedTime(f).toMillis() >= since - 2_000) {
                    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                        ch.force(true);
                    }
                }
            }
        } catch (IOException e) {
            log.warn("could not force the journal in {} to disk: {}", dir, e.toString());
        }
    }

    /**
     * Feeds {@code consumer}, in order, the last complete checkpoint ({@code CheckpointBegin}, its records and
     * limits, {@code CheckpointEnd}) and every event after it; the whole journal when there is no checkpoint.
     * A later complete checkpoint may follow (when the checkpoint file lagged): a begin always means "the
     * state is now exactly the records that follow". Unreadable entries are logged, counted and skipped.
     *
     * @throws IllegalStateException after the first append
     */
    public ReplayStats replay(Consumer<JobEvent> consumer) {
        if (written) {
            throw new IllegalStateException("journal replay must come before the first append");
        }
        long t0 = System.nanoTime();
        JournalReader reader = new JournalReader(queue);
        JournalReader.Found start = reader.findStart(checkpointFile.read());
        ReplayStats stats = reader.feed(start, consumer, t0);
        eventsSinceCheckpoint = reader.sinceCheckpoint();
        lastCheckpointIndex = reader.lastCompleteBegin();
        if (lastCheckpointIndex >= 0 && checkpointFile.read().orElse(-1) != lastCheckpointIndex) {
            checkpointFile.write(lastCheckpointIndex); // repair a missing or lagging hint
        }
        applyRetention(); // a node that was down for long may hold files past retention
        log.debug("journal replayed {} events from {} in {} ms ({} skipped, {} of interrupted checkpoints)",
                stats.delivered(), stats.start(), stats.elapsed().toMillis(), stats.skipped(), stats.interrupted());
        return stats;
    }

    /** Events appended (or replayed) since the last complete checkpoint: when to write the next one. */
    public long eventsSinceCheckpoint() {
        return eventsSinceCheckpoint;
    }

    /** Apparent size of the journal's files (sparse roll-cycle files may occupy less). */
    public long bytesOnDisk() {
        return files.bytesOnDisk();
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (appender != null) {
            appender.close();
        }
        queue.close();
    }

    /** Test hook: appends any event, checkpoint bodies included, as a crash mid-checkpoint would leave them. */
    void appendRaw(JobEvent e) {
        write(e);
    }

    /** Test hook: Chronicle index of the last entry this journal appended. */
    long lastIndexAppended() {
        return appender.lastIndexAppended();
    }

    /** Test hook: appends bytes that need not be a message. */
    void appendBytes(byte[] raw) {
        ensureAppender();
        appender.writeBytes(Bytes.wrapForRead(raw));
    }

    private void write(JobEvent e) {
        int n = e.getSerializedSize();
        if (n > MAX_ENTRY_BYTES) {
            throw new IllegalArgumentException("journal entry of " + n + " bytes exceeds " + MAX_ENTRY_BYTES);
        }
        if (n > scratch.length) {
            scratch = new byte[Math.max(n, scratch.length * 2)];
            scratchBytes = Bytes.wrapForRead(scratch);
        }
        try {
            CodedOutputStream out = CodedOutputStream.newInstance(scratch, 0, n);
            e.writeTo(out);
            out.checkNoSpaceLeft();
        } catch (IOException ex) {
            throw new IllegalStateException("protobuf could not serialize a job event", ex);
        }
        ensureAppender();
        scratchBytes.readPositionRemaining(0, n);
        appender.writeBytes(scratchBytes);
    }

    private void ensureAppender() {
        if (closed) {
            throw new IllegalStateException("journal " + dir + " is closed");
        }
        if (appender == null) {
            appender = queue.createAppender();
        }
        written = true;
    }

    private void applyRetention() {
        if (lastCheckpointIndex < 0) {
            return;
        }
        // Chronicle releases rolled-over files and closed tailers' files on its background thread, and
        // retention skips a file not yet released; let those releases finish first
        BackgroundResourceReleaser.releasePendingResources();
        RollCycle rc = queue.rollCycle();
        int cutoff = retentionCutoff(options.clock().millis(), options.retention().toMillis(), queue.epoch(),
                rc.lengthInMillis(), rc.toCycle(lastCheckpointIndex));
        int deleted = files.deleteBelow(cutoff);
        if (deleted > 0) {
            queue.refreshDirectoryListing();
            log.info("journal retention deleted {} files before cycle {}", deleted, cutoff);
        }
    }

    /**
     * First cycle to keep: files of lower cycles end before {@code now - retention} (cycle {@code c} covers
     * {@code [epoch + c*length, epoch + (c+1)*length)}) and lie wholly before the checkpoint's cycle.
     */
    static int retentionCutoff(long nowMillis, long retentionMillis, long epoch, int lengthMillis,
                               int checkpointCycle) {
        long expiredBelow = Math.floorDiv(nowMillis - retentionMillis - epoch, (long) lengthMillis);
        return (int) Math.min(expiredBelow, checkpointCycle);
    }
}

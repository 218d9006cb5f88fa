package fff.common.journal;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import fff.common.journal.ReplayStats.Start;
import fff.proto.journal.JobEvent;
import fff.proto.journal.JobEvent.BodyCase;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read side of a {@link Journal}: finds where replay begins and feeds the events from there.
 *
 * <p>Replay begins at the last complete checkpoint: the index in the checkpoint file when the entries there
 * are a {@code CheckpointBegin}, records and a {@code CheckpointEnd}; otherwise a backward scan from the end
 * finds the last begin that is followed by its end; otherwise the first entry. From there every readable
 * event is delivered in order, except the entries of a checkpoint that was cut off (begin and records with no
 * end): those are held back until their end shows, and dropped when another event or the end of the journal
 * comes first. Single-threaded; one instance per replay.
 */
final class JournalReader {

    private static final Logger log = LoggerFactory.getLogger(JournalReader.class);

    /** Where replay begins; {@code index} is -1 for the first entry. */
    record Found(Start start, long index) { }

    private final ChronicleQueue queue;
    private byte[] buf = new byte[512];
    private int len;
    private long lastCompleteBegin = -1;
    private long sinceCheckpoint;

    JournalReader(ChronicleQueue queue) {
        this.queue = queue;
    }

    /** Index of the begin of the last complete checkpoint delivered, or -1. */
    long lastCompleteBegin() {
        return lastCompleteBegin;
    }

    /** Events delivered after the last complete checkpoint (or all, without one). */
    long sinceCheckpoint() {
        return sinceCheckpoint;
    }

    Found findStart(OptionalLong hint) {
        if (hint.isPresent()) {
            try (ExcerptTailer t = queue.createTailer()) {
                if (t.moveToIndex(hint.getAsLong()) && completeFromHere(t)) {
                    return new Found(Start.CHECKPOINT_FILE, hint.getAsLong());
                }
            }
            log.warn("journal checkpoint file names index {} which is not a complete checkpoint; scanning",
                    Long.toHexString(hint.getAsLong()));
        }
        try (ExcerptTailer t = queue.createTailer().direction(TailerDirection.BACKWARD).toEnd()) {
            boolean endFollows = false;
            for (long idx = next(t); idx >= 0; idx = next(t)) {
                int kind = kind();
                if (kind == BodyCase.CHECKPOINT_END.getNumber()) {
                    endFollows = true;
                } else if (kind == BodyCase.CHECKPOINT_BEGIN.getNumber()) {
                    if (endFollows) {
                        return new Found(Start.SCAN, idx);
                    }
                } else if (!inCheckpoint(kind) && kind >= 0) {
                    endFollows = false;
                }
            }
        }
        return new Found(Start.BEGINNING, -1);
    }

    ReplayStats feed(Found from, Consumer<JobEvent> consumer, long startNanos) {
        long delivered = 0;
        long skipped = 0;
        long interrupted = 0;
        long firstIndex = -1;
        List<JobEvent> held = null;     // a checkpoint not yet known to be complete
        long heldBegin = -1;
        boolean inTrusted = false;      // inside the starting checkpoint, already known complete
        try (ExcerptTailer t = queue.createTailer()) {
            if (from.index() >= 0 && !t.moveToIndex(from.index())) {
                throw new IllegalStateException("journal index " + Long.toHexString(from.index()) + " vanished");
            }
            for (long idx = next(t); idx >= 0; idx = next(t)) {
                if (firstIndex < 0) {
                    firstIndex = idx;
                }
                JobEvent e;
                try {
                    e = JobEvent.parseFrom(CodedInputStream.newInstance(buf, 0, len));
                } catch (InvalidProtocolBufferException ex) {
                    log.warn("journal entry {} is unreadable and skipped: {}", Long.toHexString(idx), ex.getMessage());
                    skipped++;
                    continue;
                } catch (IOException ex) {
                    throw new IllegalStateException(ex);
                }
                BodyCase body = e.getBodyCase();
                switch (body) {
                    case CHECKPOINT_BEGIN -> {
                        if (held != null) {
                            interrupted += held.size();
                        }
                        if (idx == from.index()) {
                            inTrusted = true;
                            held = null;
                            consumer.accept(e);
                            delivered++;
                        } else {
                            held = new ArrayList<>();
                            held.add(e);
                            heldBegin = idx;
                        }
                    }
                    case RECORD, LIMIT, RATE -> {
                        if (inTrusted) {
                            consumer.accept(e);
                            delivered++;
                        } else if (held != null) {
                            held.add(e);
                        } else if (body != BodyCase.RECORD) { // a run-time limit change, outside any checkpoint
                            consumer.accept(e);
                            delivered++;
                            sinceCheckpoint++;
                        } else {
                            log.warn("journal entry {} is a checkpoint {} outside a checkpoint; skipped",
                                    Long.toHexString(idx), body);
                            skipped++;
                        }
                    }
                    case CHECKPOINT_END -> {
                        if (inTrusted) {
                            inTrusted = false;
                            lastCompleteBegin = from.index();
                        } else if (held != null) {
                            held.forEach(consumer);
                            delivered += held.size();
                            held = null;
                            lastCompleteBegin = heldBegin;
                        } else {
                            log.warn("journal entry {} ends no checkpoint; skipped", Long.toHexString(idx));
                            skipped++;
                            continue;
                        }
                        consumer.accept(e);
                        delivered++;
                        sinceCheckpoint = 0;
                    }
                    case BODY_NOT_SET -> {
                        log.warn("journal entry {} has no body this version knows; skipped", Long.toHexString(idx));
                        skipped++;
                    }
                    default -> {
                        if (held != null) {
                            interrupted += held.size();
                            held = null;
                        }
                        inTrusted = false;
                        consumer.accept(e);
                        delivered++;
                        sinceCheckpoint++;
                    }
                }
            }
        }
        if (held != null) {
            interrupted += held.size();
        }
        return new ReplayStats(from.start(), firstIndex, delivered, skipped, interrupted,
                Duration.ofNanos(System.nanoTime() - startNanos));
    }

    /** Checks that the entry the tailer stands on begins a checkpoint whose end was written. */
    private boolean completeFromHere(ExcerptTailer t) {
        if (next(t) < 0 || kind() != BodyCase.CHECKPOINT_BEGIN.getNumber()) {
            return false;
        }
        for (long idx = next(t); idx >= 0; idx = next(t)) {
            int kind = kind();
            if (kind == BodyCase.CHECKPOINT_END.getNumber()) {
                return true;
            }
            if (!inCheckpoint(kind) && kind >= 0) {
                return false;
            }
        }
        return false;
    }

    /** Whether an entry of body field {@code kind} may stand between a checkpoint's begin and end. */
    private static boolean inCheckpoint(int kind) {
        return kind == BodyCase.RECORD.getNumber() || kind == BodyCase.LIMIT.getNumber()
                || kind == BodyCase.RATE.getNumber();
    }

    /** Copies the next entry into {@link #buf}; returns its index, or -1 at the end. */
    private long next(ExcerptTailer t) {
        try (DocumentContext dc = t.readingDocument()) {
            if (!dc.isPresent()) {
                return -1;
            }
            Bytes<?> bytes = dc.wire().bytes();
            int n = Math.toIntExact(bytes.readRemaining());
            if (n > buf.length) {
                buf = new byte[Math.max(n, buf.length * 2)];
            }
            bytes.read(buf, 0, n);
            len = n;
            return dc.index();
        }
    }

    /**
     * The body field number of the entry in {@link #buf} without parsing the body: protobuf writes fields in
     * number order, so the oneof's tag follows {@code job} and {@code at_millis}. 0 when there is no body, -1
     * when the bytes are not a message.
     */
    private int kind() {
        try {
            CodedInputStream in = CodedInputStream.newInstance(buf, 0, len);
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                int field = tag >>> 3;
                if (field >= BodyCase.CREATED.getNumber()) {
                    return field;
                }
                if (!in.skipField(tag)) {
                    return -1;
                }
            }
            return 0;
        } catch (IOException e) {
            return -1;
        }
    }
}

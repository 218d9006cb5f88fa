package fff.receiver;

import fff.common.flow.DiskChain;
import fff.proto.End;
import fff.proto.Offer;
import fff.receiver.storage.StreamSink;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * One file arriving on a connection. Fields are touched on the channel's event loop only, except
 * {@link #incoming} which the disk chain uses in order (set on the loop before any task that reads it runs).
 */
final class InboundStream {

    /** EAGER: an eager offer not yet admitted and opened; its data is held in {@link #held}. */
    enum State { OPENING, EAGER, ACCEPTED, STARTED, ENDING, FAILED }

    final long id;
    final Offer offer;
    State state = State.OPENING;
    volatile StreamSink incoming;
    /** Disk work for this stream, in order. */
    final DiskChain chain;
    long next;
    long resumeOffset;
    /** Credit granted to the sender and not yet used. */
    long credit;
    long received;
    /** The admission ticket, once admitted; released by the session when the stream ends. */
    Admission.Ticket ticket;
    /** EAGER: data that came before the file was open, in order; released or written by the session. */
    final List<ByteBuf> held = new ArrayList<>();
    /** EAGER: the End that came before the file was open, or null. */
    End heldEnd;
    /** A convert offer's return side ({@link ReturnStreams}), or null for any other stream. */
    ReturnStreams.ReturnStream ret;

    /** Releases the held data of an eager offer; returns its bytes (their connection credit is owed back). */
    int releaseHeld() {
        int bytes = 0;
        for (ByteBuf b : held) {
            bytes += b.readableBytes();
            b.release();
        }
        held.clear();
        return bytes;
    }

    /** Stops a transcode's ffmpeg at once (so its blocked chain gets on); harmless for plain files. Any thread. */
    void stopSink() {
        StreamSink sink = incoming;
        if (sink != null) {
            sink.stop();
        }
    }

    /** Where the stream's bytes start when nothing is resumed: 0, or a stripe's offset. */
    long firstOffset() {
        return offer.hasStripe() ? offer.getStripe().getOffset() : 0;
    }

    /** Where the stream's bytes end: the file's size, or a stripe's end. */
    long endOffset() {
        return offer.hasStripe() ? offer.getStripe().getOffset() + offer.getStripe().getLength() : offer.getSize();
    }

    InboundStream(long id, Offer offer, DiskChain chain) {
        this.id = id;
        this.offer = offer;
        this.chain = chain;
    }
}

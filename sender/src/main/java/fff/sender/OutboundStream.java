package fff.sender;

import fff.common.flow.DiskChain;
import fff.common.hash.ContentHasher;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;


/**
 * One attempt at sending one transfer on one connection. Loop-owned fields are touched on the channel's event
 * loop only; {@link #file}, {@link #hasher} and {@link #scratch} only by the stream's disk chain, in order.
 */
final class OutboundStream {

    enum State { OFFERED, PREPARING, SENDING, ENDING, DONE }

    final long id;
    final Transfer transfer;
    State state = State.OFFERED;
    /** Disk work for this stream, in order. */
    final DiskChain chain;
    long credit;
    long nextRead;
    long startOffset;
    long persisted;

    /** TRANSCODE: the sending ffmpeg, once the receiver accepted; set by the disk chain. */
    volatile TranscodeSource transcode;
    /** TRANSCODE: a read from ffmpeg's pipe is under way (they go one at a time, in order). */
    boolean reading;
    /** TRANSCODE: ffmpeg's output has ended; {@link #nextRead} is now the stream's length. */
    boolean eof;

    /** CONVERT returned: where the result arrives, once announced; set on the loop, used by the chain. */
    volatile ReturnSink result;
    /** CONVERT returned: the whole source's digest, computed before the offer; set on the loop. */
    volatile byte[] sourceDigest;
    /** End's digest when known without reading (a result from the converter's store); else the hasher's. */
    volatile byte[] endDigest;
    /** CONVERT returned: the converter announced the result (READY); loop-owned. */
    boolean resultReady;
    /** CONVERT returned: the result's next expected offset and the credit granted for it not yet used. */
    long resultNext;
    long resultCredit;

    FileChannel file;
    final ContentHasher hasher = new ContentHasher();
    ByteBuffer scratch;

    OutboundStream(long id, Transfer transfer, DiskChain chain) {
        this.id = id;
        this.transfer = transfer;
        this.chain = chain;
    }

    /**
     * Where the stream's bytes end: the file's size (a part's end), or for a transcode unbounded until ffmpeg's
     * output ended.
     */
    long size() {
        if (transfer.kind != Transfer.Kind.TRANSCODE) {
            return transfer.stripe != null ? transfer.stripe.end() : transfer.size;
        }
        return eof ? nextRead : Long.MAX_VALUE;
    }

    /** Bytes the stream carries in all: {@link #size()}, less a part's offset. */
    long length() {
        return size() - transfer.firstOffset();
    }
}

package fff.common.transcode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded byte pipe between two threads: the writer blocks while it is full, the reader while it is empty.
 * This is where back-pressure between ffmpeg and the network lives: a slow reader stops the writer, and with
 * it ffmpeg on its pipe. {@link #close()} ends the stream (the reader sees end of data once it drained it);
 * {@link #fail} ends it with an error for both sides at once, whatever is still buffered.
 */
public final class BytePipe {

    private final byte[] ring;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private int head; // next byte to read
    private int count;
    private boolean closed;
    private IOException failure;
    private long written;

    public BytePipe(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.ring = new byte[capacity];
    }

    /** Writes all of {@code src}, blocking while the pipe is full. */
    public void write(ByteBuffer src) throws IOException {
        put(src, -1);
    }

    /**
     * Writes what fits of {@code src} within {@code timeout}; true when all of it was written (the buffer's
     * position shows how far it got otherwise).
     */
    public boolean write(ByteBuffer src, long timeout, TimeUnit unit) throws IOException {
        return put(src, Math.max(0, unit.toNanos(timeout)));
    }

    /** Copies {@code src} into the ring as room appears; {@code timeoutNanos} < 0: without limit. */
    private boolean put(ByteBuffer src, long timeoutNanos) throws IOException {
        long deadline = System.nanoTime() + timeoutNanos;
        lock.lock();
        try {
            while (src.hasRemaining()) {
                while (count == ring.length && failure == null && !closed) {
                    if (timeoutNanos < 0) {
                        awaitUninterruptibly(notFull);
                        continue;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    try {
                        notFull.awaitNanos(left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt(); // kept for the caller; fail() stops a writer
                    }
                }
                checkWritable();
                int tail = (head + count) % ring.length;
                int n = Math.min(src.remaining(), Math.min(ring.length - count, ring.length - tail));
                src.get(ring, tail, n);
                count += n;
                written += n;
                notEmpty.signalAll();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads up to {@code dst.remaining()} bytes, blocking until at least one is there; -1 once the pipe is
     * closed and drained.
     */
    public int read(ByteBuffer dst) throws IOException {
        lock.lock();
        try {
            while (count == 0 && failure == null && !closed) {
                awaitUninterruptibly(notEmpty);
            }
            if (failure != null) {
                throw new IOException(failure.getMessage(), failure);
            }
            if (count == 0) {
                return -1;
            }
            int total = 0;
            while (count > 0 && dst.hasRemaining()) {
                int n = Math.min(dst.remaining(), Math.min(count, ring.length - head));
                dst.put(ring, head, n);
                head = (head + n) % ring.length;
                count -= n;
                total += n;
            }
            notFull.signalAll();
            return total;
        } finally {
            lock.unlock();
        }
    }

    /** No more bytes will be written; the reader sees the end once it has read what is buffered. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Ends the pipe with {@code why}: blocked and later reads and writes throw it. The first failure wins. */
    public void fail(IOException why) {
        lock.lock();
        try {
            if (failure == null) {
                failure = why;
            }
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Bytes written so far. */
    public long written() {
        lock.lock();
        try {
            return written;
        } finally {
            lock.unlock();
        }
    }

    private void checkWritable() throws IOException {
        if (failure != null) {
            throw new IOException(failure.getMessage(), failure);
        }
        if (closed) {
            throw new IOException("pipe closed");
        }
    }

    /**
     * Waits; an interrupt does not end the wait (jaffree interrupts its helper threads when it stops waiting for
     * them, which must not cut a stream short): {@link #fail} is the way to stop a blocked side. The interrupt
     * status is kept for the caller.
     */
    private static void awaitUninterruptibly(Condition c) {
        c.awaitUninterruptibly();
    }

    /** The reading end as a stream (for ffmpeg's input pump). */
    public InputStream inputStream() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return len == 0 ? 0 : BytePipe.this.read(ByteBuffer.wrap(b, off, len));
            }
        };
    }
}

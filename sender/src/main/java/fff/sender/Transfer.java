package fff.sender;

import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * One thing to deliver, across attempts: a file, a directory entry, or a mirrored remove or rename of a file
 * the receiver already holds. Attempt bookkeeping is guarded by the owning {@link PeerClient}; byte counters
 * are updated from network threads.
 */
final class Transfer {

    /**
     * What the offer asks for. Only FILE, TRANSCODE and CONVERT streams carry data; the others are answered by
     * Verified or Reject. A TRANSCODE stream (split profile) carries the sending ffmpeg's output, its length known
     * only at the end. A CONVERT stream (whole-file profile run by the receiver) carries the source file as a FILE
     * does, but is offered with the profile, never resumed, never striped and never eager.
     */
    enum Kind { FILE, DIRECTORY, REMOVE, RENAME, TRANSCODE, CONVERT }

    final Kind kind;
    /** The local file or directory; null for REMOVE and RENAME. */
    final Path source;
    final String remotePath;
    /** RENAME: the receiver's current path of the file, moved to {@link #remotePath}; else null. */
    final String renameFrom;
    final long size;
    final long mtimeMillis;
    final TransferListener listener;
    /** TRANSCODE and CONVERT: profile, ffmpeg and the probed source; else null. */
    final TranscodeRequest transcode;
    final CompletableFuture<TransferResult> result = new CompletableFuture<>();
    /** When the first attempt started; set by the client, read by the session. */
    volatile long startedNanos;
    int attempts;
    /** Where the current attempt runs, or null; guarded by the client. */
    SenderSession session;
    boolean cancelled;
    volatile long bytesSent;
    /** A FILE sent as one part of a striped file: bytes [offset, offset + length) of it; else null. */
    final Stripe stripe;
    /** A part: the file it is part of; else null. */
    final Transfer whole;
    /** A FILE split into parts: their bookkeeping, once split (guarded by the client); else null. */
    Striping striping;
    /** CONVERT returned to this node: where the result goes; null when the receiver stores it. */
    final Path returnTo;
    /** CONVERT returned: the request's ID, the same on every attempt (for the converter's logs); else null. */
    final String requestId;
    /** CONVERT returned: the converter answered from its store (set on the loop before the result completes). */
    volatile boolean fromStore;
    /** A part: the receiver said this part completed the file (set on the loop before the result completes). */
    volatile boolean fileComplete;

    /** Bytes {@code [offset, offset + length)} of a striped file. */
    record Stripe(long offset, long length) {
        long end() {
            return offset + length;
        }
    }

    /** A file, or a directory entry when {@code directory}. */
    Transfer(Path source, String remotePath, boolean directory, long size, long mtimeMillis,
            TransferListener listener) {
        this(directory ? Kind.DIRECTORY : Kind.FILE, source, remotePath, null, size, mtimeMillis, listener);
    }

    private Transfer(Kind kind, Path source, String remotePath, String renameFrom, long size, long mtimeMillis,
            TransferListener listener) {
        this(kind, source, remotePath, renameFrom, size, mtimeMillis, listener, null, null, null);
    }

    private Transfer(Kind kind, Path source, String remotePath, String renameFrom, long size, long mtimeMillis,
            TransferListener listener, TranscodeRequest transcode, Transfer whole, Stripe stripe) {
        this(kind, source, remotePath, renameFrom, size, mtimeMillis, listener, transcode, whole, stripe, null);
    }

    private Transfer(Kind kind, Path source, String remotePath, String renameFrom, long size, long mtimeMillis,
            TransferListener listener, TranscodeRequest transcode, Transfer whole, Stripe stripe, Path returnTo) {
        this.returnTo = returnTo;
        this.requestId = returnTo == null ? null : UUID.randomUUID().toString();
        this.transcode = transcode;
        this.whole = whole;
        this.stripe = stripe;
        this.kind = kind;
        this.source = source;
        this.remotePath = remotePath;
        this.renameFrom = renameFrom;
        this.size = size;
        this.mtimeMillis = mtimeMillis;
        this.listener = listener;
    }

    static Transfer remove(String remotePath) {
        return new Transfer(Kind.REMOVE, null, remotePath, null, 0, 0, TransferListener.NONE);
    }

    static Transfer rename(String fromRemotePath, String toRemotePath) {
        return new Transfer(Kind.RENAME, null, toRemotePath, fromRemotePath, 0, 0, TransferListener.NONE);
    }

    /** The file {@code source} (of {@code size} bytes) transcoded on the way; stored at {@code remotePath}. */
    static Transfer transcode(Path source, String remotePath, long size, long mtimeMillis, TranscodeRequest request,
            TransferListener listener) {
        return new Transfer(Kind.TRANSCODE, source, remotePath, null, size, mtimeMillis, listener, request, null, null);
    }

    /**
     * The file {@code source} (of {@code size} bytes) sent as it is and converted by the receiver with the
     * request's whole-file profile; the result is stored at {@code remotePath}.
     */
    static Transfer convert(Path source, String remotePath, long size, long mtimeMillis, TranscodeRequest request,
            TransferListener listener) {
        return new Transfer(Kind.CONVERT, source, remotePath, null, size, mtimeMillis, listener, request, null, null);
    }

    /**
     * The file {@code source} (of {@code size} bytes) sent to the receiver, converted there with the request's
     * whole-file profile and returned on the same stream into {@code returnTo} here; {@code name} is the source's
     * name for the receiver's messages (nothing is stored there).
     */
    static Transfer convertAndReturn(Path source, String name, long size, long mtimeMillis, TranscodeRequest request,
            Path returnTo, TransferListener listener) {
        return new Transfer(Kind.CONVERT, source, name, null, size, mtimeMillis, listener, request, null, null,
                returnTo);
    }

    /** Part {@code stripe} of {@code whole} (a FILE), reporting its progress to {@code listener}. */
    static Transfer part(Transfer whole, Stripe stripe, TransferListener listener) {
        return new Transfer(Kind.FILE, whole.source, whole.remotePath, null, whole.size, whole.mtimeMillis, listener,
                null, whole, stripe);
    }

    /** Where this transfer's bytes start when nothing is resumed: 0, or a part's offset. */
    long firstOffset() {
        return stripe == null ? 0 : stripe.offset();
    }

    /** The stream carries the source file's bytes (FILE, CONVERT): progress is bytes persisted by the receiver. */
    boolean carriesFile() {
        return kind == Kind.FILE || kind == Kind.CONVERT;
    }

    /** A mirror edit: needs the receiver's "mirror" capability. */
    boolean mirrorEdit() {
        return kind == Kind.REMOVE || kind == Kind.RENAME;
    }

    /** For log lines and messages. */
    String describe() {
        return switch (kind) {
            case FILE, DIRECTORY -> "'" + remotePath + "'" + (stripe == null ? "" : " (bytes " + stripe.offset()
                    + "-" + stripe.end() + ")");
            case TRANSCODE -> "'" + remotePath + "' (profile " + transcode.profile().name() + ")";
            case CONVERT -> "'" + remotePath + "' (profile " + transcode.profile().name() + ", converted by the receiver"
                    + (returnTo == null ? ")" : " and returned)");
            case REMOVE -> "remove of '" + remotePath + "'";
            case RENAME -> "rename of '" + renameFrom + "' to '" + remotePath + "'";
        };
    }
}

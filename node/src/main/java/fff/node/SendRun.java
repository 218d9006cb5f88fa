package fff.node;

import fff.common.transcode.FfmpegTools;
import fff.common.transcode.MediaException;
import fff.common.transcode.Profile;
import fff.proto.Reason;
import fff.sender.PeerClient;
import fff.sender.TranscodeRequest;
import fff.sender.TransferException;
import fff.sender.TransferListener;
import fff.sender.TransferResult;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Runs a {@link SendPlan} through a {@link PeerClient} and reports: a progress bar with rate and ETA on a
 * terminal, one summary line per file otherwise, failures on stderr. Returns the exit status.
 *
 * <p>With a whole-file profile each file is checked against the profile's limits here before it is queued; a
 * file the profile (here or at the receiver) refuses is one failed item, told as {@code fff: FILE: CODE: MESSAGE}
 * (e.g. {@code fff: clip.mov: TOO_LARGE: clip.mov is 25.3 GiB, above h265-mkv's max-size 20 GiB}), and sends
 * nothing.
 */
final class SendRun {

    private final PeerClient client;
    private final SendPlan plan;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;
    private final boolean fileLines;
    private final Transcode transcode;

    /**
     * Files go through {@code profile}: a split one with this node's ffmpeg on the way, a whole-file one converted
     * by the receiver (this node's ffprobe checks the profile's limits first).
     */
    record Transcode(FfmpegTools tools, Profile profile) {
        Transcode {
            if (profile.placement() == Profile.Placement.SENDER) {
                throw new IllegalArgumentException("profile " + profile.name() + " runs on the sender, which fff "
                        + "send does not do");
            }
        }
    }

    /** Reasons told as a refusal of the file by its profile ({@code fff: FILE: CODE: MESSAGE}), not as FAILED. */
    private static final Set<Reason> REFUSALS = EnumSet.of(Reason.TOO_LARGE, Reason.TOO_LONG, Reason.BAD_SOURCE,
            Reason.UNSUPPORTED_PROFILE, Reason.DISK_FULL);

    /** {@code fileLines}: without a terminal, print one line per verified file (else the summary only). */
    SendRun(PeerClient client, SendPlan plan, PrintStream out, PrintStream err, boolean terminal, boolean fileLines) {
        this(client, plan, out, err, terminal, fileLines, null);
    }

    /** As above; with {@code transcode} (or null) every file is transcoded on the way. */
    SendRun(PeerClient client, SendPlan plan, PrintStream out, PrintStream err, boolean terminal, boolean fileLines,
            Transcode transcode) {
        this.transcode = transcode;
        this.client = client;
        this.plan = plan;
        this.out = out;
        this.err = err;
        this.terminal = terminal;
        this.fileLines = fileLines;
    }

    int run() throws IOException {
        long started = System.nanoTime();
        AtomicLong persisted = new AtomicLong();
        ProgressBar bar = terminal ? new ProgressBarBuilder().setTaskName("send").setInitialMax(plan.totalBytes())
                .setUnit("MB", 1_000_000).showSpeed().setStyle(ProgressBarStyle.ASCII).build() : null;
        List<CompletableFuture<TransferResult>> futures = new ArrayList<>();
        for (SendPlan.Item item : plan.items()) {
            long[] last = {0};
            TransferListener progress = (done, size) -> {
                long delta;
                synchronized (last) {
                    delta = done - last[0];
                    last[0] = done;
                }
                long total = persisted.addAndGet(delta);
                if (bar != null) {
                    bar.stepTo(total);
                }
            };
            if (transcode == null || item.directory()) {
                futures.add(client.send(item.source(), item.remotePath(), progress));
                continue;
            }
            Profile profile = transcode.profile();
            String stored = profile.outputPath(item.remotePath());
            try {
                if (profile.isWholeFile()) {
                    TranscodeRequest request = TranscodeRequest.admit(transcode.tools(), profile, item.source());
                    futures.add(client.submitConvert(item.source(), stored, request, progress).result());
                } else {
                    TranscodeRequest request = TranscodeRequest.probe(transcode.tools(), profile, item.source());
                    futures.add(client.submitTranscode(item.source(), stored, request, progress).result());
                }
            } catch (MediaException | TransferException | IOException e) {
                futures.add(CompletableFuture.failedFuture(e)); // reported with the others below
            }
        }
        int failed = 0;
        long sent = 0;
        long files = 0;
        long verifiedBytes = 0;
        for (int i = 0; i < futures.size(); i++) {
            SendPlan.Item item = plan.items().get(i);
            try {
                TransferResult r = futures.get(i).join();
                sent += r.bytesSent();
                if (!item.directory()) {
                    files++;
                    verifiedBytes += r.size();
                }
                if (bar == null && fileLines && !item.directory()) {
                    out.println(line(r));
                }
            } catch (CompletionException e) {
                failed++;
                err.println(failure(item.remotePath(), e, transcode != null));
            }
        }
        if (bar != null) {
            bar.close();
        }
        double secs = (System.nanoTime() - started) / 1e9;
        String summary = String.format("%d of %d file(s), %s verified in %.2f s (%s); %s sent over the link",
                files, plan.fileCount(), Sizes.human(verifiedBytes), secs, Sizes.rate(verifiedBytes, secs),
                Sizes.human(sent));
        if (failed == 0) {
            out.println(summary);
            return 0;
        }
        err.println("fff: " + failed + " item(s) failed; " + summary);
        return 1;
    }

    /**
     * The line for an item that failed: a profile's refusal as {@code fff: NAME: CODE: MESSAGE} (when
     * {@code profile}), anything else as {@code fff: FAILED NAME: MESSAGE}.
     */
    static String failure(String name, Throwable e, boolean profile) {
        Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (profile && c instanceof TransferException te && REFUSALS.contains(te.reason())) {
            return "fff: " + name + ": " + te.reason().name() + ": " + c.getMessage();
        }
        return "fff: FAILED " + name + ": " + c.getMessage();
    }

    static String line(TransferResult r) {
        String how = r.alreadyPresent() ? "already present"
                : r.resumedFrom() > 0 ? "resumed at " + r.resumedFrom() : "sent";
        double secs = r.elapsed().toNanos() / 1e9;
        return String.format("verified %s %d bytes, %s, %d bytes over the link, %d attempt(s), %s",
                r.remotePath(), r.size(), how, r.bytesSent(), r.attempts(), Sizes.rate(r.size(), secs));
    }
}

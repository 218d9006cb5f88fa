package fff.node;

import fff.common.transcode.FfmpegTools;
import fff.common.transcode.MediaException;
import fff.common.transcode.Profile;
import fff.common.transcode.Profiles;
import fff.sender.PeerClient;
import fff.sender.TranscodeRequest;
import fff.sender.TransferException;
import fff.sender.TransferHandle;
import fff.sender.TransferListener;
import fff.sender.TransferResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "convert", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Have another node convert files and bring the results back: each FILE goes to the node at "
                + "--via, is converted there with --profile under that node's own limits, and the result comes "
                + "back over the connection this command opened (no open port needed here) into --out, beside the "
                + "source by default, under a temporary name until it is verified.",
                "A file the converting node converted before with the same profile is answered from its store "
                + "without sending the source again. Exit status 0 only when every result arrived."})
final class ConvertCommand implements Callable<Integer> {

    @Option(names = "--via", required = true, paramLabel = "HOST:PORT", description = "The converting node")
    String via;

    @Option(names = "--profile", required = true, paramLabel = "NAME",
            description = "A whole-file profile the converting node knows: h265-mkv, h264-mkv, webp (built-in)")
    String profile;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the results go (default: beside each source)")
    Path out;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Files to convert")
    List<Path> files;

    @Mixin
    LinkOptions link;

    @Mixin
    HomeOption home;

    @Override
    public Integer call() throws Exception {
        Profile p = Profiles.builtIns().get(profile).orElse(null);
        if (p == null || !p.isWholeFile() || p.placement() != Profile.Placement.RECEIVER) {
            System.err.println("fff: --profile: '" + profile + "' is not a profile another node converts whole "
                    + "(built-in: h265-mkv, h264-mkv, webp)");
            return 2;
        }
        FfmpegTools tools;
        try {
            tools = FfmpegTools.find(null);
        } catch (MediaException e) {
            System.err.println("fff: convert needs ffprobe here to check the files first: " + e.getMessage());
            return 2;
        }
        try (PeerClient client = link.open(via, home, System.err)) {
            if (client == null) {
                return 2;
            }
            return run(client, tools, p, files, out, System.out, System.err);
        }
    }

    /** Converts {@code files} through {@code client}; returns the exit status. */
    static int run(PeerClient client, FfmpegTools tools, Profile profile, List<Path> files, Path out,
            PrintStream stdout, PrintStream err) {
        long started = System.nanoTime();
        List<CompletableFuture<TransferResult>> results = new ArrayList<>();
        List<TransferHandle> handles = new ArrayList<>();
        // Ctrl-C or SIGTERM cancels: the converting node stops its ffmpeg and removes what it wrote for us
        Thread cancel = new Thread(() -> cancelAll(handles, client), "fff-convert-cancel");
        Runtime.getRuntime().addShutdownHook(cancel);
        for (Path f : files) {
            Path source = f.toAbsolutePath().normalize();
            Path target = (out != null ? out.toAbsolutePath().normalize() : source.getParent())
                    .resolve(profile.outputPath(source.getFileName().toString()));
            try {
                if (!Files.isRegularFile(source)) {
                    throw new IOException(f + " is not a regular file");
                }
                if (target.equals(source)) {
                    throw new IOException("the result would replace " + f + "; give --out");
                }
                TranscodeRequest request = TranscodeRequest.admit(tools, profile, source);
                TransferHandle h = client.submitConvertAndReturn(source, request, target, new Progress(f, err));
                synchronized (handles) {
                    handles.add(h);
                }
                results.add(h.result());
            } catch (TransferException | IOException | RuntimeException e) {
                results.add(CompletableFuture.failedFuture(e));
            }
        }
        int failed = 0;
        long sent = 0;
        for (int i = 0; i < results.size(); i++) {
            try {
                TransferResult r = results.get(i).join();
                sent += r.bytesSent();
                stdout.printf("returned %s %d bytes, %s, %d source bytes over the link, %d attempt(s), %.2f s%n",
                        r.remotePath(), r.size(), r.alreadyPresent() ? "from the converter's store" : "converted",
                        r.bytesSent(), r.attempts(), r.elapsed().toNanos() / 1e9);
            } catch (CompletionException e) {
                failed++;
                err.println(SendRun.failure(files.get(i).toString(), e, true));
            }
        }
        Runtime.getRuntime().removeShutdownHook(cancel);
        String summary = String.format("%d of %d result(s) returned in %.2f s; %s of sources sent over the link",
                files.size() - failed, files.size(), (System.nanoTime() - started) / 1e9, Sizes.human(sent));
        if (failed == 0) {
            stdout.println(summary);
            return 0;
        }
        err.println("fff: " + failed + " file(s) failed; " + summary);
        return 1;
    }

    /** Cancels what is still under way and closes the connections, so the Cancel frames reach the converter. */
    private static void cancelAll(List<TransferHandle> handles, PeerClient client) {
        List<TransferHandle> all;
        synchronized (handles) {
            all = List.copyOf(handles);
        }
        for (TransferHandle h : all) {
            if (!h.result().isDone()) {
                h.cancel("fff convert was interrupted");
            }
        }
        try {
            CompletableFuture.allOf(all.stream().map(TransferHandle::result).toArray(CompletableFuture[]::new))
                    .get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            // cancelled or failed results are what we expect here; a hung one must not hold the exit
        }
        client.close();
    }

    /** One line on stderr whenever a file's conversion changes state, or its progress passes another 10 %. */
    private static final class Progress implements TransferListener {
        private final Path file;
        private final PrintStream err;
        private String lastState = "";
        private int lastTenth = -1;

        Progress(Path file, PrintStream err) {
            this.file = file;
            this.err = err;
        }

        @Override
        public void progress(long persisted, long size) {
        }

        @Override
        public synchronized void conversion(String state, double progress) {
            int tenth = (int) Math.floor(progress * 10);
            if (state.equals(lastState) && (!state.equals("converting") || tenth <= lastTenth)) {
                return;
            }
            lastState = state;
            lastTenth = tenth;
            err.println(file + ": " + state + (state.equals("converting") ? " " + tenth * 10 + " %" : ""));
        }
    }
}

package fff.node;

import fff.common.identity.KnownPeers;
import fff.common.identity.NodeId;
import fff.common.identity.NodeIdentity;
import fff.common.rate.Rate;
import fff.common.rate.RateLimiter;
import fff.common.rate.RateSchedule;
import fff.common.transcode.FfmpegTools;
import fff.common.transcode.MediaException;
import fff.common.transcode.Profile;
import fff.common.transcode.Profiles;
import fff.common.wire.Congestion;
import fff.common.wire.HostPort;
import fff.sender.PeerClient;
import fff.sender.PeerTarget;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "send", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Send files and directory trees to a receiver, like scp: a progress bar on a terminal, "
                + "one line per file otherwise. Exit status 0 only when every file was verified by the receiver.",
                "Without --peer-id the receiver's ID is trusted on first use and remembered in known_peers; "
                + "a changed ID is refused afterwards."})
final class SendCommand implements Callable<Integer> {

    @Option(names = "--to", required = true, paramLabel = "HOST:PORT", description = "Receiver address")
    String to;

    @Option(names = "--peer-id", paramLabel = "ID", description = "The receiver's node ID (pins it)")
    String peerId;

    @Option(names = "--plain", description = "Plain TCP instead of mutual TLS 1.3 (the receiver must agree)")
    boolean plain;

    @Option(names = "--dir", paramLabel = "REMOTE_SUBDIR", description = "Subdirectory under the receiver's root")
    String remoteDir;

    @Option(names = "--connections", paramLabel = "N|auto", defaultValue = "auto",
            description = "TCP connections to use, or auto: start with two and add one while throughput grows "
                    + "(default: ${DEFAULT-VALUE})")
    String connections;

    @Option(names = "--congestion", paramLabel = "NAME",
            description = "TCP congestion control of the connections: bbr, cubic, another the kernel has, or system "
                    + "(default: bbr where the kernel has it)")
    String congestion;

    @Option(names = "--attempts", paramLabel = "N", defaultValue = "10",
            description = "Attempts per file before giving up (default: ${DEFAULT-VALUE})")
    int attempts;

    @Option(names = "--profile", paramLabel = "NAME",
            description = "Convert each file with a built-in profile: imx30 or proxy transcode on the way (ffmpeg "
                    + "here and at the receiver); h265-mkv, h264-mkv or webp are converted whole by the receiver "
                    + "(ffprobe here first checks the profile's limits: a file it refuses is not sent). The stored "
                    + "name takes the profile's extension. Not resumed.")
    String profile;

    @Option(names = "--rate", paramLabel = "RATE",
            description = "Send no faster than this over all connections: 200M or 200Mbit/s (bits per second), "
                    + "25MB/s (bytes), unlimited (default)")
    String rate;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or directories to send")
    List<Path> paths;

    @Mixin
    HomeOption home;

    @Override
    public Integer call() throws Exception {
        RateLimiter limiter;
        try {
            limiter = RateLimiter.of(RateSchedule.constant(rate == null ? Rate.UNLIMITED : Rate.parse("--rate", rate)),
                    null);
        } catch (IllegalArgumentException e) {
            System.err.println("fff: " + e.getMessage());
            return 2;
        }
        NodeIdentity identity = NodeIdentity.loadOrCreate(home.resolve());
        SendPlan plan = SendPlan.of(paths, remoteDir);
        SendRun.Transcode transcode = null;
        if (profile != null) {
            Profile p = Profiles.builtIns().get(profile).orElse(null);
            if (p == null) {
                System.err.println("fff: unknown profile '" + profile + "' (built-in: " + Profiles.builtIns().names()
                        + "; other profiles are defined in a node's config)");
                return 2;
            }
            try {
                transcode = new SendRun.Transcode(FfmpegTools.find(null), p);
            } catch (MediaException e) {
                System.err.println("fff: --profile needs ffmpeg: " + e.getMessage());
                return 2;
            }
        }
        plan.warnings().forEach(w -> System.err.println("fff: " + w));
        NodeId pinned = peerId == null ? null : NodeId.parse(peerId);
        int n = connections(connections);
        if (n < 0) {
            System.err.println("fff: --connections: '" + connections + "' is not a number of at least 1, or auto");
            return 2;
        }
        try {
            Congestion.check("--congestion", congestion);
        } catch (IllegalArgumentException e) {
            System.err.println("fff: " + e.getMessage());
            return 2;
        }
        PeerTarget target = new PeerTarget(HostPort.parse(to), plain, pinned, KnownPeers.in(home.resolve()),
                attempts, 8, congestion);
        try (PeerClient client = new PeerClient(target, identity, n, null, limiter)) {
            return new SendRun(client, plan, System.out, System.err, System.console() != null, true, transcode).run();
        }
    }

    /** {@code auto} ({@link PeerClient#AUTO}), a number of at least 1, or -1 for anything else. */
    static int connections(String text) {
        if ("auto".equals(text)) {
            return PeerClient.AUTO;
        }
        try {
            int n = Integer.parseInt(text);
            return n >= 1 ? n : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}

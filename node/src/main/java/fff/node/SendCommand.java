package fff.node;

import fff.common.transcode.FfmpegTools;
import fff.common.transcode.MediaException;
import fff.common.transcode.Profile;
import fff.common.transcode.Profiles;
import fff.sender.PeerClient;
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

    @Option(names = "--dir", paramLabel = "REMOTE_SUBDIR", description = "Subdirectory under the receiver's root")
    String remoteDir;

    @Option(names = "--profile", paramLabel = "NAME",
            description = "Convert each file with a built-in profile: imx30 or proxy transcode on the way (ffmpeg "
                    + "here and at the receiver); h265-mkv, h264-mkv or webp are converted whole by the receiver "
                    + "(ffprobe here first checks the profile's limits: a file it refuses is not sent). The stored "
                    + "name takes the profile's extension. Not resumed.")
    String profile;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or directories to send")
    List<Path> paths;

    @Mixin
    LinkOptions link;

    @Mixin
    HomeOption home;

    @Override
    public Integer call() throws Exception {
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
        try (PeerClient client = link.open(to, home, System.err)) {
            if (client == null) {
                return 2;
            }
            return new SendRun(client, plan, System.out, System.err, System.console() != null, true, transcode).run();
        }
    }
}

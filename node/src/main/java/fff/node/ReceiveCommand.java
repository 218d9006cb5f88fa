package fff.node;

import fff.common.config.ByteSize;
import fff.common.config.ConvertSection;
import fff.common.identity.NodeId;
import fff.common.identity.NodeIdentity;
import fff.common.transcode.FfmpegTools;
import fff.common.transcode.MediaException;
import fff.common.transcode.Profiles;
import fff.common.wire.HostPort;
import fff.receiver.Admission;
import fff.receiver.PeerServer;
import fff.receiver.ReceiverConfig;
import fff.receiver.convert.ConvertService;
import fff.receiver.transcode.Transcoder;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "receive", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Receive files in the foreground until Ctrl-C. Prints this node's ID and address, "
                + "then one line per verified file. With ffmpeg on PATH it also takes transcodes with the "
                + "built-in profiles (fff send --profile).")
final class ReceiveCommand implements Callable<Integer> {

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT",
            description = "Address to listen on, e.g. 0.0.0.0:7700")
    String listen;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Destination root")
    Path dir;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Who who;

    static final class Who {
        @Option(names = "--allow", paramLabel = "ID", description = "Node ID allowed to send (repeatable)")
        List<String> allow = new ArrayList<>();

        @Option(names = "--allow-any", description = "Accept any sender (ad-hoc use on a trusted network)")
        boolean allowAny;
    }

    @Option(names = "--plain", description = "Plain TCP instead of mutual TLS 1.3 (trusted links only; "
            + "senders must use --plain too)")
    boolean plain;

    @Option(names = "--reserve", paramLabel = "SIZE", defaultValue = "1G",
            description = "Free space to keep on the destination filesystem (default: ${DEFAULT-VALUE})")
    String reserve;

    @Mixin
    HomeOption home;

    @Override
    public Integer call() throws Exception {
        NodeIdentity identity = NodeIdentity.loadOrCreate(home.resolve());
        List<NodeId> ids = new ArrayList<>();
        for (String a : who.allow) {
            ids.add(NodeId.parse(a));
        }
        ReceiverConfig config = ReceiverConfig.of(HostPort.parse(listen), plain, dir, who.allowAny, Set.copyOf(ids),
                ByteSize.parse("--reserve", reserve));
        Transcoder transcoder;
        ConvertService convert = null;
        try {
            FfmpegTools ffmpeg = FfmpegTools.find(null);
            transcoder = Transcoder.of(ffmpeg, Profiles.builtIns());
            ConvertSection c = ConvertSection.defaults();
            convert = ConvertService.open(home.resolve(), ffmpeg, c.limit(), c.storeMax(), c.storeAge(),
                    Clock.systemUTC());
        } catch (MediaException e) {
            transcoder = Transcoder.unavailable(e.getMessage());
            System.out.println("no ffmpeg, so this receiver refuses transcodes: " + e.getMessage());
        }
        PeerServer server = PeerServer.start(config, identity, new ConsoleEvents(System.out), Admission.ALWAYS,
                transcoder, convert);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("stopping: letting open transfers finish (up to 10 s)");
            server.shutdown(Duration.ofSeconds(10));
            stopped.countDown();
        }, "fff-shutdown"));
        System.out.println("node " + identity.id());
        System.out.printf("listening on %s:%d (%s), landing in %s%n", server.address().getHostString(),
                server.address().getPort(), plain ? "plain TCP" : "TLS 1.3, mutual", dir.toAbsolutePath());
        System.out.flush();
        stopped.await();
        return 0;
    }
}

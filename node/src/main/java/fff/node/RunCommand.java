package fff.node;

import fff.common.config.ConfigException;
import fff.common.config.NodeConfig;
import fff.common.identity.NodeIdentity;
import fff.receiver.PeerServer;
import fff.receiver.ReceiverConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a long-lived node from a YAML config file (see README: Config reference). "
                + "Config errors name the key and the bad value.")
final class RunCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "YAML config file")
    Path config;

    @Override
    public Integer call() throws Exception {
        NodeConfig cfg;
        try {
            cfg = NodeConfig.load(config);
        } catch (ConfigException e) {
            System.err.println("fff: " + e.getMessage());
            return 2;
        }
        NodeIdentity identity = NodeIdentity.loadOrCreate(cfg.node().home());
        System.out.println("node " + identity.id() + " (home " + cfg.node().home() + ")");
        PeerServer server = null;
        if (cfg.node().listen() != null) {
            var r = cfg.receive();
            ReceiverConfig rc = new ReceiverConfig(cfg.node().listen(), cfg.node().plain(), r.root(), r.allowAny(),
                    cfg.allowedIds(), r.reserve(), r.stalePartials(), ReceiverConfig.DEFAULT_STREAM_WINDOW,
                    ReceiverConfig.DEFAULT_CONNECTION_WINDOW, ReceiverConfig.DEFAULT_MAX_STREAMS);
            server = PeerServer.start(rc, identity, new ConsoleEvents(System.out));
            System.out.printf("listening on %s:%d (%s), landing in %s%n", server.address().getHostString(),
                    server.address().getPort(), rc.plain() ? "plain TCP" : "TLS 1.3, mutual", r.root());
        }
        cfg.destinations().forEach((name, d) -> System.out.println("destination " + name + ": " + d));
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        PeerServer s = server;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (s != null) {
                System.out.println("stopping: letting open transfers finish (up to 10 s)");
                s.shutdown(Duration.ofSeconds(10));
            }
            stopped.countDown();
        }, "fff-shutdown"));
        stopped.await();
        return 0;
    }
}

package fff.node;

import fff.common.config.ConfigException;
import fff.common.config.NodeConfig;
import fff.common.identity.NodeIdentity;
import java.io.IOException;
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
        cfg.warnings().forEach(w -> System.out.println("warning: " + w));
        NodeIdentity identity = NodeIdentity.loadOrCreate(cfg.node().home());
        System.out.println("node " + identity.id() + " (home " + cfg.node().home() + ")");
        cfg.destinations().forEach((name, d) -> System.out.println("destination " + name + ": " + d));
        NodeRuntime node = new NodeRuntime(cfg, identity, System.out);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("stopping: letting open transfers finish (up to 10 s); running jobs resume at the next start");
            node.stop(Duration.ofSeconds(10));
            stopped.countDown();
        }, "fff-shutdown"));
        try {
            node.start();
        } catch (IOException | RuntimeException e) {
            System.err.println("fff: cannot start: " + e.getMessage());
            node.stop(Duration.ZERO);
            return 1;
        }
        System.out.flush();
        stopped.await();
        return 0;
    }
}

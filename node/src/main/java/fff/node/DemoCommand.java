package fff.node;

import fff.common.identity.NodeIdentity;
import fff.common.wire.HostPort;
import fff.receiver.PeerServer;
import fff.receiver.ReceiverConfig;
import fff.receiver.ReceiverEvents;
import fff.sender.PeerClient;
import fff.sender.PeerTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Two nodes on loopback: site A sends a generated folder to site B over mutual TLS, "
                + "then every file is compared byte for byte. Everything stays under --work.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--work", paramLabel = "DIR", description = "Working directory (default: a new temp dir)")
    Path work;

    @Option(names = "--big-mb", paramLabel = "MB", defaultValue = "64",
            description = "Size of the largest sample file in MiB (default: ${DEFAULT-VALUE})")
    int bigMb;

    @Override
    public Integer call() throws Exception {
        Path dir = work != null ? Files.createDirectories(work) : Files.createTempDirectory("fff-demo-");
        NodeIdentity siteA = NodeIdentity.loadOrCreate(dir.resolve("siteA-home"));
        NodeIdentity siteB = NodeIdentity.loadOrCreate(dir.resolve("siteB-home"));
        Path sample = dir.resolve("siteA-outbox").resolve("sample");
        Path incoming = dir.resolve("siteB-incoming");
        int files = generate(sample, bigMb);
        System.out.println("site A " + siteA.id());
        System.out.println("site B " + siteB.id());
        System.out.printf("generated %d files in %s%n", files, sample);

        ReceiverConfig rc = ReceiverConfig.of(new HostPort("127.0.0.1", 0), false, incoming, false,
                Set.of(siteA.id()), 0);
        PeerServer server = PeerServer.start(rc, siteB, ReceiverEvents.NONE);
        try {
            System.out.printf("site B listening on 127.0.0.1:%d (TLS 1.3, mutual, pinned IDs)%n",
                    server.address().getPort());
            PeerTarget target = new PeerTarget(new HostPort("127.0.0.1", server.address().getPort()), false,
                    siteB.id(), null, 5, 3);
            int status;
            try (PeerClient client = new PeerClient(target, siteA, 1)) {
                status = new SendRun(client, SendPlan.of(List.of(sample), null), System.out, System.err,
                        System.console() != null, false).run();
            }
            if (status != 0) {
                return status;
            }
            int same = compare(sample, incoming.resolve("sample"));
            System.out.printf("checked: all %d files at site B are byte-identical to site A's%n", same);
            System.out.println("demo files are under " + dir);
            return 0;
        } finally {
            server.shutdown(Duration.ofSeconds(5));
        }
    }

    /** A small tree with the cases that matter: empty, tiny, odd sizes, unicode names, an empty directory. */
    static int generate(Path root, int bigMb) throws IOException {
        Random rnd = new Random(42);
        Files.createDirectories(root.resolve("empty dir"));
        int n = 0;
        n += write(root.resolve("empty.bin"), 0, rnd);
        n += write(root.resolve("one-byte.bin"), 1, rnd);
        n += write(root.resolve("one MiB plus one.bin"), (1 << 20) + 1, rnd);
        n += write(root.resolve("vidéo").resolve("日本語 clip.bin"), 3 << 20, rnd);
        n += write(root.resolve("big.bin"), (long) bigMb << 20, rnd);
        for (int i = 0; i < 200; i++) {
            n += write(root.resolve("small").resolve(String.format("%02d", i % 10)).resolve("f" + i + ".dat"),
                    rnd.nextInt(64 << 10), rnd);
        }
        return n;
    }

    private static int write(Path file, long size, Random rnd) throws IOException {
        Files.createDirectories(file.getParent());
        if (Files.exists(file) && Files.size(file) == size) {
            return 1;
        }
        byte[] buf = new byte[1 << 20];
        try (var out = Files.newOutputStream(file)) {
            long left = size;
            while (left > 0) {
                rnd.nextBytes(buf);
                int n = (int) Math.min(buf.length, left);
                out.write(buf, 0, n);
                left -= n;
            }
        }
        return 1;
    }

    private static int compare(Path a, Path b) throws IOException {
        int n = 0;
        try (var walk = Files.walk(a)) {
            for (Path f : (Iterable<Path>) walk::iterator) {
                Path other = b.resolve(a.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    if (!Files.isDirectory(other)) {
                        throw new IOException("directory missing at site B: " + other);
                    }
                } else {
                    if (!Files.exists(other) || Files.mismatch(f, other) != -1) {
                        throw new IOException("file differs at site B: " + other);
                    }
                    n++;
                }
            }
        }
        return n;
    }
}

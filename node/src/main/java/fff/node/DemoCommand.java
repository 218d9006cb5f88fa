package fff.node;

import fff.common.config.NodeConfig;
import fff.common.identity.NodeIdentity;
import fff.common.jobs.Job;
import fff.common.jobs.JobState;
import fff.common.transcode.FfmpegTools;
import fff.common.transcode.Media;
import fff.common.transcode.MediaException;
import fff.common.transcode.Probe;
import fff.proto.MediaInfo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Two nodes on loopback, each run from a config file written under --work: site A watches "
                + "an outbox and sends what lands there to site B over mutual TLS under a tree of concurrency "
                + "limits, then every file is compared byte for byte. With ffmpeg on PATH, site A also sends a "
                + "short IMX30 clip with the imx30 profile (H.264 on the link, IMX30 again at site B) and the "
                + "demo prints what arrived. Both nodes serve their status page on loopback; the demo keeps "
                + "serving them for --serve seconds after the check.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--work", paramLabel = "DIR", description = "Working directory (default: a new temp dir)")
    Path work;

    @Option(names = "--big-mb", paramLabel = "MB", defaultValue = "64",
            description = "Size of the largest sample file in MiB (default: ${DEFAULT-VALUE})")
    int bigMb;

    @Option(names = "--serve", paramLabel = "SECONDS", defaultValue = "120",
            description = "Keep both nodes and their pages up this long after the check (default: ${DEFAULT-VALUE};"
                    + " 0 exits at once; Ctrl-C ends it sooner)")
    int serveSeconds;

    /** Site A's page goes here when it is free, so the address is easy to remember. */
    static final int PAGE_PORT = 8080;

    @Override
    public Integer call() throws Exception {
        Path dir = (work != null ? Files.createDirectories(work) : Files.createTempDirectory("fff-demo-"))
                .toAbsolutePath();
        NodeIdentity siteA = NodeIdentity.loadOrCreate(dir.resolve("siteA-home"));
        NodeIdentity siteB = NodeIdentity.loadOrCreate(dir.resolve("siteB-home"));
        Path staging = dir.resolve("staging");
        Path outbox = Files.createDirectories(dir.resolve("siteA-outbox"));
        Path incoming = dir.resolve("siteB-incoming");
        int files = generate(staging.resolve("sample"), bigMb);
        FfmpegTools ffmpeg = null;
        try {
            ffmpeg = FfmpegTools.find(null);
        } catch (MediaException e) {
            System.out.println("no ffmpeg, so the demo skips the transcode (ops/deps-debian.sh installs it): "
                    + e.getMessage());
        }
        Path clip = staging.resolve("clip.mxf");
        Path videoOut = Files.createDirectories(dir.resolve("siteA-video"));
        if (ffmpeg != null) {
            makeImx30(ffmpeg, clip, 6, 4);
        }
        int port = freePort(0);
        int pagePort = freePort(PAGE_PORT);
        Path configB = Files.writeString(dir.resolve("siteB.yaml"), """
                # site B: receives into siteB-incoming, at most 4 files at once
                node: {home: siteB-home, listen: "127.0.0.1:%d"}
                web: {listen: "127.0.0.1:0"}
                groups: {total: {limit: 6, children: {inbound: {limit: 4}}}}
                receive: {root: siteB-incoming, allow: ["%s"], reserve: 0, group: inbound}
                """.formatted(port, siteA.id()));
        Path configA = Files.writeString(dir.resolve("siteA.yaml"), """
                # site A: whatever lands in siteA-outbox goes to site B, three files at a time
                node: {home: siteA-home}
                web: {listen: "127.0.0.1:%d"}
                groups: {total: {limit: 6, children: {outbound: {limit: 4, children: {NAS: {limit: 3}}}}}}
                destinations:
                  siteB: {peer: "127.0.0.1:%d", id: "%s"}
                watch:
                  - {path: siteA-outbox, name: outbox, group: NAS, to: "siteB:from-siteA", stable-for: 1s}
                %s""".formatted(pagePort, port, siteB.id(), ffmpeg == null ? "" : """
                  # IMX30 leaves as H.264 4:2:2 in MPEG-TS and is stored at site B as IMX30 (D-10 MXF) again
                  - {path: siteA-video, name: video, group: NAS, to: "siteB:video", stable-for: 1s, profile: imx30}
                """));
        System.out.println("site A " + siteA.id() + " (config " + configA + ")");
        System.out.println("site B " + siteB.id() + " (config " + configB + ")");
        try (NodeRuntime b = new NodeRuntime(NodeConfig.load(configB), siteB, System.out);
                NodeRuntime a = new NodeRuntime(NodeConfig.load(configA), siteA, System.out)) {
            b.start();
            a.start();
            if (a.webAddress() != null && b.webAddress() != null) {
                System.out.println("page of site A: http://" + a.webAddress() + "/ (UI token "
                        + UiToken.loadOrCreate(dir.resolve("siteA-home")) + ")");
                System.out.println("page of site B: http://" + b.webAddress() + "/");
            } else {
                serveSeconds = 0; // the log above says why
            }
            Files.move(staging.resolve("sample"), outbox.resolve("sample")); // appears at once
            System.out.printf("dropped %d files into %s%n", files, outbox);
            if (ffmpeg != null) {
                Files.move(clip, videoOut.resolve("clip.mxf"));
                System.out.println("dropped an IMX30 clip into " + videoOut);
            }
            if (!awaitDone(a, files + (ffmpeg != null ? 1 : 0), Duration.ofMinutes(10))) {
                return 1;
            }
            int same = compare(outbox, incoming.resolve("from-siteA"));
            System.out.printf("checked: all %d files at site B are byte-identical to site A's%n", same);
            if (ffmpeg != null) {
                reportTranscode(a, ffmpeg, videoOut.resolve("clip.mxf"), incoming.resolve("video/clip.mxf"));
            }
            System.out.println("demo files and both nodes' configs and journals are under " + dir);
            if (serveSeconds > 0) {
                System.out.printf("serving the pages for %d s more: http://%s/ (Ctrl-C ends the demo sooner)%n",
                        serveSeconds, a.webAddress());
                Thread.sleep(serveSeconds * 1000L);
            }
            return 0;
        }
    }

    /** {@code wanted} when it is free on loopback, else any free port (0 asks for any). */
    private static int freePort(int wanted) throws IOException {
        try (ServerSocket probe = new ServerSocket(wanted, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        } catch (IOException taken) {
            if (wanted == 0) {
                throw taken;
            }
            return freePort(0);
        }
    }

    /** Prints the IMX30 clip as sent and as stored at site B, and what crossed the link. */
    private static void reportTranscode(NodeRuntime a, FfmpegTools ffmpeg, Path source, Path arrived)
            throws MediaException, IOException {
        Probe probe = new Probe(ffmpeg);
        MediaInfo in = probe.probe(source);
        MediaInfo out = probe.probe(arrived);
        long wire = a.engine().jobs().join().stream().filter(j -> "video".equals(j.spec().rule()))
                .mapToLong(Job::bytesSent).sum();
        long size = Files.size(source);
        System.out.println("IMX30 at site A: " + Media.describe(in) + ", " + Sizes.human(size));
        System.out.println("IMX30 at site B: " + Media.describe(out) + ", " + Sizes.human(Files.size(arrived)));
        System.out.printf("on the wire: %s as H.264 4:2:2 + SMPTE 302M audio in MPEG-TS, %.0f%% of the source%n",
                Sizes.human(wire), 100.0 * wire / size);
    }

    /**
     * An IMX30 test clip (as ops/media/make-imx30.sh makes it): D-10 MXF, MPEG-2 4:2:2 intra 30 Mb/s, 720x608
     * 25i TFF, {@code channels} channels of 24-bit tones, timecode 10:00:00:00.
     */
    static void makeImx30(FfmpegTools ffmpeg, Path out, int seconds, int channels) throws IOException,
            InterruptedException {
        StringBuilder tones = new StringBuilder();
        for (int i = 0; i < channels; i++) {
            tones.append(i == 0 ? "" : "|").append("0.5*sin(2*PI*").append(440 + 110 * i).append("*t)");
        }
        Files.createDirectories(out.getParent());
        Process p = new ProcessBuilder(ffmpeg.ffmpeg().toString(), "-nostdin", "-hide_banner", "-v", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=720x576:rate=25", "-f", "lavfi", "-i",
                "aevalsrc=exprs=" + tones + ":sample_rate=48000",
                "-filter_complex", "[0:v]pad=720:608:0:32,format=yuv422p,setfield=tff[v]", "-map", "[v]",
                "-map", "1:a", "-t", String.valueOf(seconds), "-c:v", "mpeg2video", "-g", "1", "-bf", "0",
                "-flags", "+ildct+ilme", "-top", "1", "-b:v", "30M", "-minrate", "30M", "-maxrate", "30M",
                "-bufsize", "1200000", "-rc_init_occupancy", "1200000", "-aspect", "4:3", "-c:a", "pcm_s24le",
                "-ar", "48000", "-timecode", "10:00:00:00", "-f", "mxf_d10", out.toString())
                .redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("ffmpeg could not make the sample IMX30 clip: " + said.strip());
        }
    }

    /** Waits until site A's engine has finished {@code files} jobs; false (with the reasons) if one failed. */
    private static boolean awaitDone(NodeRuntime a, int files, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<Job> jobs = a.engine().jobs().join();
            List<Job> failed = jobs.stream().filter(j -> j.state() == JobState.FAILED).toList();
            if (!failed.isEmpty()) {
                failed.forEach(j -> System.err.println("fff demo: job " + j.id() + " failed: " + j.lastError()));
                return false;
            }
            if (jobs.stream().filter(j -> j.state() == JobState.DONE).count() >= files) {
                return true;
            }
            Thread.sleep(200);
        }
        System.err.println("fff demo: not all files arrived within " + timeout);
        return false;
    }

    /** A small tree with the cases that matter: empty, tiny, odd sizes, unicode names, many small files. */
    static int generate(Path root, int bigMb) throws IOException {
        Random rnd = new Random(42);
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
                if (!Files.isDirectory(f)) {
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

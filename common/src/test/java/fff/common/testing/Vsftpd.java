package fff.common.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A real vsftpd (Debian's {@code /usr/sbin/vsftpd}, run as root) on 127.0.0.1 for FTP tests, with its own
 * config, root and log in a temporary folder. Anonymous only ({@code local_enable=NO}: any other user is a real
 * login failure). The anonymous root is root-owned and not writable, so an upload there is a real "permission
 * denied"; {@link #writableDir()} ({@code /in}) is owned by {@code ftp} and takes uploads, folders, renames and
 * deletes. With TLS: explicit FTPS required for login and data, a self-signed RSA certificate for 127.0.0.1 and
 * localhost in {@link #certPem()} (what a test passes as {@code ca-file}).
 *
 * <p>Fails with a clear message when vsftpd is not installed: CI installs it ({@code .ci/run}).
 */
public final class Vsftpd implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/sbin/vsftpd");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final Path home;
    private final Path root;
    private final Path conf;
    private final Path log;
    private final Path cert;
    private final boolean tls;
    private final int port;
    private Process process;

    private Vsftpd(boolean tls, String extraConfig) throws IOException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: the FTP tests need a real vsftpd "
                    + "(Debian: apt-get install vsftpd; .ci/run and ops/deps-debian.sh install it)");
        }
        this.tls = tls;
        this.home = Files.createTempDirectory("fff-vsftpd");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        this.root = Files.createDirectory(home.resolve("root"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("r-xr-xr-x")));
        Path in = Files.createDirectory(root.resolve("in"));
        Files.setPosixFilePermissions(in, PosixFilePermissions.fromString("rwxr-xr-x"));
        UserPrincipalLookupService users = in.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(in, users.lookupPrincipalByName("ftp"));
        Path empty = Files.createDirectory(home.resolve("empty"));
        Files.setPosixFilePermissions(empty, PosixFilePermissions.fromString("r-xr-xr-x"));
        this.log = home.resolve("vsftpd.log");
        this.cert = tls ? home.resolve("cert.pem") : null;
        Path key = home.resolve("key.pem");
        if (tls) {
            writeCertificate(cert, key);
        }
        this.port = freePort();
        int pasv = 30_000 + ThreadLocalRandom.current().nextInt(25_000);
        StringBuilder c = new StringBuilder();
        c.append("""
                listen=YES
                listen_ipv6=NO
                listen_address=127.0.0.1
                background=NO
                seccomp_sandbox=NO
                anonymous_enable=YES
                no_anon_password=YES
                local_enable=NO
                write_enable=YES
                anon_upload_enable=YES
                anon_mkdir_write_enable=YES
                anon_other_write_enable=YES
                anon_umask=022
                pasv_enable=YES
                pasv_address=127.0.0.1
                connect_from_port_20=NO
                dirlist_enable=YES
                use_localtime=NO
                xferlog_enable=NO
                idle_session_timeout=120
                data_connection_timeout=60
                """);
        c.append("listen_port=").append(port).append('\n');
        c.append("anon_root=").append(root).append('\n');
        c.append("secure_chroot_dir=").append(empty).append('\n');
        c.append("pasv_min_port=").append(pasv).append('\n');
        c.append("pasv_max_port=").append(pasv + 199).append('\n');
        c.append(extraConfig);
        c.append("vsftpd_log_file=").append(home.resolve("xfer.log")).append('\n');
        if (tls) {
            c.append("""
                    ssl_enable=YES
                    allow_anon_ssl=YES
                    force_anon_logins_ssl=YES
                    force_anon_data_ssl=YES
                    force_local_logins_ssl=YES
                    force_local_data_ssl=YES
                    require_ssl_reuse=NO
                    ssl_ciphers=HIGH
                    """);
            c.append("rsa_cert_file=").append(cert).append('\n');
            c.append("rsa_private_key_file=").append(key).append('\n');
        } else {
            c.append("ssl_enable=NO\n");
        }
        this.conf = home.resolve("vsftpd.conf");
        Files.writeString(conf, c.toString());
    }

    /** Starts a plain FTP vsftpd, or an FTPS one with {@code tls}. */
    public static Vsftpd start(boolean tls) throws IOException {
        return start(tls, "");
    }

    /**
     * As {@link #start(boolean)}, with more lines of vsftpd config, e.g. {@code "max_per_ip=1\n"} for a device
     * that takes one login at a time.
     */
    public static Vsftpd start(boolean tls, String extraConfig) throws IOException {
        Vsftpd v = new Vsftpd(tls, extraConfig);
        try {
            v.launch();
        } catch (IOException | RuntimeException e) {
            v.close();
            throw e;
        }
        return v;
    }

    public int port() {
        return port;
    }

    /** The anonymous root on disk (root-owned, not writable). */
    public Path root() {
        return root;
    }

    /** The writable folder as the server names it. */
    public String writableDir() {
        return "/in";
    }

    /** The writable folder on disk. */
    public Path writable() {
        return root.resolve("in");
    }

    /** The server certificate (PEM), to trust as {@code ca-file}; null without TLS. */
    public Path certPem() {
        return cert;
    }

    /** {@code ftp://127.0.0.1:PORT/dir} (or ftps://). */
    public String url(String dir) {
        return (tls ? "ftps" : "ftp") + "://127.0.0.1:" + port + (dir.startsWith("/") ? dir : "/" + dir);
    }

    /** Kills the listener and every session process at once: all connections drop, mid-transfer too. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        ProcessHandle h = process.toHandle();
        Stream.concat(h.descendants(), Stream.of(h)).forEach(ProcessHandle::destroyForcibly);
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                throw new IllegalStateException("vsftpd " + h.pid() + " did not die");
            }
            h.descendants().forEach(ProcessHandle::destroyForcibly);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Starts it again on the same port, root and config (after {@link #kill}). */
    public synchronized void restart() throws IOException {
        kill();
        launch();
    }

    /** What vsftpd printed, for assertion messages. */
    public String log() {
        try {
            return Files.isRegularFile(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    @Override
    public void close() {
        kill();
        try (Stream<Path> all = Files.walk(home)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // temp files only
        }
    }

    private synchronized void launch() throws IOException {
        process = new ProcessBuilder(BINARY.toString(), conf.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("vsftpd exited with " + process.exitValue() + ": " + log().strip()
                        + " (config " + conf + ")");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException e) {
                sleep(50);
            }
        }
        kill();
        throw new IllegalStateException("vsftpd did not listen on 127.0.0.1:" + port + " within " + START_TIMEOUT
                + ": " + log().strip());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Self-signed RSA certificate for 127.0.0.1 and localhost, valid for a day; PEM certificate and key. */
    private static void writeCertificate(Path certFile, Path keyFile) throws IOException {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            KeyPair pair = g.generateKeyPair();
            X500Name subject = new X500Name("CN=fff test vsftpd");
            Instant now = Instant.now();
            var builder = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(now.toEpochMilli()),
                    java.util.Date.from(now.minusSeconds(3600)), java.util.Date.from(now.plus(Duration.ofDays(1))),
                    subject, pair.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                    new GeneralName(GeneralName.dNSName, "localhost")}));
            var holder = builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate()));
            var x509 = new JcaX509CertificateConverter().getCertificate(holder);
            Files.writeString(certFile, pem(x509), StandardCharsets.US_ASCII);
            Files.writeString(keyFile, pem(pair.getPrivate()), StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot make the test certificate: " + e, e);
        }
    }

    private static String pem(Object o) throws IOException {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            w.writeObject(o);
        }
        return s.toString();
    }
}

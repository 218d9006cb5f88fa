package fff.sender.ftp;

import fff.common.config.FtpLocation;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPReply;
import org.apache.commons.net.ftp.FTPSClient;

/**
 * Opens logged-in {@link FtpSession}s to one {@link FtpLocation}: binary, passive unless the location says
 * active, explicit TLS with a protected data channel ({@code PBSZ 0}, {@code PROT P}) for {@code ftps://}, with
 * connect, control and data timeouts. The server certificate of an {@code ftps://} location is checked against
 * its {@code ca-file} (else the JVM's trust store) and its host name. The password is read at each login and
 * kept nowhere.
 */
public final class FtpConnector {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Control replies and data reads; a server silent this long is taken to be gone. */
    static final Duration IO_TIMEOUT = Duration.ofSeconds(30);

    private final FtpLocation location;
    private final UnaryOperator<String> env;
    /** Built once from the ca-file; null for ftp:// or the JVM default. */
    private volatile SSLContext tls;

    public FtpConnector(FtpLocation location, UnaryOperator<String> env) {
        this.location = Objects.requireNonNull(location, "location");
        this.env = Objects.requireNonNull(env, "env");
    }

    public FtpLocation location() {
        return location;
    }

    /** A connected, logged-in session; the caller closes it. */
    public FtpSession open() throws FtpProblem {
        FTPClient client = location.tls() ? new FTPSClient(false, sslContext()) : new ChannelFtpClient();
        if (client instanceof FTPSClient s) {
            s.setEndpointCheckingEnabled(true);
        }
        client.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
        client.setDefaultTimeout((int) IO_TIMEOUT.toMillis());
        client.setDataTimeout(IO_TIMEOUT);
        try {
            client.connect(location.host(), location.port());
            if (!FTPReply.isPositiveCompletion(client.getReplyCode())) {
                throw new FtpProblem(FtpProblem.CONNECTION_REFUSED, location + ": server refused the connection ("
                        + FtpSession.reply(client) + ")", true, client.getReplyCode(), null);
            }
            client.setSoTimeout((int) IO_TIMEOUT.toMillis());
            String password;
            try {
                password = location.password(env);
            } catch (IllegalStateException e) {
                throw new FtpProblem(FtpProblem.LOGIN_FAILED, location + ": " + e.getMessage(), false, 0, null);
            }
            if (!client.login(location.user(), password)) {
                throw new FtpProblem(FtpProblem.LOGIN_FAILED, location + ": login refused for user '"
                        + location.user() + "' (" + FtpSession.reply(client) + ")", false, client.getReplyCode(), null);
            }
            if (client instanceof FTPSClient s) {
                s.execPBSZ(0);
                s.execPROT("P");
                if (!FTPReply.isPositiveCompletion(s.getReplyCode())) {
                    throw new FtpProblem(FtpProblem.TLS, location + ": server refused a protected data channel ("
                            + FtpSession.reply(client) + ")", false, s.getReplyCode(), null);
                }
            }
            if (!client.setFileType(FTP.BINARY_FILE_TYPE)) {
                throw new FtpProblem(FtpProblem.PROTOCOL, location + ": server refused binary mode ("
                        + FtpSession.reply(client) + ")", false, client.getReplyCode(), null);
            }
            if (location.active()) {
                client.enterLocalActiveMode();
            } else {
                client.enterLocalPassiveMode();
            }
            client.features();
            return new FtpSession(location, client);
        } catch (FtpProblem e) {
            FtpSession.quietlyDisconnect(client);
            throw e;
        } catch (IOException e) {
            FtpSession.quietlyDisconnect(client);
            throw connectProblem(e, client);
        }
    }

    private FtpProblem connectProblem(IOException e, FTPClient client) {
        int code = client.getReplyCode();
        if (e instanceof SSLException) {
            return new FtpProblem(FtpProblem.TLS, location + ": TLS failed: " + tlsReason(e), false, code, e);
        }
        if (e instanceof UnknownHostException) {
            return new FtpProblem(FtpProblem.CONNECTION_REFUSED, location + ": unknown host " + location.host(),
                    true, code, e);
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            return new FtpProblem(FtpProblem.CONNECTION_REFUSED, location + ": cannot connect: " + e.getMessage(),
                    true, code, e);
        }
        if (e instanceof SocketTimeoutException) {
            return new FtpProblem(FtpProblem.CONNECTION_REFUSED, location + ": no answer within "
                    + CONNECT_TIMEOUT.toSeconds() + " s", true, code, e);
        }
        return new FtpProblem(FtpProblem.CONNECTION_REFUSED, location + ": connection lost while logging in: " + e,
                true, code, e);
    }

    /** The most specific message in an SSL exception's chain (a certificate path error says more than an alert). */
    private static String tlsReason(Throwable e) {
        String best = e.getMessage();
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                best = t.getMessage();
            }
        }
        return best == null ? e.getClass().getSimpleName() : best;
    }

    private SSLContext sslContext() throws FtpProblem {
        SSLContext ctx = tls;
        if (ctx != null) {
            return ctx;
        }
        try {
            if (location.caFile() == null) {
                ctx = SSLContext.getDefault();
            } else {
                Collection<? extends Certificate> certs;
                try (InputStream in = Files.newInputStream(location.caFile())) {
                    certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
                }
                if (certs.isEmpty()) {
                    throw new FtpProblem(FtpProblem.TLS, location.key() + ": ca-file " + location.caFile()
                            + " holds no PEM certificate", false, 0, null);
                }
                KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
                trust.load(null, null);
                int i = 0;
                for (Certificate c : certs) {
                    trust.setCertificateEntry("ca-" + i++, c);
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
                ctx = SSLContext.getInstance("TLS");
                ctx.init(null, tmf.getTrustManagers(), null);
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new FtpProblem(FtpProblem.TLS, location.key() + ": cannot read ca-file " + location.caFile() + ": "
                    + e.getMessage(), false, 0, e);
        }
        tls = ctx;
        return ctx;
    }
}

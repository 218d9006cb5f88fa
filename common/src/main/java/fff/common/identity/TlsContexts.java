package fff.common.identity;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.net.Socket;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netty TLS contexts for node-to-node connections: mutual TLS 1.3, each side presenting its
 * {@link NodeIdentity}.
 *
 * <p>The TLS layer accepts any peer certificate. Authorization happens after the handshake by comparing
 * {@link #peerId} with the pinned id ({@link KnownPeers}); this is sound because TLS 1.3's CertificateVerify
 * proves the peer holds the certificate's key. Deciding afterwards lets the application tell the peer
 * which id it saw and why it was refused, instead of failing with a bare TLS alert.
 */
public final class TlsContexts {

    private static final Logger log = LoggerFactory.getLogger(TlsContexts.class);

    private static final String TLS_13 = "TLSv1.3";

    private TlsContexts() {}

    /** Server side, requiring a client certificate, on the {@link #defaultProvider()}. */
    public static SslContext server(NodeIdentity identity) throws SSLException {
        return server(identity, defaultProvider());
    }

    public static SslContext server(NodeIdentity identity, SslProvider provider) throws SSLException {
        return SslContextBuilder.forServer(identity.privateKey(), identity.certificate())
                .sslProvider(provider)
                .protocols(TLS_13)
                .clientAuth(ClientAuth.REQUIRE)
                .trustManager(AnyPeerTrustManager.INSTANCE)
                .build();
    }

    /** Client side, presenting this node's certificate, on the {@link #defaultProvider()}. */
    public static SslContext client(NodeIdentity identity) throws SSLException {
        return client(identity, defaultProvider());
    }

    public static SslContext client(NodeIdentity identity, SslProvider provider) throws SSLException {
        return SslContextBuilder.forClient()
                .keyManager(identity.privateKey(), identity.certificate())
                .sslProvider(provider)
                .protocols(TLS_13)
                .trustManager(AnyPeerTrustManager.INSTANCE)
                .build();
    }

    /** OpenSSL (BoringSSL via netty-tcnative) when it loads on this platform, else the JDK's TLS. */
    public static SslProvider defaultProvider() {
        return DefaultProvider.VALUE;
    }

    /** The id of the peer on a channel whose handshake has completed. */
    public static NodeId peerId(SslHandler handler) throws SSLPeerUnverifiedException {
        Certificate[] chain = handler.engine().getSession().getPeerCertificates();
        if (chain == null || chain.length == 0) {
            throw new SSLPeerUnverifiedException("peer presented no certificate");
        }
        if (!(chain[0] instanceof X509Certificate cert)) {
            throw new SSLPeerUnverifiedException("peer certificate is " + chain[0].getType() + ", not X.509");
        }
        return NodeId.of(cert);
    }

    /** Holder so the choice is made, and logged, once per JVM and only when first needed. */
    private static final class DefaultProvider {
        static final SslProvider VALUE = choose();

        private static SslProvider choose() {
            if (OpenSsl.isAvailable()) {
                log.info("TLS provider: OpenSSL ({})", OpenSsl.versionString());
                return SslProvider.OPENSSL;
            }
            log.info("TLS provider: JDK (OpenSSL unavailable: {})", String.valueOf(OpenSsl.unavailabilityCause()));
            return SslProvider.JDK;
        }
    }

    /**
     * Accepts any non-empty chain: at this layer only possession of the key matters, which the handshake
     * itself proves. Whether that key is welcome is decided from {@link #peerId} afterwards.
     */
    private static final class AnyPeerTrustManager extends X509ExtendedTrustManager {
        static final AnyPeerTrustManager INSTANCE = new AnyPeerTrustManager();

        private static void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("peer presented no certificate");
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            check(chain);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}

package fff.common.identity;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A node's own identity: an EC P-256 private key and the self-signed certificate that carries its public
 * key. The certificate's fingerprint is the node's {@link NodeId}; nothing else in it (name, dates) is
 * relied on, since peers pin the id rather than validate a chain.
 *
 * <p>On disk, in the node's home directory: {@value #KEY_FILE} (PKCS#8 PEM, mode 0600) and
 * {@value #CERT_FILE} (PEM). The key file is written last, so its presence means the identity is complete.
 */
public record NodeIdentity(PrivateKey privateKey, X509Certificate certificate, NodeId id) {

    public static final String KEY_FILE = "node.key";
    public static final String CERT_FILE = "node.crt";

    private static final String SUBJECT = "CN=fff node";
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final Duration VALIDITY = Duration.ofDays(36_525);

    public NodeIdentity {
        if (privateKey == null || certificate == null) {
            throw new IllegalArgumentException("private key and certificate are both required");
        }
        if (!matches(privateKey, certificate)) {
            throw new IllegalArgumentException("private key does not belong to certificate " + NodeId.of(certificate));
        }
        NodeId actual = NodeId.of(certificate);
        if (id != null && !id.equals(actual)) {
            throw new IllegalArgumentException("id " + id + " is not the fingerprint of the certificate (" + actual + ")");
        }
        id = actual;
    }

    public NodeIdentity(PrivateKey privateKey, X509Certificate certificate) {
        this(privateKey, certificate, null);
    }

    /** {@code $FFF_HOME} if set, else {@code ~/.fff}. */
    public static Path defaultHome() {
        String env = System.getenv("FFF_HOME");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".fff");
    }

    /** Generates a new identity and stores it in {@code home} (created with mode 0700 if missing). */
    public static NodeIdentity create(Path home) throws IOException {
        Path keyFile = home.resolve(KEY_FILE);
        if (Files.exists(keyFile)) {
            throw new IOException("identity already exists in " + home + "; delete " + KEY_FILE + " and " + CERT_FILE
                            + " to replace it (peers that pinned the old id will refuse this node)");
        }
        createHome(home);
        NodeIdentity identity = generate();
        writeAtomically(home.resolve(CERT_FILE), pem(identity.certificate), false);
        writeAtomically(keyFile, pem(new PemObject("PRIVATE KEY", identity.privateKey.getEncoded())), true);
        return identity;
    }

    /** Reads the identity stored in {@code home}. */
    public static NodeIdentity load(Path home) throws IOException {
        Path keyFile = home.resolve(KEY_FILE);
        Path certFile = home.resolve(CERT_FILE);
        if (!Files.exists(keyFile) || !Files.exists(certFile)) {
            throw new IOException("no identity in " + home + ": run `fff init` first");
        }
        PrivateKeyInfo keyInfo = readPem(keyFile, PrivateKeyInfo.class);
        X509CertificateHolder certHolder = readPem(certFile, X509CertificateHolder.class);
        try {
            PrivateKey key = new JcaPEMKeyConverter().getPrivateKey(keyInfo);
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(certHolder);
            return new NodeIdentity(key, cert);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("unusable identity in " + home + ": " + e.getMessage(), e);
        }
    }

    /** {@link #load} if {@code home} holds an identity, else {@link #create}. */
    public static NodeIdentity loadOrCreate(Path home) throws IOException {
        return Files.exists(home.resolve(KEY_FILE)) ? load(home) : create(home);
    }

    /** Names the id only: the default record form would print the private key. */
    @Override
    public String toString() {
        return "NodeIdentity[" + id + "]";
    }

    private static NodeIdentity generate() {
        try {
            SecureRandom random = new SecureRandom();
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            KeyPair pair = generator.generateKeyPair();
            Instant now = Instant.now();
            X500Name subject = new X500Name(SUBJECT);
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                    new BigInteger(127, random).add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(VALIDITY)),
                    subject, pair.getPublic());
            X509CertificateHolder holder = builder.build(new JcaContentSignerBuilder(SIGNATURE).build(pair.getPrivate()));
            return new NodeIdentity(pair.getPrivate(), new JcaX509CertificateConverter().getCertificate(holder));
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot generate an EC P-256 identity: " + e.getMessage(), e);
        }
    }

    private static boolean matches(PrivateKey key, X509Certificate cert) {
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(SIGNATURE);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(SIGNATURE);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static void createHome(Path home) throws IOException {
        if (Files.isDirectory(home)) {
            return;
        }
        if (isPosix(home.toAbsolutePath().getParent())) {
            Files.createDirectories(home, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectories(home);
        }
    }

    private static boolean isPosix(Path existingOrParent) {
        Path p = existingOrParent;
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p != null && p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static void writeAtomically(Path target, String text, boolean secret) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        FileAttribute<?>[] attrs = secret && isPosix(dir)
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        // The temp file gets its final mode at creation, so the key is never readable by others, not even briefly.
        Path tmp = Files.createTempFile(dir, target.getFileName() + ".", ".tmp", attrs);
        try {
            Files.writeString(tmp, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException("writing PEM to a string", e);
        }
        return out.toString();
    }

    private static <T> T readPem(Path file, Class<T> type) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(in)) {
            Object object = parser.readObject();
            if (!type.isInstance(object)) {
                throw new IOException(file + " does not hold a PEM " + type.getSimpleName()
                        + (object == null ? " (no PEM block found)" : " (found " + object.getClass().getSimpleName() + ")"));
            }
            return type.cast(object);
        }
    }
}

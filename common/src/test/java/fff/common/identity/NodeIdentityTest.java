package fff.common.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeIdentityTest {

    @TempDir
    Path tmp;

    @Test
    void createThenLoadGivesSameId() throws Exception {
        Path home = tmp.resolve("a/home");
        NodeIdentity created = NodeIdentity.create(home);
        NodeIdentity loaded = NodeIdentity.load(home);
        assertEquals(created.id(), loaded.id());
        assertEquals(created.certificate(), loaded.certificate());
        assertEquals(created.privateKey(), loaded.privateKey());
        assertEquals(created.id(), NodeIdentity.loadOrCreate(home).id());
        assertFalse(created.toString().contains("PRIVATE"));
    }

    @Test
    void certificateIsSelfSignedP256ForACentury() throws Exception {
        X509Certificate cert = NodeIdentity.create(tmp).certificate();
        assertEquals(3, cert.getVersion());
        assertEquals("CN=fff node", cert.getSubjectX500Principal().getName());
        assertEquals(cert.getSubjectX500Principal(), cert.getIssuerX500Principal());
        assertEquals("SHA256withECDSA", cert.getSigAlgName());
        assertEquals("EC", cert.getPublicKey().getAlgorithm());
        cert.verify(cert.getPublicKey());
        assertTrue(cert.getNotAfter().toInstant().isAfter(Instant.now().plus(99 * 365, ChronoUnit.DAYS)));
        cert.checkValidity();
    }

    @Test
    void twoIdentitiesDiffer() throws Exception {
        assertNotEquals(NodeIdentity.create(tmp.resolve("x")).id(), NodeIdentity.create(tmp.resolve("y")).id());
    }

    @Test
    void createTwiceIsRefused() throws Exception {
        NodeIdentity first = NodeIdentity.create(tmp);
        IOException e = assertThrows(IOException.class, () -> NodeIdentity.create(tmp));
        assertTrue(e.getMessage().startsWith("identity already exists in " + tmp + ";"), e.getMessage());
        assertEquals(first.id(), NodeIdentity.load(tmp).id());
    }

    @Test
    void loadWithoutIdentityNamesTheFix() {
        IOException e = assertThrows(IOException.class, () -> NodeIdentity.load(tmp));
        assertEquals("no identity in " + tmp + ": run `fff init` first", e.getMessage());
    }

    @Test
    void keyFileIsPrivateAndHomeIsCreatedPrivate() throws Exception {
        Path home = tmp.resolve("fresh");
        NodeIdentity.create(home);
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(home.resolve(NodeIdentity.KEY_FILE))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home)));
        assertTrue(Files.readString(home.resolve(NodeIdentity.KEY_FILE)).startsWith("-----BEGIN PRIVATE KEY-----"));
        assertTrue(Files.readString(home.resolve(NodeIdentity.CERT_FILE)).startsWith("-----BEGIN CERTIFICATE-----"));
        try (var files = Files.list(home)) {
            assertEquals(2, files.count(), "no temp files left behind");
        }
    }

    @Test
    void mismatchedKeyAndCertificateAreRejected() throws Exception {
        NodeIdentity a = NodeIdentity.create(tmp.resolve("a"));
        NodeIdentity b = NodeIdentity.create(tmp.resolve("b"));
        Files.copy(tmp.resolve("b").resolve(NodeIdentity.CERT_FILE), tmp.resolve("a").resolve(NodeIdentity.CERT_FILE),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        IOException e = assertThrows(IOException.class, () -> NodeIdentity.load(tmp.resolve("a")));
        assertTrue(e.getMessage().contains("does not belong"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new NodeIdentity(a.privateKey(), b.certificate()));
    }

    @Test
    void defaultHomeIsFffHomeOrDotFff() {
        String env = System.getenv("FFF_HOME");
        Path expected = env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".fff");
        assertEquals(expected, NodeIdentity.defaultHome());
    }
}

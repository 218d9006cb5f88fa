package fff.sender.ftp;

import static fff.sender.ftp.FtpTesting.location;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.testing.TestData;
import fff.common.testing.Vsftpd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.ftpserver.FtpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FtpSession}, the API the FTP source poller builds on: listing, download with resume, delete, rename. */
class FtpSessionTest {

    private static Vsftpd ftp;

    @TempDir
    Path tmp;

    @BeforeAll
    static void server() throws Exception {
        ftp = Vsftpd.start(false);
    }

    @AfterAll
    static void stop() {
        if (ftp != null) {
            ftp.close();
        }
    }

    private static FtpSession open() throws Exception {
        return new FtpConnector(location(ftp.url("/in"), null, null), k -> null).open();
    }

    /** Files under {@code dir} on disk with sizes and (second-truncated) times; dot-files made too. */
    private static List<RemoteFile> tree(Path dir) throws Exception {
        Files.createDirectories(dir.resolve("sub/deeper"));
        Files.createDirectories(dir.resolve(".hidden"));
        Instant t = Instant.parse("2024-03-05T10:11:12Z"); // old enough that LIST shows the year, not the time
        List<RemoteFile> want = new ArrayList<>();
        String[] names = {"a.mxf", "sub/b.wav", "sub/deeper/c.mov"};
        for (int i = 0; i < names.length; i++) {
            Path p = Files.write(dir.resolve(names[i]), TestData.bytes(1000 * (i + 1), i));
            Files.setLastModifiedTime(p, FileTime.from(t.plusSeconds(i * 61)));
            want.add(new RemoteFile(names[i], 1000L * (i + 1), t.plusSeconds(i * 61).toEpochMilli()));
        }
        Files.write(dir.resolve(".partial"), new byte[7]);
        Files.write(dir.resolve(".hidden/x"), new byte[7]);
        return want;
    }

    private static List<RemoteFile> sorted(List<RemoteFile> l) {
        return l.stream().sorted(Comparator.comparing(RemoteFile::relative)).toList();
    }

    @Test
    void listWithListAndMdtm() throws Exception {
        List<RemoteFile> want = tree(ftp.writable().resolve("listing"));
        try (FtpSession s = open()) {
            assertFalse(s.has("MLST", null), "vsftpd has no MLSD: this runs the LIST path");
            assertEquals(want, sorted(s.list("/in/listing", true)));
            assertEquals(List.of(want.get(0)), s.list("/in/listing", false));
            FtpProblem missing = assertThrows(FtpProblem.class, () -> s.list("/in/nope", false));
            assertEquals(FtpProblem.NOT_FOUND, missing.reason(), missing.getMessage());
        }
    }

    @Test
    void listWithMlsd(@TempDir Path home) throws Exception {
        List<RemoteFile> want = tree(home.resolve("out"));
        FtpServer server = FtpTesting.embedded(home, "pw", 0);
        try (FtpSession s = new FtpConnector(location("ftp://cam@127.0.0.1:" + FtpTesting.port(server) + "/",
                "PW", null), Map.of("PW", "pw")::get).open()) {
            assertTrue(s.has("MLST", null));
            assertEquals(want, sorted(s.list("/out", true)));
        } finally {
            server.stop();
        }
    }

    @Test
    void downloadResumesAPartialLocalFile() throws Exception {
        byte[] content = TestData.bytes(900_000, 7);
        Files.write(ftp.writable().resolve("get.bin"), content);
        Path local = tmp.resolve("get.bin");
        Files.write(local, java.util.Arrays.copyOf(content, 300_000));
        List<Long> progress = new ArrayList<>();
        try (FtpSession s = open()) {
            assertEquals(600_000, s.download("/in/get.bin", local, progress::add));
            assertArrayEquals(content, Files.readAllBytes(local));
            assertTrue(progress.get(0) > 300_000 && progress.get(progress.size() - 1) == 900_000, progress.toString());
            // a local file as long as the remote one (or longer) is fetched again from 0
            assertEquals(900_000, s.download("/in/get.bin", local, n -> { }));
            assertArrayEquals(content, Files.readAllBytes(local));
            FtpProblem missing = assertThrows(FtpProblem.class,
                    () -> s.download("/in/nope.bin", tmp.resolve("nope"), n -> { }));
            assertEquals(FtpProblem.NOT_FOUND, missing.reason());
        }
    }

    @Test
    void deleteRenameMkdirsSizeAlive() throws Exception {
        Files.write(ftp.writable().resolve("r.bin"), new byte[1234]);
        try (FtpSession s = open()) {
            assertTrue(s.alive());
            assertEquals(1234, s.size("/in/r.bin"));
            assertEquals(-1, s.size("/in/none.bin"));
            s.rename("/in/r.bin", "/in/x/y/r2.bin");
            assertTrue(Files.exists(ftp.writable().resolve("x/y/r2.bin")));
            s.mkdirs("/in/m/n");
            assertTrue(Files.isDirectory(ftp.writable().resolve("m/n")));
            s.delete("/in/x/y/r2.bin");
            assertFalse(Files.exists(ftp.writable().resolve("x/y/r2.bin")));
            FtpProblem gone = assertThrows(FtpProblem.class, () -> s.delete("/in/x/y/r2.bin"));
            assertEquals(FtpProblem.NOT_FOUND, gone.reason());
            FtpProblem denied = assertThrows(FtpProblem.class, () -> s.mkdirs("/top"));
            assertEquals(FtpProblem.PERMISSION_DENIED, denied.reason(), denied.getMessage());
        }
        FtpSession s = open();
        s.close();
        assertFalse(s.alive());
    }
}

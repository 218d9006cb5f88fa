package fff.sender.pull;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.config.After;
import fff.common.config.FtpLocation;
import fff.common.config.Route;
import fff.common.config.SourceRule;
import fff.common.testing.TestData;
import fff.common.testing.Vsftpd;
import fff.sender.ftp.FtpConnector;
import fff.sender.ftp.RemoteFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FtpSource} against a real vsftpd, polled directly (no timer) so each listing is a step of the test; the
 * node's journal is played by a map of what was delivered.
 */
class FtpSourceTest {

    @TempDir
    Path dir;

    private Vsftpd ftp;

    @AfterEach
    void stop() {
        if (ftp != null) {
            ftp.close();
        }
    }

    /** The node's side: submits recorded, files marked delivered by the test. */
    private static final class Journal implements FtpSource.Relay {
        final List<RemoteFile> submitted = new CopyOnWriteArrayList<>();
        final List<Path> staged = new CopyOnWriteArrayList<>();
        final Map<String, FtpSource.Known> known = new ConcurrentHashMap<>();

        @Override
        public FtpSource.Known known(String relative, long size, long mtimeMillis) {
            return known.getOrDefault(relative + "|" + size + "|" + mtimeMillis, FtpSource.Known.NEW);
        }

        @Override
        public void submit(Path staged, RemoteFile file) {
            submitted.add(file);
            this.staged.add(staged);
            known.put(file.relative() + "|" + file.size() + "|" + file.mtimeMillis(), FtpSource.Known.PENDING);
        }

        void delivered(RemoteFile f) {
            known.put(f.relative() + "|" + f.size() + "|" + f.mtimeMillis(), FtpSource.Known.DELIVERED);
        }
    }

    private FtpSource source(String extraConfig, After after, boolean singleSession, Journal journal)
            throws IOException {
        ftp = Vsftpd.start(false, extraConfig);
        FtpLocation at = FtpLocation.parse("sources[0].ftp", ftp.url(ftp.writableDir()), null, null, null, false);
        SourceRule rule = new SourceRule("cam", at, null, List.of("*.tmp"), true, null, singleSession,
                dir.resolve("staging"), "total", new Route("b", "clips"), after, 0, null);
        return new FtpSource(rule, new FtpConnector(at, name -> null), journal);
    }

    @Test
    void aFileIsPulledOnceItStopsGrowingAndOnlyOnceCompleteAndIdentical() throws Exception {
        Journal journal = new Journal();
        try (FtpSource source = source("", After.KEEP, false, journal)) {
            byte[] whole = TestData.bytes(3_000_000, 7);
            Path remote = ftp.writable().resolve("day1/clip.mxf");
            Files.createDirectories(remote.getParent());
            Files.write(ftp.writable().resolve("ready.wav"), TestData.bytes(10_000, 3));
            Files.write(ftp.writable().resolve("skip.tmp"), new byte[10]);
            try (OutputStream out = Files.newOutputStream(remote)) {
                for (int i = 0; i < 3; i++) { // a slow writer: each listing sees it longer
                    out.write(whole, i * 1_000_000, 1_000_000);
                    out.flush();
                    source.poll();
                }
            }
            assertEquals(List.of("ready.wav"), journal.submitted.stream().map(RemoteFile::relative).toList(),
                    "the growing file is not taken; the excluded one never");
            source.poll(); // unchanged since the last listing now
            source.poll();
            assertEquals(List.of("ready.wav", "day1/clip.mxf"),
                    journal.submitted.stream().map(RemoteFile::relative).toList());
            Path staged = journal.staged.get(1);
            assertEquals(dir.resolve("staging/day1/clip.mxf"), staged);
            assertArrayEquals(whole, Files.readAllBytes(staged));
            assertEquals(Files.getLastModifiedTime(remote).toMillis() / 1000,
                    Files.getLastModifiedTime(staged).toMillis() / 1000, "the server's time, to the second");
            try (var partials = Files.walk(dir.resolve("staging"))) {
                assertEquals(List.of(), partials.filter(p -> p.toString().endsWith(FtpSource.PARTIAL)).toList());
            }
        }
    }

    @Test
    void theServersFileIsDeletedOnlyOnceTheRelayIsDeliveredAndTheStagedCopyGoes() throws Exception {
        Journal journal = new Journal();
        try (FtpSource source = source("", After.DELETE, false, journal)) {
            Path remote = Files.write(ftp.writable().resolve("a.mxf"), TestData.bytes(200_000, 1));
            source.poll();
            source.poll();
            assertEquals(1, journal.submitted.size());
            source.poll();
            source.poll();
            assertEquals(1, journal.submitted.size(), "a pending relay is not pulled again");
            assertTrue(Files.exists(remote), "kept on the server while the relay is pending");
            assertTrue(Files.exists(journal.staged.get(0)));

            journal.delivered(journal.submitted.get(0));
            source.poll();
            assertFalse(Files.exists(remote), "deleted on the server after delivery");
            assertFalse(Files.exists(journal.staged.get(0)), "staged copy removed");
        }
    }

    @Test
    void afterMoveRenamesOnTheServerAndAChangedFileIsPulledAgain() throws Exception {
        Journal journal = new Journal();
        try (FtpSource source = source("", After.move(Path.of("/in-done")), false, journal)) {
            Files.createDirectories(ftp.root().resolve("in-done")); // root-owned: made writable for ftp below
            Files.setOwner(ftp.root().resolve("in-done"), Files.getOwner(ftp.writable()));
            Path sub = Files.createDirectories(ftp.writable().resolve("sub"));
            Files.setOwner(sub, Files.getOwner(ftp.writable()));
            Path remote = Files.write(sub.resolve("b.wav"), new byte[0]);
            source.poll();
            source.poll();
            assertEquals(1, journal.submitted.size());
            Files.write(remote, TestData.bytes(5000, 2)); // replaced before its relay ended
            source.poll();
            source.poll();
            assertEquals(2, journal.submitted.size(), "the new version is pulled too");
            assertEquals(5000, Files.size(journal.staged.get(1)));
            journal.delivered(journal.submitted.get(1));
            source.poll();
            assertFalse(Files.exists(remote));
            assertEquals(5000, Files.size(ftp.root().resolve("in-done/sub/b.wav")));
        }
    }

    @Test
    void aPullCutShortIsResumedFromThePartialAndASingleSessionDeviceIsNeverOpenedTwice() throws Exception {
        Journal journal = new Journal();
        // max_per_ip=1: a second connection from this address is refused, as a camera allowing one login does
        try (FtpSource source = source("max_per_ip=1\n", After.DELETE, true, journal)) {
            byte[] whole = TestData.bytes(1_500_000, 9);
            Files.write(ftp.writable().resolve("c.mxf"), whole);
            Path remote = ftp.writable().resolve("c.mxf");
            RemoteFile listed = new RemoteFile("c.mxf", whole.length,
                    Files.getLastModifiedTime(remote).toMillis() / 1000 * 1000); // FTP times are whole seconds
            Path partial = FtpSource.partial(dir.resolve("staging/c.mxf"), listed);
            Files.createDirectories(partial.getParent());
            Files.write(partial, java.util.Arrays.copyOf(whole, 600_000));
            Path older = Files.write(dir.resolve("staging/.c.mxf.99-1" + FtpSource.PARTIAL), new byte[99]);
            source.poll();
            source.poll();
            assertEquals(List.of(listed), journal.submitted);
            assertArrayEquals(whole, Files.readAllBytes(journal.staged.get(0)));
            assertEquals(900_000, source.bytesPulled(), "only the missing part crossed");
            assertFalse(Files.exists(older), "a partial of another version is dropped");
            journal.delivered(journal.submitted.get(0));
            source.poll();
            assertFalse(Files.exists(ftp.writable().resolve("c.mxf")));
        }
    }

    @Test
    void aDeadServerIsReportedAndTheNextPollCarriesOn() throws Exception {
        Journal journal = new Journal();
        try (FtpSource source = source("", After.KEEP, false, journal)) {
            Files.write(ftp.writable().resolve("d.wav"), new byte[100]);
            source.poll();
            ftp.kill();
            IOException down = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, source::poll);
            assertTrue(down.getMessage().contains("127.0.0.1"), down.getMessage());
            ftp.restart();
            source.poll(); // a new listing after the gap: not yet steady
            source.poll();
            assertEquals(1, journal.submitted.size());
        }
    }
}

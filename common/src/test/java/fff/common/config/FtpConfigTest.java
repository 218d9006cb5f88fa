package fff.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FtpConfigTest {

    @TempDir
    Path dir;

    private static final String DESTS = """
            destinations:
              b: {peer: "b.example:7700"}
              archive: {ftp: "ftps://arch@ftp.example:2121/in/", password-env: ARCHIVE_FTP_PASSWORD}
              usb: {local: backup}
            """;

    @Test
    void ftpAndLocalDestinationsAreRead() throws Exception {
        NodeConfig c = ConfigFiles.load(dir, DESTS);
        FtpLocation ftp = c.destinations().get("archive").ftp();
        assertEquals(Destination.Kind.FTP, c.destinations().get("archive").kind());
        assertTrue(ftp.tls());
        assertEquals("arch", ftp.user());
        assertEquals("ftp.example", ftp.host());
        assertEquals(2121, ftp.port());
        assertEquals("/in", ftp.dir());
        assertEquals("/in/a/b.mxf", ftp.resolve("a/b.mxf"));
        assertEquals("ftps://arch@ftp.example:2121/in", ftp.toString());
        assertFalse(ftp.active());
        assertEquals(dir.resolve("backup"), c.destinations().get("usb").local());
        assertEquals(Destination.Kind.LOCAL, c.destinations().get("usb").kind());
    }

    @Test
    void passwordsComeFromTheEnvironmentOrAFileNeverFromTheUrl() throws IOException {
        FtpLocation env = FtpLocation.parse("k", "ftp://u@h/", "PW", null, null, false);
        assertEquals("secret", env.password(Map.of("PW", "secret")::get));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> env.password(name -> null));
        assertEquals("k: environment variable PW (password-env) is not set", e.getMessage());

        Path file = Files.writeString(dir.resolve("pw"), "from-file\nignored\n");
        assertEquals("from-file", FtpLocation.parse("k", "ftp://u@h/", null, file, null, false).password(n -> null));

        assertEquals("anonymous@", FtpLocation.parse("k", "ftp://h/pub", null, null, null, false).password(n -> null));
        e = assertThrows(IllegalStateException.class,
                () -> FtpLocation.parse("k", "ftp://u@h/", null, null, null, false).password(n -> null));
        assertEquals("k: user 'u' needs a password-env or password-file", e.getMessage());

        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> FtpLocation.parse("k", "ftp://u:hunter2@h/", null, null, null, false));
        assertFalse(bad.getMessage().contains("hunter2"), bad.getMessage());
        assertEquals("k: the URL holds a password; put it in an environment variable (password-env) or a file "
                + "(password-file) instead", bad.getMessage());
    }

    @Test
    void badUrlsAreRefusedWithTheKey() throws IOException {
        assertEquals("destinations.x.ftp: 'http://h/in' is not an ftp:// or ftps:// URL",
                ConfigFiles.error(dir, "destinations: {x: {ftp: \"http://h/in\"}}\n"));
        assertEquals("destinations.x.ftp: folder '/in/../etc' has '..' in it",
                ConfigFiles.error(dir, "destinations: {x: {ftp: \"ftp://h/in/../etc\"}}\n"));
        assertEquals("destinations.x.ftp: ca-file is for ftps:// only",
                ConfigFiles.error(dir, "destinations: {x: {ftp: \"ftp://h/in\", ca-file: ca.pem}}\n"));
        assertEquals("destinations.x.ftp: give one of password-env and password-file, not both",
                ConfigFiles.error(dir, "destinations: {x: {ftp: \"ftp://u@h/\", password-env: A, password-file: f}}\n"));
        assertEquals("destinations.x: give exactly one of peer, ftp, local (got 2)",
                ConfigFiles.error(dir, "destinations: {x: {ftp: \"ftp://h/\", local: /mnt}}\n"));
    }

    @Test
    void sourcesAreReadWithDefaults() throws Exception {
        NodeConfig c = ConfigFiles.load(dir, DESTS + """
                groups: {total: {limit: 4, children: {VidServer: {limit: 2}}}}
                sources:
                  - ftp: "ftp://cam@camera.example/clips"
                    password-env: CAM_FTP_PASSWORD
                    to: "b:clips/"
                  - name: cam2
                    ftp: "ftp://cam@camera2.example/clips"
                    password-file: pw
                    include: ["*.mxf"]
                    poll: 2s
                    single-session: true
                    group: VidServer
                    to: archive
                    after: "move:done"
                    staging: stage
                """);
        assertEquals(2, c.sources().size());
        SourceRule first = c.sources().get(0);
        assertEquals("ftp://cam@camera.example/clips", first.name());
        assertEquals("total", first.group());
        assertEquals(SourceRule.DEFAULT_POLL, first.poll());
        assertEquals(List.of("**"), first.include());
        assertFalse(first.recursive());
        assertFalse(first.singleSession());
        assertEquals(After.KEEP, first.after());
        assertNull(first.staging());
        assertEquals(new Route("b", "clips"), first.to());

        SourceRule second = c.sources().get(1);
        assertEquals("cam2", second.name());
        assertEquals(Duration.ofSeconds(2), second.poll());
        assertTrue(second.singleSession());
        assertEquals("VidServer", second.group());
        assertEquals(After.move(Path.of("/clips/done")), second.after());
        assertEquals(dir.resolve("stage"), second.staging());
        assertEquals(dir.resolve("pw"), second.ftp().passwordFile());
    }

    @Test
    void ftpAndLocalDestinationsTakeAProfile() throws Exception {
        NodeConfig c = ConfigFiles.load(dir, DESTS + "watch: [{path: out, to: \"archive:in\", profile: proxy}]\n"
                + "sources: [{ftp: \"ftp://h/in\", to: usb, profile: imx30}]\n");
        assertEquals("proxy", c.watch().get(0).profile());
        assertEquals("imx30", c.sources().get(0).profile());
    }

    @Test
    void sourceErrorsNameTheKey() throws IOException {
        assertEquals("sources[0].to: 'c:x': unknown destination 'c' (destinations: b, archive, usb)",
                ConfigFiles.error(dir, DESTS + "sources: [{ftp: \"ftp://h/in\", to: \"c:x\"}]\n"));
        assertEquals("sources[0].ftp: required (ftp://user@host/folder)",
                ConfigFiles.error(dir, DESTS + "sources: [{to: b}]\n"));
        assertEquals("sources[0].poll: '500ms' is under 1s",
                ConfigFiles.error(dir, DESTS + "sources: [{ftp: \"ftp://h/in\", to: b, poll: 500ms}]\n"));
        assertEquals("sources[0].after: 'move:../x' is not keep, delete or move:DIR (a folder on the server, "
                + "without '..')", ConfigFiles.error(dir, DESTS
                + "sources: [{ftp: \"ftp://h/in\", to: b, after: \"move:../x\"}]\n"));
        assertEquals("sources[0].after: 'move:/in/done' is inside the polled folder /in (recursive); the files "
                + "would be pulled again", ConfigFiles.error(dir, DESTS
                + "sources: [{ftp: \"ftp://h/in\", to: b, recursive: true, after: \"move:done\"}]\n"));
        assertEquals("sources[1].name: 'cam' is already the name of sources[0]", ConfigFiles.error(dir, DESTS
                + "sources: [{name: cam, ftp: \"ftp://h/in\", to: b}, {name: cam, ftp: \"ftp://h/in2\", to: b}]\n"));
        assertEquals("sources[0].name: 'out' is already the name of watch[0]", ConfigFiles.error(dir, DESTS
                + "watch: [{name: out, path: out, to: b}]\nsources: [{name: out, ftp: \"ftp://h/in\", to: b}]\n"));
        assertEquals("sources[0].profile: unknown profile 'imx31' (profiles: imx30, proxy, h265-mkv, h264-mkv, webp)",
                ConfigFiles.error(dir, DESTS + "sources: [{ftp: \"ftp://h/in\", to: usb, profile: imx31}]\n"));
    }
}

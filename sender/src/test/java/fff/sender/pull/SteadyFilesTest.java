package fff.sender.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import fff.common.paths.PathRefusal;
import fff.sender.ftp.RemoteFile;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SteadyFilesTest {

    @Test
    void aFileIsSteadyOnceTwoListingsInARowShowItUnchanged() {
        SteadyFiles steady = new SteadyFiles();
        RemoteFile a = new RemoteFile("a.mxf", 10, 1000);
        RemoteFile growing = new RemoteFile("b.mxf", 5, 1000);
        assertEquals(List.of(), steady.steady(List.of(a, growing)));
        RemoteFile grown = new RemoteFile("b.mxf", 9, 2000);
        assertEquals(List.of(a), steady.steady(List.of(a, grown)));
        assertEquals(List.of(a, grown), steady.steady(List.of(a, grown)));
        RemoteFile touched = new RemoteFile("a.mxf", 10, 3000);
        assertEquals(List.of(grown), steady.steady(List.of(touched, grown)));
    }

    @Test
    void aFileThatVanishesForOneListingStartsOver() {
        SteadyFiles steady = new SteadyFiles();
        RemoteFile a = new RemoteFile("x/a.wav", 10, 1000);
        steady.steady(List.of(a));
        steady.steady(List.of());
        assertEquals(List.of(), steady.steady(List.of(a)));
        assertEquals(List.of(a), steady.steady(List.of(a)));
    }

    @Test
    void pathsFromTheServerMustStayInsideTheStagingFolder() throws Exception {
        Path staging = Path.of("/srv/staging");
        assertEquals(staging.resolve("a.mxf"), FtpSource.staged(staging, "a.mxf"));
        assertEquals(staging.resolve("day 1/cam-a/clip.mxf"), FtpSource.staged(staging, "day 1/cam-a/clip.mxf"));
        for (String hostile : List.of("../etc/passwd", "a/../../b", "/etc/passwd", "a//b", "a/./b", "a\\b", "",
                "x\0y", "a/", ".a.mxf.fff-partial")) {
            assertThrows(PathRefusal.class, () -> FtpSource.staged(staging, hostile), hostile);
        }
    }
}

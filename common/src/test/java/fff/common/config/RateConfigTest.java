package fff.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import fff.common.rate.Rate;
import fff.common.rate.RateSchedule;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code node.rate} and {@code destinations.NAME.rate}: a constant rate as one value, a schedule as a list. */
class RateConfigTest {

    @TempDir
    Path dir;

    @Test
    void aValueIsAConstantRateAndAListASchedule() throws Exception {
        NodeConfig c = ConfigFiles.load(dir, """
                node: {rate: 100M}
                destinations:
                  siteB:
                    peer: "b:7700"
                    rate:
                      - "08:00-18:00 Mon-Fri 200M"
                      - "otherwise unlimited"
                  archive: {ftp: "ftp://a/in", rate: 25MB/s}
                  usb: {local: /mnt/usb, rate: off}
                  siteC: {peer: "c:7700"}
                """);
        assertEquals(RateSchedule.constant(new Rate(100_000_000)), c.node().rate());
        assertEquals(List.of("08:00-18:00 Mon-Fri 200M", "otherwise unlimited"),
                c.destinations().get("siteB").rate().lines());
        assertEquals(RateSchedule.constant(new Rate(200_000_000)), c.destinations().get("archive").rate());
        assertEquals(RateSchedule.UNLIMITED, c.destinations().get("usb").rate());
        assertEquals(RateSchedule.UNLIMITED, c.destinations().get("siteC").rate(), "default: no limit");
        assertEquals(RateSchedule.UNLIMITED, ConfigFiles.load(dir, "").node().rate());
    }

    @Test
    void aBadRateNamesTheKeyAndTheLine() throws IOException {
        assertEquals("node.rate: '200Mb' is ambiguous: write 200Mbit/s for bits or 200MB/s for bytes per second",
                ConfigFiles.error(dir, "node: {rate: 200Mb}\n"));
        assertEquals("node.rate: '1000000' has no unit (e.g. 200M or 200Mbit/s for megabits per second, 25MB/s for "
                + "megabytes per second, or unlimited)", ConfigFiles.error(dir, "node: {rate: 1000000}\n"));
        assertEquals("destinations.siteB.rate[1]: 'Mom' is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun, or daily)",
                ConfigFiles.error(dir, """
                        destinations:
                          siteB:
                            peer: "b:7700"
                            rate: ["08:00-18:00 Mon-Fri 200M", "Mom 1G", "otherwise unlimited"]
                        """));
        assertEquals("destinations.siteB.rate: '0' must be above 0 (write unlimited for no limit)",
                ConfigFiles.error(dir, "destinations: {siteB: {peer: \"b:7700\", rate: 0}}\n"));
        assertEquals("destinations.siteB.rate: expected a single value, not a mapping",
                ConfigFiles.error(dir, "destinations: {siteB: {peer: \"b:7700\", rate: {max: 1G}}}\n"));
    }
}

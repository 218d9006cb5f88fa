package fff.common.rate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RateTest {

    @ParameterizedTest
    @CsvSource({
        "200M, 200000000",
        "200m, 200000000",
        "200Mbit, 200000000",
        "200 Mbit/s, 200000000",
        "200Mbits/s, 200000000",
        "200Mbps, 200000000",
        "25MB/s, 200000000",
        "25MB, 200000000",
        "25 MB/s, 200000000",
        "25Mbyte/s, 200000000",
        "25 Mbytes, 200000000",
        "1MiB/s, 8388608",
        "500kB/s, 4000000",
        "500KiB, 4096000",
        "100B/s, 800",
        "64k, 64000",
        "64K, 64000",
        "1.5G, 1500000000",
        "2T, 2000000000000",
        "8bit/s, 8",
        "' 10M ', 10000000",
        "0.5kbit/s, 500",
    })
    void parsesBitsAndExplicitBytes(String text, long bitsPerSecond) {
        assertEquals(new Rate(bitsPerSecond), Rate.parse("k", text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"unlimited", "off", "Unlimited", "OFF", " off "})
    void unlimitedAndOffMeanNoLimit(String text) {
        Rate r = Rate.parse("k", text);
        assertTrue(r.unlimited());
        assertEquals(Rate.UNLIMITED, r);
    }

    @Test
    void refusesWithMessagesNamingTheKey() {
        assertEquals("destinations.siteB.rate: '200Mb' is ambiguous: write 200Mbit/s for bits or 200MB/s for bytes "
                + "per second", error("destinations.siteB.rate", "200Mb"));
        assertEquals("r: '5mb/s' is ambiguous: write 5mbit/s for bits or 5mB/s for bytes per second",
                error("r", "5mb/s"));
        assertEquals("r: '10MBps' is ambiguous: write 10Mbit/s for bits or 10MB/s for bytes per second",
                error("r", "10MBps"));
        assertEquals("r: '5000000' has no unit (e.g. 200M or 200Mbit/s for megabits per second, 25MB/s for "
                + "megabytes per second, or unlimited)", error("r", "5000000"));
        assertEquals("r: 'fast' is not a rate (e.g. 200M or 200Mbit/s for megabits per second, 25MB/s for "
                + "megabytes per second, or unlimited)", error("r", "fast"));
        assertEquals("r: '200Mfoo' is not a rate (e.g. 200M or 200Mbit/s for megabits per second, 25MB/s for "
                + "megabytes per second, or unlimited)", error("r", "200Mfoo"));
        assertEquals("r: '' is not a rate (e.g. 200M or 200Mbit/s for megabits per second, 25MB/s for "
                + "megabytes per second, or unlimited)", error("r", ""));
        assertEquals("r: '0' must be above 0 (write unlimited for no limit)", error("r", "0"));
        assertEquals("r: '0M' must be above 0 (write unlimited for no limit)", error("r", "0M"));
        assertEquals("r: '-5M' must be above 0 (write unlimited for no limit)", error("r", "-5M"));
        assertEquals("r: '0.1bit/s' must be above 0 (write unlimited for no limit)", error("r", "0.1bit/s"));
        assertEquals("r: '99999999999T' is too large", error("r", "99999999999T"));
    }

    @Test
    void printsTheShortestTextItReadsBack() {
        assertEquals("200M", new Rate(200_000_000).toString());
        assertEquals("1500k", new Rate(1_500_000).toString());
        assertEquals("1G", new Rate(1_000_000_000).toString());
        assertEquals("8388608bit/s", new Rate(8_388_608).toString());
        assertEquals("1000T", new Rate(1_000_000_000_000_000L).toString());
        assertEquals("unlimited", Rate.UNLIMITED.toString());
        for (long bits : new long[] {1, 999, 1000, 64_000, 8_388_608, 200_000_000, 1_000_000_000_000_000L}) {
            assertEquals(new Rate(bits), Rate.parse("k", new Rate(bits).toString()));
        }
        assertEquals(Rate.UNLIMITED, Rate.parse("k", Rate.UNLIMITED.toString()));
    }

    @Test
    void bytesPerSecondIsAnEighth() {
        assertEquals(25_000_000.0, Rate.parse("k", "200M").bytesPerSecond());
        assertEquals(0.125, new Rate(1).bytesPerSecond());
    }

    private static String error(String key, String text) {
        return assertThrows(IllegalArgumentException.class, () -> Rate.parse(key, text)).getMessage();
    }
}

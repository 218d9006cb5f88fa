package fff.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizeTest {

    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "4096, 4096",
        "12B, 12",
        "1K, 1024",
        "500M, 524288000",
        "1G, 1073741824",
        "1g, 1073741824",
        "10GiB, 10737418240",
        "10 GiB, 10737418240",
        "1GB, 1000000000",
        "2T, 2199023255552",
        "1.5G, 1610612736",
        "0.3K, 307",
    })
    void parses(String text, long bytes) {
        assertEquals(bytes, ByteSize.parse("k", text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "G", "-1", "1X", "1 G B", "1.G", "1e3", "1GiBs", "9999999999T"})
    void refusesNamingKeyAndValue(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("a.b", text));
        assertEquals(true, e.getMessage().startsWith("a.b: '" + text + "' is "), e.getMessage());
    }

    @Test
    void formatsShortestExactText() {
        assertEquals("0", ByteSize.format(0));
        assertEquals("1000", ByteSize.format(1000));
        assertEquals("1G", ByteSize.format(1L << 30));
        assertEquals("1536M", ByteSize.format(1536L << 20));
        assertEquals("1024T", ByteSize.format(1L << 50));
        for (long n : new long[] {1, 1023, 1025, 1L << 40, 123456789L}) {
            assertEquals(n, ByteSize.parse("k", ByteSize.format(n)));
        }
    }
}

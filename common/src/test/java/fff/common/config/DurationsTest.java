package fff.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
        "0, PT0S",
        "7d, PT168H",
        "12h, PT12H",
        "30m, PT30M",
        "45s, PT45S",
        "250ms, PT0.25S",
        "1h30m, PT1H30M",
        "1d2h3m4s5ms, PT26H3M4.005S",
        "' 5s ', PT5S",
    })
    void parses(String text, Duration expected) {
        assertEquals(expected, Durations.parse("k", text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "s", "7days", "7D", "1M", "30m1h", "1h1h", "-5s", "1.5h", "5 s", "P7D"})
    void refusesNamingKeyAndValue(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse("a.b", text));
        assertEquals("a.b: '" + text + "' is not a duration (e.g. 45s, 30m, 12h, 7d, 1h30m)", e.getMessage());
    }

    @Test
    void tooLongIsAnErrorNotAnOverflow() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Durations.parse("a.b", "99999999999999999999d"));
        assertEquals("a.b: '99999999999999999999d' is too long", e.getMessage());
    }

    @Test
    void formatsWhatItParses() {
        for (String text : new String[] {"0", "7d", "12h", "1h30m", "45s", "250ms", "1d2h3m4s5ms"}) {
            assertEquals(text, Durations.format(Durations.parse("k", text)));
        }
    }
}

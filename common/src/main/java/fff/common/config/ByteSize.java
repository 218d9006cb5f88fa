package fff.common.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes written in config, like rsync writes them: a number of bytes ({@code 0}, {@code 4096}) or a number with
 * a unit. {@code K M G T} and {@code KiB MiB GiB TiB} are powers of 1024, {@code KB MB GB TB} powers of 1000;
 * {@code B} is bytes. Units are case-insensitive, a space before the unit is allowed, and the number may have
 * a fraction ({@code 1.5G}; a fraction of a byte is dropped).
 */
public final class ByteSize {

    private static final Pattern SIZE =
            Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(?:([kmgt])(i?b)?|(b))?", Pattern.CASE_INSENSITIVE);
    private static final String UNITS = "kmgt";
    private static final BigDecimal MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private ByteSize() {}

    /**
     * Reads {@code value}, the text of config key {@code key}.
     *
     * @throws IllegalArgumentException naming {@code key} and {@code value} when it is not a size
     */
    public static long parse(String key, String value) {
        Matcher m = SIZE.matcher(value == null ? "" : value.strip());
        if (!m.matches()) {
            throw bad(key, value, "is not a size (e.g. 0, 500M, 1G, 10GiB)");
        }
        BigDecimal bytes = new BigDecimal(m.group(1));
        if (m.group(2) != null) {
            int power = UNITS.indexOf(m.group(2).toLowerCase(Locale.ROOT)) + 1;
            boolean decimal = m.group(3) != null && m.group(3).equalsIgnoreCase("b");
            bytes = bytes.multiply(BigDecimal.valueOf(decimal ? 1000 : 1024).pow(power));
        }
        if (bytes.compareTo(MAX) > 0) {
            throw bad(key, value, "is too large");
        }
        return bytes.setScale(0, RoundingMode.FLOOR).longValueExact();
    }

    /** The shortest exact text {@link #parse} reads back: {@code 1G}, {@code 1536M}, {@code 1000}. */
    public static String format(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative size " + bytes);
        }
        String unit = "";
        for (int i = 0; i < UNITS.length() && bytes != 0 && bytes % 1024 == 0; i++) {
            bytes /= 1024;
            unit = String.valueOf(Character.toUpperCase(UNITS.charAt(i)));
        }
        return bytes + unit;
    }

    private static IllegalArgumentException bad(String key, String value, String why) {
        return new IllegalArgumentException(key + ": '" + value + "' " + why);
    }
}

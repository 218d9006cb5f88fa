package fff.common.rate;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bandwidth limit in bits per second, or {@link #UNLIMITED}.
 *
 * <p>Written the way networks are: {@code 200M}, {@code 200Mbit}, {@code 200 Mbit/s} and {@code 200Mbps} are
 * 200,000,000 bit/s; prefixes {@code k M G T} are powers of 1000 and may be lower case. Bytes must be spelled
 * with a capital {@code B} or as {@code byte}: {@code 25MB/s} (= 200M), {@code 25MiB/s} (1024-based),
 * {@code 500kB}, {@code 25Mbyte/s}. A bare
 * number and a lower-case {@code b} ({@code 200Mb}) are refused as ambiguous; so is {@code Bps}. Unlike rclone's
 * {@code --bwlimit}, where {@code 10M} means 10 MiB/s, a bare prefix means bits. {@code unlimited} and
 * {@code off} mean no limit.
 *
 * @param bitsPerSecond above 0, or 0 for {@link #UNLIMITED}
 */
public record Rate(long bitsPerSecond) {

    public static final Rate UNLIMITED = new Rate(0);

    private static final Pattern RATE = Pattern.compile("(-?\\d+(?:\\.\\d+)?)\\s*([kKmMgGtT]?)(\\S*)");
    private static final Pattern BITS = Pattern.compile("(?i:bits?)(?:/s)?|bps");
    private static final Pattern BYTES = Pattern.compile("(?:i?B|(?i:bytes?))(?:/s)?");
    private static final String PREFIXES = "kmgt";
    private static final BigDecimal MAX = BigDecimal.valueOf(Long.MAX_VALUE);
    private static final String EXAMPLES =
            "e.g. 200M or 200Mbit/s for megabits per second, 25MB/s for megabytes per second, or unlimited";

    public Rate {
        if (bitsPerSecond < 0) {
            throw new IllegalArgumentException("negative rate " + bitsPerSecond);
        }
    }

    public boolean unlimited() {
        return bitsPerSecond == 0;
    }

    /** Bytes per second (a fraction at rates that are not a multiple of 8 bit/s); 0 when unlimited. */
    public double bytesPerSecond() {
        return bitsPerSecond / 8.0;
    }

    /**
     * Reads {@code value}, the text of config key (or API field) {@code key}.
     *
     * @throws IllegalArgumentException naming {@code key} and {@code value} when it is not a rate above 0
     */
    public static Rate parse(String key, String value) {
        String s = value == null ? "" : value.strip();
        if (s.equalsIgnoreCase("unlimited") || s.equalsIgnoreCase("off")) {
            return UNLIMITED;
        }
        Matcher m = RATE.matcher(s);
        if (!m.matches()) {
            throw bad(key, value, "is not a rate (" + EXAMPLES + ")");
        }
        String prefix = m.group(2);
        String unit = m.group(3);
        int power = prefix.isEmpty() ? 0 : PREFIXES.indexOf(Character.toLowerCase(prefix.charAt(0))) + 1;
        BigDecimal bits = new BigDecimal(m.group(1));
        if (bits.signum() <= 0) {
            throw bad(key, value, "must be above 0 (write unlimited for no limit)");
        }
        if (unit.isEmpty() && prefix.isEmpty()) {
            throw bad(key, value, "has no unit (" + EXAMPLES + ")");
        } else if (unit.isEmpty() || BITS.matcher(unit).matches()) {
            bits = bits.multiply(BigDecimal.valueOf(1000).pow(power));
        } else if (BYTES.matcher(unit).matches() && !(prefix.isEmpty() && unit.startsWith("i"))) {
            int base = unit.startsWith("i") ? 1024 : 1000;
            bits = bits.multiply(BigDecimal.valueOf(base).pow(power)).multiply(BigDecimal.valueOf(8));
        } else if (unit.startsWith("b") || unit.equals("Bps")) {
            throw bad(key, value, "is ambiguous: write " + m.group(1) + prefix + "bit/s for bits or " + m.group(1)
                    + prefix + "B/s for bytes per second");
        } else {
            throw bad(key, value, "is not a rate (" + EXAMPLES + ")");
        }
        if (bits.compareTo(MAX) > 0) {
            throw bad(key, value, "is too large");
        }
        long whole = bits.setScale(0, RoundingMode.FLOOR).longValueExact();
        if (whole <= 0) {
            throw bad(key, value, "must be above 0 (write unlimited for no limit)");
        }
        return new Rate(whole);
    }

    /** The shortest text {@link #parse} reads back exactly: {@code unlimited}, {@code 200M}, {@code 1500k}. */
    @Override
    public String toString() {
        if (unlimited()) {
            return "unlimited";
        }
        long n = bitsPerSecond;
        int power = 0;
        while (power < PREFIXES.length() && n % 1000 == 0) {
            n /= 1000;
            power++;
        }
        return power == 0 ? n + "bit/s" : n + (power == 1 ? "k" : String.valueOf(
                Character.toUpperCase(PREFIXES.charAt(power - 1))));
    }

    private static IllegalArgumentException bad(String key, String value, String why) {
        return new IllegalArgumentException(key + ": '" + value + "' " + why);
    }
}

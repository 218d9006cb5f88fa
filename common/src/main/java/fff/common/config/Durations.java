package fff.common.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations written in config: one or more number-unit pairs, largest first, with units {@code d h m s ms}
 * ({@code 7d}, {@code 12h}, {@code 1h30m}, {@code 45s}, {@code 250ms}), or a bare {@code 0}. Units are
 * lower case so that {@code m} (minutes) is never read as months.
 */
public final class Durations {

    private static final Pattern PART = Pattern.compile("(\\d+)(ms|d|h|m|s)");
    private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:ms|d|h|m|s))+");

    private Durations() {}

    /**
     * Reads {@code value}, the text of config key {@code key}.
     *
     * @throws IllegalArgumentException naming {@code key} and {@code value} when it is not a duration
     */
    public static Duration parse(String key, String value) {
        String s = value == null ? "" : value.strip();
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (!WHOLE.matcher(s).matches()) {
            throw bad(key, value);
        }
        Duration total = Duration.ZERO;
        Matcher m = PART.matcher(s);
        int lastRank = Integer.MAX_VALUE;
        try {
            while (m.find()) {
                long n = Long.parseLong(m.group(1));
                int rank = switch (m.group(2)) {
                    case "d" -> 4;
                    case "h" -> 3;
                    case "m" -> 2;
                    case "s" -> 1;
                    default -> 0;
                };
                if (rank >= lastRank) {
                    throw bad(key, value);
                }
                lastRank = rank;
                total = total.plus(switch (rank) {
                    case 4 -> Duration.ofDays(n);
                    case 3 -> Duration.ofHours(n);
                    case 2 -> Duration.ofMinutes(n);
                    case 1 -> Duration.ofSeconds(n);
                    default -> Duration.ofMillis(n);
                });
            }
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + value + "' is too long", e);
        }
        return total;
    }

    /** The text {@link #parse} reads back, largest units first: {@code 7d}, {@code 1h30m}, {@code 0}. */
    public static String format(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("negative duration " + d);
        }
        if (d.isZero()) {
            return "0";
        }
        StringBuilder sb = new StringBuilder();
        append(sb, d.toDays(), "d");
        append(sb, d.toHoursPart(), "h");
        append(sb, d.toMinutesPart(), "m");
        append(sb, d.toSecondsPart(), "s");
        append(sb, d.toMillisPart(), "ms");
        return sb.toString();
    }

    private static void append(StringBuilder sb, long n, String unit) {
        if (n != 0) {
            sb.append(n).append(unit);
        }
    }

    private static IllegalArgumentException bad(String key, String value) {
        return new IllegalArgumentException(
                key + ": '" + value + "' is not a duration (e.g. 45s, 30m, 12h, 7d, 1h30m)");
    }
}

package fff.common.rate;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A weekly timetable of rates, like rclone's {@code --bwlimit} timetable: windows tried in order, the first
 * that covers an instant gives its rate, {@link #otherwise()} covers the rest. Evaluated in wall-clock time of
 * a zone (the node's), so {@code 08:00} stays 08:00 across daylight saving changes.
 *
 * <p>One line per window, {@code [HH:MM-HH:MM] [DAYS] RATE}, with at least a time range or days, and last, if
 * wanted, {@code otherwise RATE} (default {@code unlimited}):
 * <pre>
 *   08:00-18:00 Mon-Fri 200M       working hours
 *   22:00-06:00 1G                 every night; a range past midnight belongs to the day it starts on
 *   Sat,Sun 500M                   whole days
 *   otherwise unlimited
 * </pre>
 * Days are {@code Mon Tue Wed Thu Fri Sat Sun} (or full names, any case), ranges ({@code Mon-Fri},
 * {@code Fri-Mon} wraps), lists ({@code Sat,Sun}, {@code Mon-Wed,Fri}) or {@code daily}; a time range alone
 * is daily, days alone are whole days. {@code 24:00} ends a day. A single line that is only a rate is a constant
 * rate. Rates as {@link Rate#parse} reads them.
 *
 * @param windows   tried in order
 * @param otherwise the rate when no window covers the instant
 */
public record RateSchedule(List<Window> windows, Rate otherwise) {

    private static final Pattern TIME_RANGE = Pattern.compile("(\\d{1,2}):(\\d{2})-(\\d{1,2}):(\\d{2})");
    private static final Pattern DAYS = Pattern.compile("[A-Za-z]+(?:[-,][A-Za-z]+)*");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(?:\\.\\d+)?");
    private static final int DAY_MINUTES = 24 * 60;
    private static final long MINUTE_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final String LINE_EXAMPLE = "e.g. \"08:00-18:00 Mon-Fri 200M\", then \"otherwise RATE\" last";

    /** No limit at any time. */
    public static final RateSchedule UNLIMITED = constant(Rate.UNLIMITED);

    /**
     * One line of a schedule.
     *
     * @param days     the days the window starts on
     * @param from     minute of the day it starts, 0..1439
     * @param to       minute of the day it ends, 1..1440, not {@code from}; below {@code from}: the next day
     * @param rate     the rate while it covers an instant
     */
    public record Window(Set<DayOfWeek> days, int from, int to, Rate rate) {

        public Window {
            days = Set.copyOf(days);
            if (days.isEmpty() || from < 0 || from >= DAY_MINUTES || to <= 0 || to > DAY_MINUTES || from == to) {
                throw new IllegalArgumentException(
                        "window " + days + " " + from + "-" + to + " is empty or out of range");
            }
        }

        boolean covers(DayOfWeek day, long nanoOfDay) {
            long start = from * MINUTE_NANOS;
            long end = to * MINUTE_NANOS;
            if (from < to) {
                return days.contains(day) && nanoOfDay >= start && nanoOfDay < end;
            }
            return days.contains(day) && nanoOfDay >= start || days.contains(day.minus(1)) && nanoOfDay < end;
        }

        /** As {@link #parse} reads it back: {@code 08:00-18:00 Mon-Fri 200M}, {@code Sat,Sun 1G}. */
        @Override
        public String toString() {
            boolean wholeDay = from == 0 && to == DAY_MINUTES;
            boolean daily = days.size() == 7;
            String time = wholeDay ? "" : clock(from) + "-" + clock(to) + " ";
            String d = daily && !wholeDay ? "" : dayList(days) + " ";
            return time + d + rate;
        }
    }

    public RateSchedule {
        windows = List.copyOf(windows);
        if (otherwise == null) {
            throw new IllegalArgumentException("otherwise: a rate is needed");
        }
    }

    /** The same rate at all times. */
    public static RateSchedule constant(Rate rate) {
        return new RateSchedule(List.of(), rate);
    }

    /** Whether the rate never changes (no windows, or all windows have the {@code otherwise} rate). */
    public boolean isConstant() {
        return windows.stream().allMatch(w -> w.rate().equals(otherwise));
    }

    /**
     * Reads the lines of config key {@code key}: a list ({@code list}: each blamed as {@code key[i]}), or a
     * single value, which may be just a rate.
     *
     * @throws IllegalArgumentException naming the key, the line and what is wrong with it
     */
    public static RateSchedule parse(String key, List<String> lines, boolean list) {
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(key + ": no rate (e.g. 200M, unlimited, or a list of lines, "
                    + LINE_EXAMPLE + ")");
        }
        List<Window> windows = new ArrayList<>();
        Rate otherwise = null;
        for (int i = 0; i < lines.size(); i++) {
            String lineKey = list ? key + "[" + i + "]" : key;
            String line = lines.get(i) == null ? "" : lines.get(i).strip();
            if (otherwise != null) {
                throw new IllegalArgumentException(key + "[" + (i - 1) + "]: 'otherwise' must be the last line");
            }
            String[] words = line.isEmpty() ? new String[0] : line.split("\\s+");
            if (words.length > 0 && words[0].equalsIgnoreCase("otherwise")) {
                if (words.length == 1) {
                    throw new IllegalArgumentException(lineKey + ": '" + line + "' names no rate (e.g. otherwise "
                            + "unlimited)");
                }
                otherwise = Rate.parse(lineKey, line.substring(words[0].length()).strip());
                continue;
            }
            Window w = window(lineKey, line, words);
            if (w == null) {
                if (lines.size() > 1) {
                    throw new IllegalArgumentException(lineKey + ": '" + line + "' has no time range or days ("
                            + LINE_EXAMPLE + ")");
                }
                return constant(Rate.parse(lineKey, line));
            }
            windows.add(w);
        }
        return new RateSchedule(windows, otherwise == null ? Rate.UNLIMITED : otherwise);
    }

    /** The window of one line, or null when the line is only a rate. */
    private static Window window(String key, String line, String[] words) {
        // the rate is the last word, or the last two when written with a space ("200 Mbit/s")
        int rateWords = words.length >= 2 && NUMBER.matcher(words[words.length - 2]).matches()
                && Character.isLetter(words[words.length - 1].charAt(0)) ? 2 : 1;
        if (rateWords == 1 && words.length > 0 && timeOrDays(words[words.length - 1])) {
            throw new IllegalArgumentException(key + ": '" + line + "' names no rate (e.g. " + line + " 200M)");
        }
        int from = -1;
        int to = -1;
        Set<DayOfWeek> days = null;
        for (int i = 0; i < words.length - rateWords; i++) {
            String w = words[i];
            Matcher t = TIME_RANGE.matcher(w);
            if (t.matches() && from < 0) {
                from = minute(key, w, t.group(1), t.group(2), false);
                to = minute(key, w, t.group(3), t.group(4), true);
                if (from == to) {
                    throw new IllegalArgumentException(key + ": '" + w + "' is an empty time range (for whole days "
                            + "write only the days, e.g. \"Sat,Sun 1G\")");
                }
            } else if (DAYS.matcher(w).matches() && days == null) {
                days = days(key, w);
            } else {
                throw new IllegalArgumentException(key + ": '" + w + "' in '" + line + "' is "
                        + (t.matches() || DAYS.matcher(w).matches() ? "a second time range or set of days"
                        : "neither a time range (HH:MM-HH:MM) nor days (Mon-Fri, Sat,Sun, daily)"));
            }
        }
        if (from < 0 && days == null) {
            return null;
        }
        Rate rate = Rate.parse(key, String.join(" ", List.of(words).subList(words.length - rateWords, words.length)));
        return new Window(days == null ? EnumSet.allOf(DayOfWeek.class) : days, from < 0 ? 0 : from,
                from < 0 ? DAY_MINUTES : to, rate);
    }

    /** Whether {@code word} reads as a time range or as days (so it cannot be the line's rate). */
    private static boolean timeOrDays(String word) {
        if (TIME_RANGE.matcher(word).matches()) {
            return true;
        }
        try {
            return DAYS.matcher(word).matches() && !days("", word).isEmpty();
        } catch (IllegalArgumentException notDays) {
            return false;
        }
    }

    private static int minute(String key, String range, String hh, String mm, boolean end) {
        int h = Integer.parseInt(hh);
        int m = Integer.parseInt(mm);
        if (m > 59 || h > 24 || h == 24 && (m != 0 || !end)) {
            throw new IllegalArgumentException(key + ": '" + range + "' is not a time range (HH:MM-HH:MM, "
                    + "00:00 to 24:00)");
        }
        int minute = h * 60 + m;
        return end && minute == 0 ? DAY_MINUTES : minute;
    }

    private static Set<DayOfWeek> days(String key, String text) {
        if (text.equalsIgnoreCase("daily")) {
            return EnumSet.allOf(DayOfWeek.class);
        }
        Set<DayOfWeek> out = EnumSet.noneOf(DayOfWeek.class);
        for (String part : text.split(",")) {
            String[] ends = part.split("-");
            if (ends.length > 2 || part.isEmpty()) {
                throw new IllegalArgumentException(key + ": '" + text + "' are not days (Mon-Fri, Sat,Sun, daily)");
            }
            DayOfWeek first = day(key, ends[0]);
            DayOfWeek last = ends.length == 2 ? day(key, ends[1]) : first;
            for (DayOfWeek d = first; ; d = d.plus(1)) {
                out.add(d);
                if (d == last) {
                    break;
                }
            }
        }
        return out;
    }

    private static DayOfWeek day(String key, String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (DayOfWeek d : DayOfWeek.values()) {
            String full = d.name().toLowerCase(Locale.ROOT);
            if (n.equals(full) || n.equals(full.substring(0, 3))) {
                return d;
            }
        }
        throw new IllegalArgumentException(key + ": '" + name + "' is not a day (Mon, Tue, Wed, Thu, Fri, Sat, "
                + "Sun, or daily)");
    }

    /** The rate in force at {@code at}, reading the wall clock of {@code zone}. */
    public Rate rateAt(Instant at, ZoneId zone) {
        ZonedDateTime local = at.atZone(zone);
        DayOfWeek day = local.getDayOfWeek();
        long nanoOfDay = local.toLocalTime().toNanoOfDay();
        for (Window w : windows) {
            if (w.covers(day, nanoOfDay)) {
                return w.rate();
            }
        }
        return otherwise;
    }

    /**
     * The first instant after {@code after} at which the rate differs from the rate at {@code after}, or null
     * when it never does. Exact to the nanosecond, also across a daylight saving change in {@code zone}.
     */
    public Instant nextChange(Instant after, ZoneId zone) {
        if (isConstant()) {
            return null;
        }
        Rate now = rateAt(after, zone);
        // the rate is constant between window edges (wall clock) and the zone's offset changes
        TreeSet<Integer> edges = new TreeSet<>();
        edges.add(0);
        for (Window w : windows) {
            edges.add(w.from());
            edges.add(w.to() % DAY_MINUTES);
        }
        TreeSet<Instant> candidates = new TreeSet<>();
        LocalDate first = after.atZone(zone).toLocalDate();
        for (int d = 0; d <= 8; d++) {
            LocalDate date = first.plusDays(d);
            for (int minute : edges) {
                candidates.add(ZonedDateTime.ofLocal(date.atStartOfDay().plusMinutes(minute), zone, null).toInstant());
            }
        }
        Instant horizon = candidates.last();
        for (ZoneOffsetTransition t = zone.getRules().nextTransition(after);
                t != null && t.getInstant().isBefore(horizon); t = zone.getRules().nextTransition(t.getInstant())) {
            candidates.add(t.getInstant());
        }
        for (Instant c : candidates.tailSet(after, false)) {
            if (!rateAt(c, zone).equals(now)) {
                return c;
            }
        }
        return null;
    }

    /** The lines {@link #parse} reads back into this schedule; a constant rate is one line, its rate. */
    public List<String> lines() {
        if (windows.isEmpty()) {
            return List.of(otherwise.toString());
        }
        List<String> out = new ArrayList<>();
        windows.forEach(w -> out.add(w.toString()));
        out.add("otherwise " + otherwise);
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return String.join("; ", lines());
    }

    private static String clock(int minute) {
        return String.format(Locale.ROOT, "%02d:%02d", minute / 60, minute % 60);
    }

    /**
     * {@code daily}, or runs of three or more days as ranges, others listed: {@code Mon-Fri}, {@code Sat,Sun},
     * {@code Mon,Wed-Fri}.
     */
    private static String dayList(Set<DayOfWeek> days) {
        if (days.size() == 7) {
            return "daily";
        }
        List<String> parts = new ArrayList<>();
        DayOfWeek[] all = DayOfWeek.values();
        for (int i = 0; i < all.length; ) {
            if (!days.contains(all[i])) {
                i++;
                continue;
            }
            int j = i;
            while (j + 1 < all.length && days.contains(all[j + 1])) {
                j++;
            }
            if (j - i >= 2) {
                parts.add(name(all[i]) + "-" + name(all[j]));
            } else {
                for (int k = i; k <= j; k++) {
                    parts.add(name(all[k]));
                }
            }
            i = j + 1;
        }
        return String.join(",", parts);
    }

    private static String name(DayOfWeek d) {
        String n = d.name();
        return n.charAt(0) + n.substring(1, 3).toLowerCase(Locale.ROOT);
    }
}

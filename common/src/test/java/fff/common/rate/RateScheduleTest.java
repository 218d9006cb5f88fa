package fff.common.rate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Schedules read from config lines and evaluated on the wall clock of a zone given by the test (a fixed offset,
 * so nothing depends on the machine's zone; Europe/Berlin where daylight saving is the point). 2024-01-01 was a
 * Monday.
 */
class RateScheduleTest {

    private static final ZoneId ZONE = ZoneOffset.ofHours(2);
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final Rate M200 = new Rate(200_000_000);
    private static final List<String> WORKING_HOURS = List.of("08:00-18:00 Mon-Fri 200M", "otherwise unlimited");

    private static RateSchedule parse(String... lines) {
        return RateSchedule.parse("rate", List.of(lines), true);
    }

    /** 2024-01-{day} at the given wall-clock time in {@link #ZONE}; day 1 is a Monday, 7 a Sunday. */
    private static Instant at(int day, int hour, int minute) {
        return ZonedDateTime.of(2024, 1, day, hour, minute, 0, 0, ZONE).toInstant();
    }

    private static Rate rate(RateSchedule s, Instant at) {
        return s.rateAt(at, ZONE);
    }

    private static String error(String... lines) {
        return assertThrows(IllegalArgumentException.class, () -> parse(lines)).getMessage();
    }

    // ---- reading ----

    @Test
    void aSingleValueThatIsOnlyARateIsConstant() {
        RateSchedule s = RateSchedule.parse("node.rate", List.of("100M"), false);
        assertEquals(RateSchedule.constant(new Rate(100_000_000)), s);
        assertTrue(s.isConstant());
        assertEquals(List.of("100M"), s.lines());
        assertEquals(RateSchedule.UNLIMITED, RateSchedule.parse("node.rate", List.of("unlimited"), false));
        assertEquals(RateSchedule.UNLIMITED, parse("otherwise unlimited"));
    }

    @Test
    void readsWindowsInTheirOrderWithOtherwiseLast() {
        RateSchedule s = parse("08:00-18:00 Mon-Fri 200 Mbit/s", "Sat,Sun 500M", "22:00-06:00 1G",
                "otherwise 50M");
        assertEquals(List.of(
                new RateSchedule.Window(EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), 480, 1080, M200),
                new RateSchedule.Window(EnumSet.of(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY), 0, 1440,
                        new Rate(500_000_000)),
                new RateSchedule.Window(EnumSet.allOf(DayOfWeek.class), 1320, 360, new Rate(1_000_000_000))),
                s.windows());
        assertEquals(new Rate(50_000_000), s.otherwise());
        assertEquals(List.of("08:00-18:00 Mon-Fri 200M", "Sat,Sun 500M", "22:00-06:00 1G", "otherwise 50M"), s.lines());
        assertEquals(s, RateSchedule.parse("k", s.lines(), true), "what it prints reads back the same");
    }

    @Test
    void daysComeAsRangesListsWrapsOrFullNamesInAnyOrderWithTheTime() {
        assertEquals(parse("08:00-18:00 Mon-Fri 200M"), parse("monday-FRIDAY 08:00-18:00 200M"));
        assertEquals(List.of("Mon,Fri-Sun 1G", "otherwise unlimited"), parse("Fri-Mon 1G").lines());
        assertEquals(List.of("08:00-12:00 Mon-Wed,Fri 1G", "otherwise unlimited"),
                parse("08:00-12:00 Mon-Wed,Fri 1G").lines());
        assertEquals(List.of("18:00-24:00 Sun 1G", "otherwise unlimited"), parse("18:00-24:00 Sun 1G").lines());
        assertEquals(List.of("daily 1G", "otherwise unlimited"), parse("daily 1G").lines());
        assertEquals(RateSchedule.UNLIMITED.otherwise(), parse("08:00-18:00 1G").otherwise(),
                "without an otherwise line the rest is unlimited");
    }

    @Test
    void badLinesNameTheKeyTheLineAndTheProblem() {
        assertEquals("rate[0]: 'Mom' is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun, or daily)",
                error("08:00-18:00 Mom-Fri 200M"));
        assertEquals("rate[0]: '25:00-26:00' is not a time range (HH:MM-HH:MM, 00:00 to 24:00)",
                error("25:00-26:00 1G"));
        assertEquals("rate[0]: '24:00-06:00' is not a time range (HH:MM-HH:MM, 00:00 to 24:00)",
                error("24:00-06:00 1G"));
        assertEquals("rate[0]: '08:60-09:00' is not a time range (HH:MM-HH:MM, 00:00 to 24:00)",
                error("08:60-09:00 1G"));
        assertEquals("rate[0]: '08:00-08:00' is an empty time range (for whole days write only the days, e.g. "
                + "\"Sat,Sun 1G\")", error("08:00-08:00 1G"));
        assertEquals("rate[0]: '08:00-18:00 Mon-Fri' names no rate (e.g. 08:00-18:00 Mon-Fri 200M)",
                error("08:00-18:00 Mon-Fri", "otherwise unlimited"));
        assertEquals("rate[0]: 'Sat,Sun' names no rate (e.g. Sat,Sun 200M)", error("Sat,Sun"));
        assertEquals("rate[1]: 'otherwise' names no rate (e.g. otherwise unlimited)",
                error("Sat,Sun 1G", "otherwise"));
        assertEquals("rate[0]: 'otherwise' must be the last line", error("otherwise 1G", "Sat,Sun 2G"));
        assertEquals("rate[1]: '200M' has no time range or days (e.g. \"08:00-18:00 Mon-Fri 200M\", then "
                + "\"otherwise RATE\" last)", error("Sat,Sun 1G", "200M"));
        assertEquals("rate[0]: '09:00-10:00' in '08:00-18:00 09:00-10:00 1G' is a second time range or set of days",
                error("08:00-18:00 09:00-10:00 1G"));
        assertEquals("rate[0]: '8am-6pm' in '8am-6pm 1G' is neither a time range (HH:MM-HH:MM) nor days (Mon-Fri, "
                + "Sat,Sun, daily)", error("8am-6pm 1G"));
        assertEquals("rate[0]: '200Mb' is ambiguous: write 200Mbit/s for bits or 200MB/s for bytes per second",
                error("08:00-18:00 Mon-Fri 200Mb"));
        assertEquals("rate[1]: '0' must be above 0 (write unlimited for no limit)", error("Sat 1G", "otherwise 0"));
        assertEquals("node.rate: 'fast' is not a rate (e.g. 200M or 200Mbit/s for megabits per second, 25MB/s for "
                + "megabytes per second, or unlimited)",
                assertThrows(IllegalArgumentException.class,
                        () -> RateSchedule.parse("node.rate", List.of("fast"), false)).getMessage());
        assertEquals("rate: no rate (e.g. 200M, unlimited, or a list of lines, e.g. \"08:00-18:00 Mon-Fri 200M\", "
                + "then \"otherwise RATE\" last)", error());
    }

    // ---- evaluating ----

    @Test
    void workingHoursOnWeekdaysOtherwiseUnlimited() {
        RateSchedule s = RateSchedule.parse("k", WORKING_HOURS, true);
        assertEquals(Rate.UNLIMITED, rate(s, at(1, 7, 59)));
        assertEquals(M200, rate(s, at(1, 8, 0)));
        assertEquals(M200, rate(s, at(1, 18, 0).minusNanos(1)));
        assertEquals(Rate.UNLIMITED, rate(s, at(1, 18, 0)));
        assertEquals(M200, rate(s, at(5, 12, 0)), "Friday");
        assertEquals(Rate.UNLIMITED, rate(s, at(6, 12, 0)), "Saturday");
        assertEquals(Rate.UNLIMITED, rate(s, at(7, 12, 0)), "Sunday");
        assertEquals(Rate.UNLIMITED, s.rateAt(at(1, 8, 0), ZoneOffset.UTC), "06:00 in UTC");
    }

    @Test
    void aRangePastMidnightBelongsToTheDayItStartsOnAcrossTheWeekEnd() {
        RateSchedule s = parse("22:00-06:00 Sun 1G", "otherwise 10M");
        Rate g1 = new Rate(1_000_000_000);
        assertEquals(new Rate(10_000_000), rate(s, at(7, 21, 59)));
        assertEquals(g1, rate(s, at(7, 22, 0)), "Sunday night");
        assertEquals(g1, rate(s, at(8, 5, 59)), "Monday morning, the next week");
        assertEquals(new Rate(10_000_000), rate(s, at(8, 6, 0)));
        assertEquals(new Rate(10_000_000), rate(s, at(6, 23, 0)), "Saturday night is not Sunday's");
        assertEquals(new Rate(10_000_000), rate(s, at(7, 3, 0)), "Sunday morning belongs to Saturday night");
    }

    @Test
    void theFirstMatchingWindowWins() {
        RateSchedule s = parse("08:00-12:00 Mon 50M", "08:00-18:00 Mon-Fri 200M");
        assertEquals(new Rate(50_000_000), rate(s, at(1, 10, 0)));
        assertEquals(M200, rate(s, at(1, 13, 0)));
        assertEquals(M200, rate(s, at(2, 10, 0)));
    }

    @Test
    void nextChangeIsTheBoundaryWhereTheRateReallyChanges() {
        RateSchedule s = RateSchedule.parse("k", WORKING_HOURS, true);
        assertEquals(at(1, 18, 0), s.nextChange(at(1, 10, 0), ZONE));
        assertEquals(at(2, 8, 0), s.nextChange(at(1, 18, 0), ZONE), "at a boundary: the next one");
        assertEquals(at(8, 8, 0), s.nextChange(at(5, 18, 0), ZONE), "over the weekend to Monday");
        assertEquals(at(1, 8, 0), s.nextChange(at(1, 8, 0).minusNanos(1), ZONE));

        RateSchedule adjacent = parse("08:00-12:00 daily 100M", "12:00-18:00 daily 100M");
        assertEquals(at(3, 18, 0), adjacent.nextChange(at(3, 9, 0), ZONE), "12:00 changes nothing");

        RateSchedule mondays = parse("08:00-18:00 Mon 1G", "otherwise 1M");
        assertEquals(at(8, 8, 0), mondays.nextChange(at(2, 10, 0), ZONE), "six days ahead");
        assertEquals(at(8, 6, 0), parse("22:00-06:00 Sun 1G").nextChange(at(7, 23, 0), ZONE));

        assertNull(RateSchedule.constant(M200).nextChange(at(1, 10, 0), ZONE));
        assertNull(parse("Sat 1M", "otherwise 1M").nextChange(at(1, 10, 0), ZONE), "all the same rate");
    }

    @Test
    void wallClockTimesHoldAcrossDaylightSavingAndAFixedOffsetHasNone() {
        RateSchedule s = parse("08:00-18:00 daily 200M");
        // Europe/Berlin went from +01:00 to +02:00 at 02:00 on Sunday 2024-03-31
        Instant saturdayEvening = ZonedDateTime.of(2024, 3, 30, 20, 0, 0, 0, BERLIN).toInstant();
        Instant sundayEight = ZonedDateTime.of(2024, 3, 31, 8, 0, 0, 0, BERLIN).toInstant();
        assertEquals(sundayEight, s.nextChange(saturdayEvening, BERLIN));
        assertEquals(Duration.ofHours(11), Duration.between(saturdayEvening, sundayEight), "the night was short");
        assertEquals(M200, s.rateAt(sundayEight, BERLIN));
        assertEquals(Rate.UNLIMITED, s.rateAt(sundayEight.minusSeconds(1), BERLIN));

        ZoneId plusOne = ZoneOffset.ofHours(1);
        Instant fixedEvening = ZonedDateTime.of(2024, 3, 30, 20, 0, 0, 0, plusOne).toInstant();
        assertEquals(Duration.ofHours(12), Duration.between(fixedEvening, s.nextChange(fixedEvening, plusOne)));

        // a window starting inside the skipped hour begins when the clock jumps to 03:00
        RateSchedule gap = parse("02:30-04:00 daily 1G");
        Instant jump = ZonedDateTime.of(2024, 3, 31, 3, 0, 0, 0, BERLIN).toInstant();
        assertEquals(jump, gap.nextChange(ZonedDateTime.of(2024, 3, 31, 1, 0, 0, 0, BERLIN).toInstant(), BERLIN));
        assertEquals(new Rate(1_000_000_000), gap.rateAt(jump, BERLIN));
    }
}

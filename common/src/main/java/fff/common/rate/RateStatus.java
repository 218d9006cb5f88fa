package fff.common.rate;

import java.util.List;

/**
 * One rate limit as {@code GET /api/rates} shows it and the metrics export it. Field names are the JSON names.
 *
 * @param name              the destination's name; null for the node-wide limit
 * @param schedule          the schedule in force, as lines ({@link RateSchedule#lines()}); {@code ["unlimited"]}
 *                          when there is no limit
 * @param bitsPerSecond     the rate now; 0 when unlimited
 * @param nextChangeMillis  when the schedule changes the rate next (epoch milliseconds), or null when never
 * @param nextBitsPerSecond the rate from then on (0: unlimited), or null when it never changes
 * @param changedAtRunTime  the schedule was set through the API (and kept across restarts), not read from config
 * @param config            the schedule the config file gives, as lines
 */
public record RateStatus(String name, List<String> schedule, long bitsPerSecond, Long nextChangeMillis,
        Long nextBitsPerSecond, boolean changedAtRunTime, List<String> config) {

    public RateStatus {
        schedule = List.copyOf(schedule);
        config = List.copyOf(config);
    }
}

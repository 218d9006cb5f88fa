package fff.common.schedule;

import java.util.List;

/**
 * What a {@link Scheduler} call decided: jobs to start now, in queue order, and running jobs to
 * stop (a cancelled running job).
 */
public record Decision(List<String> start, List<String> stop) {

    public static final Decision NONE = new Decision(List.of(), List.of());

    public Decision {
        start = List.copyOf(start);
        stop = List.copyOf(stop);
    }

    public boolean isEmpty() {
        return start.isEmpty() && stop.isEmpty();
    }
}

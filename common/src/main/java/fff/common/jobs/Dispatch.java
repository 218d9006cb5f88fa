package fff.common.jobs;

import java.util.List;

/** What the engine must do after a {@link JobDb} call: start these jobs' movers, stop those. */
public record Dispatch(List<Job> start, List<Job> stop) {

    public static final Dispatch NONE = new Dispatch(List.of(), List.of());

    public Dispatch {
        start = List.copyOf(start);
        stop = List.copyOf(stop);
    }

    public boolean isEmpty() {
        return start.isEmpty() && stop.isEmpty();
    }
}

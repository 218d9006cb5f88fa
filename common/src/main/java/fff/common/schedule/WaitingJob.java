package fff.common.schedule;

/**
 * The record of one queued job inside a {@link Scheduler}: its sort key (priority, then position
 * within the priority band), its links in the band's list ({@link QueueOrder}) and its slot in its
 * group's {@link ReadyHeap}. Once started, the same record stands for the running job.
 */
final class WaitingJob {

    final String id;
    final int group;
    int priority;
    long position;
    boolean blocked;
    WaitingJob prev;
    WaitingJob next;
    /** Index in the group's ready heap; -1 while blocked or not queued. */
    int heapIndex = -1;

    WaitingJob(String id, int group, int priority) {
        this.id = id;
        this.group = group;
        this.priority = priority;
    }

    /** Global queue order: priority descending, then position ascending. */
    static int compare(WaitingJob a, WaitingJob b) {
        if (a.priority != b.priority) {
            return a.priority > b.priority ? -1 : 1;
        }
        return Long.compare(a.position, b.position);
    }

    static boolean before(WaitingJob a, WaitingJob b) {
        return compare(a, b) < 0;
    }
}

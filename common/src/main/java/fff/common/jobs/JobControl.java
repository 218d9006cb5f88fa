package fff.common.jobs;

import fff.common.schedule.Snapshot;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What the web UI (and anything else outside the scheduler) may see of and do to the job system. The UI
 * depends only on this interface; {@link EngineControl} backs it with a {@link JobEngine}.
 *
 * <p>Every method is thread-safe and returns at once. A future fails with {@link NotFoundException} for an
 * unknown job or group, {@link ConflictException} when the job's state forbids the operation (cancelling a
 * DONE job), and {@link IllegalArgumentException} for any other bad request (a limit below 1).
 */
public interface JobControl {

    /** The jobs {@code query} selects, in {@link JobQuery} order, one page of them. */
    CompletableFuture<JobPage> jobs(JobQuery query);

    CompletableFuture<Optional<Job>> job(long id);

    /** Cancels a queued or running job; {@code by} says who asked, for the job's note. */
    CompletableFuture<Void> cancel(long id, String by);

    /** Queues a FAILED or CANCELLED job again with a fresh attempt count. */
    CompletableFuture<Void> retry(long id);

    /** Moves a queued job; {@code other} (a queued job) is used with BEFORE and AFTER only. */
    CompletableFuture<Void> move(long id, Where where, long other);

    /** Changes a group's token limit at run time (at least 1). */
    CompletableFuture<Void> setLimit(String group, int limit);

    /** The group tree with limits, tokens in use and queued counts, and the queue in order. */
    CompletableFuture<Snapshot> groups();

    /** How many jobs each group holds in each state, for metrics: group name to state to count. */
    CompletableFuture<Map<String, Map<JobState, Long>>> counts();

    /** Where {@link #move} puts a job. */
    enum Where { TOP, BOTTOM, BEFORE, AFTER }

    /** One page of a query's result; {@code total} counts every job the query matched. */
    record JobPage(long total, int offset, int limit, List<Job> jobs) {
        public JobPage {
            jobs = List.copyOf(jobs);
        }
    }

    /** No such job or group. */
    final class NotFoundException extends RuntimeException {
        public NotFoundException(String message) {
            super(message, null, false, false);
        }
    }

    /** The job exists but its state does not allow the operation. */
    final class ConflictException extends RuntimeException {
        public ConflictException(String message) {
            super(message, null, false, false);
        }
    }
}

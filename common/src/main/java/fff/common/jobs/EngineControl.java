package fff.common.jobs;

import fff.common.schedule.Snapshot;
import fff.proto.journal.JobMoved;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * {@link JobControl} backed by a {@link JobEngine}. Checks a request on the engine's thread first so an
 * unknown job or group and a forbidden state get their own exceptions; a state that changes between the
 * check and the operation still fails the operation, as a {@link JobControl.ConflictException}.
 */
public final class EngineControl implements JobControl {

    private final JobEngine engine;

    public EngineControl(JobEngine engine) {
        this.engine = engine;
    }

    @Override
    public CompletableFuture<JobPage> jobs(JobQuery query) {
        return engine.call(db -> db.query(query));
    }

    @Override
    public CompletableFuture<Optional<Job>> job(long id) {
        return engine.job(id);
    }

    @Override
    public CompletableFuture<Void> cancel(long id, String by) {
        return checked(db -> {
            JobState s = known(db, id).state();
            if (s.ended()) {
                throw new ConflictException("job " + id + " is " + s + "; nothing to cancel");
            }
        }, () -> engine.cancel(id, by));
    }

    @Override
    public CompletableFuture<Void> retry(long id) {
        return checked(db -> {
            JobState s = known(db, id).state();
            if (s != JobState.FAILED && s != JobState.CANCELLED) {
                throw new ConflictException("job " + id + " is " + s + "; only FAILED or CANCELLED jobs can be retried");
            }
        }, () -> engine.retry(id));
    }

    @Override
    public CompletableFuture<Void> move(long id, Where where, long other) {
        boolean relative = where == Where.BEFORE || where == Where.AFTER;
        return checked(db -> {
            if (relative && id == other) {
                throw new IllegalArgumentException("job " + id + " cannot move relative to itself");
            }
            queued(known(db, id));
            if (relative) {
                queued(known(db, other));
            }
        }, () -> engine.move(id, JobMoved.Where.valueOf(where.name()), relative ? other : 0));
    }

    @Override
    public CompletableFuture<Void> setLimit(String group, int limit) {
        return checked(db -> {
            if (db.scheduler().snapshot().groups().stream().noneMatch(g -> g.name().equals(group))) {
                throw new NotFoundException("unknown group '" + group + "'");
            }
            if (limit < 1) {
                throw new IllegalArgumentException("group '" + group + "': limit " + limit + " must be >= 1");
            }
        }, () -> engine.setLimit(group, limit));
    }

    @Override
    public CompletableFuture<Snapshot> groups() {
        return engine.groups();
    }

    @Override
    public CompletableFuture<Map<String, Map<JobState, Long>>> counts() {
        return engine.call(JobDb::counts);
    }

    private static Job known(JobDb db, long id) {
        return db.job(id).orElseThrow(() -> new NotFoundException("no job " + id));
    }

    private static void queued(Job j) {
        if (j.state() != JobState.QUEUED) {
            throw new ConflictException("job " + j.id() + " is " + j.state() + "; only queued jobs can be moved");
        }
    }

    private interface Check {
        void check(JobDb db);
    }

    /** Runs {@code check} on the engine's thread, then {@code action}; the action failing on state is a conflict. */
    private CompletableFuture<Void> checked(Check check, Supplier<CompletableFuture<Void>> action) {
        return engine.call(db -> {
            check.check(db);
            return null;
        }).thenCompose(ok -> action.get().exceptionally(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof IllegalArgumentException) {
                throw new ConflictException(cause.getMessage());
            }
            throw cause instanceof RuntimeException r ? r : new CompletionException(cause);
        }));
    }
}

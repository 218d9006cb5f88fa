package fff.common.jobs;

import fff.common.schedule.Decision;
import fff.common.schedule.GroupTree;
import fff.common.schedule.Scheduler;
import fff.proto.journal.JobCancelled;
import fff.proto.journal.JobDone;
import fff.proto.journal.JobEvent;
import fff.proto.journal.JobFailed;
import fff.proto.journal.JobMoved;
import fff.proto.journal.JobProgress;
import fff.proto.journal.JobRetried;
import fff.proto.journal.JobSourceHandled;
import fff.proto.journal.JobStarted;
import fff.proto.journal.LimitChanged;
import fff.proto.journal.RateChanged;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The node's jobs: their records, their states and the {@link Scheduler} that hands out tokens, with every
 * change written to a {@link JobLog} first. Pure and single-threaded: events in (a file became stable, an
 * attempt ended, a person reordered, a destination went offline, time passed), {@link Dispatch}es out. Time
 * comes from an injected {@link Clock}; nothing here sleeps or polls — the engine calls {@link #wake()} at
 * {@link #nextWakeMillis()}.
 *
 * <p>A failed attempt is retried with exponential backoff and jitter ({@link RetryPolicy}); a job waiting
 * for its retry, or whose destination is offline, stays queued in its place but blocked, so it holds no
 * token and never holds back others. After {@link RetryPolicy#attempts()} counted failures it stays FAILED
 * with the reason. Attempts that fail because the destination is busy or offline do not count.
 *
 * <p>At start the journal is fed through {@link #replay(JobEvent)}, then {@link #recover()} requeues the
 * attempts a crash interrupted (they resume from what the destination holds) and starts what may start.
 */
public final class JobDb {

    private final GroupTree tree;
    private final RetryPolicy policy;
    private final Clock clock;
    private final JobLog log;
    private final RandomGenerator random;
    private final JobRecords records = new JobRecords();
    private final Map<Long, JobEntry> jobs = new LinkedHashMap<>(); // creation order
    private final JobIndex index = new JobIndex();                  // for queries and counts
    private final Map<String, Long> latest = new HashMap<>();       // rule + relative -> newest job
    private final Set<String> offline = new HashSet<>();
    private final Map<String, Integer> limitOverrides = new LinkedHashMap<>();
    /** Rate limits set at run time: the schedule's lines by destination, {@code ""} for the node. */
    private final Map<String, List<String>> rateOverrides = new LinkedHashMap<>();
    private final PriorityQueue<long[]> timers = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
    private Scheduler scheduler;
    private boolean replaying = true;
    private long nextId = 1;
    private long inboundSeq;

    public JobDb(GroupTree tree, RetryPolicy policy, Clock clock, JobLog log, RandomGenerator random) {
        this.tree = Objects.requireNonNull(tree, "tree");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.log = Objects.requireNonNull(log, "log");
        this.random = Objects.requireNonNull(random, "random");
        this.scheduler = new Scheduler(tree);
    }

    public GroupTree tree() {
        return tree;
    }

    public Clock clock() {
        return clock;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    // ---- start-up ------------------------------------------------------------------------------------

    /** Applies one journal event; only before {@link #recover()}. Queue order is rebuilt exactly. */
    public void replay(JobEvent e) {
        if (!replaying) {
            throw new IllegalStateException("replay after recover()");
        }
        switch (e.getBodyCase()) {
            case CHECKPOINT_BEGIN -> {
                jobs.clear();
                latest.clear();
                limitOverrides.clear();
                rateOverrides.clear();
                scheduler = new Scheduler(tree);
                nextId = Math.max(nextId, e.getCheckpointBegin().getNextJobId());
            }
            case CREATED, RECORD -> {
                JobEntry j = records.fromRecord(e.getJob(), e.getBodyCase() == JobEvent.BodyCase.CREATED
                        ? e.getCreated() : e.getRecord());
                add(j);
                if (j.state == JobState.QUEUED) {
                    shadowSubmit(j, e.getAtMillis());
                }
            }
            case LIMIT -> limitOverrides.put(e.getLimit().getGroup(), e.getLimit().getLimit());
            case RATE -> applyRate(e.getRate());
            case CHECKPOINT_END, BLOCKED, BODY_NOT_SET -> { }
            default -> replayJobEvent(e);
        }
    }

    private void replayJobEvent(JobEvent e) {
        JobEntry j = jobs.get(e.getJob());
        if (j == null) {
            return; // its creation was before retention; nothing to rebuild
        }
        boolean wasQueued = j.state == JobState.QUEUED;
        switch (e.getBodyCase()) {
            case STARTED -> {
                j.state = JobState.RUNNING;
                j.startedMillis = e.getAtMillis();
            }
            case PROGRESS -> j.bytesDone = e.getProgress().getBytesDone();
            case DONE -> records.applyDone(j, e.getDone(), e.getAtMillis());
            case FAILED -> records.applyFailed(j, e.getFailed(), e.getAtMillis());
            case CANCELLED -> {
                j.state = JobState.CANCELLED;
                j.endedMillis = e.getAtMillis();
            }
            case RETRIED -> records.applyRetried(j);
            case SOURCE_HANDLED -> records.applySourceHandled(j, e.getSourceHandled().getResult());
            case MOVED -> {
                try {
                    if (wasQueued) {
                        move(j, e.getMoved().getWhere(), e.getMoved().getOther());
                    }
                } catch (IllegalArgumentException gone) {
                    // the other job left the queue because its group left the config: keep the order we have
                }
            }
            default -> { }
        }
        if (wasQueued && j.state != JobState.QUEUED) {
            scheduler.cancel(j.key());
        } else if (!wasQueued && j.state == JobState.QUEUED) {
            shadowSubmit(j, e.getAtMillis());
        }
    }

    /**
     * Puts a replayed queued job in its place in the queue (blocked: nothing starts during replay). A job
     * whose group is no longer in the config cannot run: it becomes FAILED with that reason.
     */
    private void shadowSubmit(JobEntry j, long at) {
        if (!tree.contains(j.spec.group())) {
            j.state = JobState.FAILED;
            j.endedMillis = at;
            j.lastError = "NOT_CONFIGURED: group '" + j.spec.group() + "' is no longer in the config";
            j.note = "not run";
            return;
        }
        scheduler.submit(j.key(), j.spec.group(), j.priority, true);
    }

    /**
     * Ends replay: jobs a crash interrupted go back to the queue ahead of the others, run-time limits are
     * restored, and everything startable starts.
     */
    public Dispatch recover() {
        replaying = false;
        List<String> order = scheduler.snapshot().queuedIds();
        scheduler = new Scheduler(tree);
        limitOverrides.forEach((g, n) -> {
            if (tree.contains(g)) {
                scheduler.setLimit(g, n);
            }
        });
        long now = clock.millis();
        List<JobEntry> requeue = new ArrayList<>();
        for (JobEntry j : jobs.values()) {
            if (j.state == JobState.RUNNING) {
                j.state = JobState.QUEUED;
                j.note = "interrupted by a restart; resumes from what the destination holds";
                requeue.add(j);
            }
        }
        requeue.sort((a, b) -> Long.compare(a.startedMillis, b.startedMillis));
        order.forEach(id -> requeue.add(jobs.get(Long.parseLong(id))));
        List<String> start = new ArrayList<>();
        for (JobEntry j : requeue) {
            if (j.retryAtMillis > now) {
                timers.add(new long[] {j.retryAtMillis, j.id});
            } else {
                j.retryAtMillis = 0;
            }
            start.addAll(scheduler.submit(j.key(), j.spec.group(), j.priority, blocked(j, now)).start());
        }
        return dispatch(new Decision(start, List.of()));
    }

    // ---- events --------------------------------------------------------------------------------------

    /**
     * A file became stable. The job is empty when the same unchanged file already has a job (queued, running,
     * done or given up). A newer version of a file replaces its still-queued older job.
     */
    public Submitted submit(JobSpec spec) {
        live();
        Dispatch replaced = Dispatch.NONE;
        Long prev = latest.get(JobEntry.identity(spec.rule(), spec.relative()));
        if (prev != null) {
            JobEntry p = jobs.get(prev);
            if (p != null && p.spec.sameFileAs(spec)) {
                return new Submitted(Optional.empty(), Dispatch.NONE);
            }
            if (p != null && p.state == JobState.QUEUED) {
                replaced = cancel(p.id, "a newer version of the file");
            }
        }
        long now = clock.millis();
        JobEntry j = new JobEntry(nextId++, spec, now);
        add(j);
        log.append(event(j.id).setCreated(records.toRecord(j)).build());
        Dispatch d = dispatch(scheduler.submit(j.key(), spec.group(), j.priority, blocked(j, now)));
        return new Submitted(Optional.of(j.view(j.state == JobState.QUEUED && blocked(j, now))), merge(replaced, d));
    }

    /**
     * A watched file was renamed from {@code fromRelative} to {@code to.relative()}. When {@code mirror} is on
     * and the old name was delivered to the same destination, the destination renames it (no bytes cross);
     * otherwise the new name is sent as a new file, and a job of the old name that has not ended is cancelled.
     */
    public Submitted renamed(JobSpec to, String fromRelative, boolean mirror) {
        live();
        JobEntry prev = latestEntry(to.rule(), fromRelative);
        if (mirror && prev != null && prev.state == JobState.DONE && prev.spec.op() != JobSpec.Op.REMOVE
                && prev.spec.destination().equals(to.destination())) {
            latest.remove(prev.identity(), prev.id);
            return submit(to.asRenameFrom(prev.spec.remotePath()));
        }
        Dispatch cancelled = prev != null && !prev.state.ended()
                ? cancel(prev.id, "source renamed to " + to.relative()) : Dispatch.NONE;
        Submitted s = submit(to);
        return new Submitted(s.job(), merge(cancelled, s.dispatch()));
    }

    /**
     * A watched file was deleted. A job of it that has not ended is cancelled (a running one's partial is
     * dropped at the destination); when {@code mirror} is on and it was delivered, the destination removes it.
     */
    public Submitted removed(String rule, String relative, boolean mirror) {
        live();
        JobEntry prev = latestEntry(rule, relative);
        if (prev == null || prev.spec.op() == JobSpec.Op.REMOVE) {
            return new Submitted(Optional.empty(), Dispatch.NONE);
        }
        if (!prev.state.ended()) {
            return new Submitted(Optional.empty(), cancel(prev.id, "source deleted"));
        }
        if (mirror && prev.state == JobState.DONE) {
            return submit(prev.spec.asRemove());
        }
        return new Submitted(Optional.empty(), Dispatch.NONE);
    }

    private JobEntry latestEntry(String rule, String relative) {
        Long id = latest.get(JobEntry.identity(rule, relative));
        return id == null ? null : jobs.get(id);
    }

    /** Bytes known to be at the destination; journaled every 64 MiB or 5 s so a replay knows roughly. */
    public void progress(long id, long bytesDone) {
        JobEntry j = jobs.get(id);
        if (j == null || j.state != JobState.RUNNING) {
            return;
        }
        j.bytesDone = bytesDone;
        long now = clock.millis();
        if (bytesDone - j.journaledBytes >= 64L << 20 || now - j.journaledMillis >= 5_000) {
            j.journaledBytes = bytesDone;
            j.journaledMillis = now;
            log.append(event(id).setProgress(JobProgress.newBuilder().setBytesDone(bytesDone)).build());
        }
    }

    /** A running transcode's ffmpeg progress; shown, not journaled. */
    public void media(long id, MediaProgress progress) {
        JobEntry j = jobs.get(id);
        if (j != null && j.state == JobState.RUNNING) {
            j.media = progress;
        }
    }

    /** The destination verified the file. Ignored when the job is no longer running (cancelled meanwhile). */
    public Dispatch succeeded(long id, Delivery d, String afterResult) {
        JobEntry j = running(id);
        if (j == null) {
            return Dispatch.NONE;
        }
        JobDone.Builder done = JobDone.newBuilder().setBytesSent(d.bytesSent()).setResumedFrom(d.resumedFrom())
                .setAlreadyPresent(d.alreadyPresent()).setAfterResult(afterResult == null ? "" : afterResult);
        log.append(event(id).setDone(done).build());
        index.leave(j);
        records.applyDone(j, done.build(), clock.millis());
        index.enter(j);
        return dispatch(scheduler.finished(j.key()));
    }

    /** What became of a DONE job's source ({@code after: delete|move}), applied after the DONE was journaled. */
    public void sourceHandled(long id, String result) {
        JobEntry j = jobs.get(id);
        if (j == null || !j.sourcePending) {
            return;
        }
        log.append(event(id).setSourceHandled(JobSourceHandled.newBuilder().setResult(result)).build());
        records.applySourceHandled(j, result);
    }

    public boolean sourcePending(long id) {
        JobEntry j = jobs.get(id);
        return j != null && j.sourcePending;
    }

    /** DONE jobs whose source still waits for {@code after: delete|move} (a crash came in between). */
    public List<Job> pendingSources() {
        return jobs.values().stream().filter(j -> j.sourcePending).map(j -> j.view(false)).toList();
    }

    /** An attempt failed: requeue with backoff, or give up. Ignored when the job is no longer running. */
    public Dispatch failed(long id, Failure f) {
        JobEntry j = running(id);
        if (j == null) {
            return Dispatch.NONE;
        }
        long now = clock.millis();
        int counted = j.attempts + (f.counts() ? 1 : 0);
        boolean retry = f.retryable() && counted < policy.attempts();
        long retryAt = 0;
        if (retry) {
            long delay = f.retryAfterMillis() > 0 ? f.retryAfterMillis()
                    : policy.delayMillis(Math.max(1, counted), random.nextDouble());
            retryAt = now + delay;
        }
        JobFailed failed = JobFailed.newBuilder().setReason(f.reason()).setMessage(f.message())
                .setRetryable(f.retryable()).setRetryAtMillis(retryAt).setCounts(f.counts()).build();
        log.append(event(id).setFailed(failed).build());
        index.leave(j);
        records.applyFailed(j, failed, now);
        index.enter(j);
        Decision d = scheduler.finished(j.key());
        if (!retry && j.spec.op() == JobSpec.Op.RENAME) {
            // the destination could not rename (e.g. the old file is gone there): send the file instead
            JobSpec s = j.spec;
            latest.remove(j.identity(), j.id);
            Submitted send = submit(new JobSpec(s.rule(), s.source(), s.relative(), s.destination(), s.remotePath(),
                    s.group(), s.priority(), s.size(), s.mtimeMillis(), s.after()).withProfile(s.profile()));
            return merge(dispatch(d), send.dispatch());
        }
        if (!retry) {
            return dispatch(d);
        }
        timers.add(new long[] {retryAt, id});
        return merge(dispatch(d), dispatch(scheduler.submit(j.key(), j.spec.group(), j.priority, true)));
    }

    /** Cancels a queued or running job; a running one is reported in {@link Dispatch#stop()}. */
    public Dispatch cancel(long id, String by) {
        live();
        JobEntry j = known(id);
        if (j.state.ended()) {
            throw new IllegalArgumentException("job " + id + " is " + j.state + "; nothing to cancel");
        }
        log.append(event(id).setCancelled(JobCancelled.newBuilder().setBy(by)).build());
        index.leave(j);
        j.state = JobState.CANCELLED;
        j.endedMillis = clock.millis();
        j.note = "cancelled (" + by + ")";
        index.enter(j);
        return dispatch(scheduler.cancel(j.key()));
    }

    /** A person asks to try a FAILED or CANCELLED job again, with a fresh attempt count. */
    public Dispatch retry(long id) {
        live();
        JobEntry j = known(id);
        if (j.state != JobState.FAILED && j.state != JobState.CANCELLED) {
            throw new IllegalArgumentException("job " + id + " is " + j.state + "; only FAILED or CANCELLED "
                    + "jobs can be retried");
        }
        log.append(event(id).setRetried(JobRetried.getDefaultInstance()).build());
        index.leave(j);
        records.applyRetried(j);
        index.enter(j);
        return dispatch(scheduler.submit(j.key(), j.spec.group(), j.priority, blocked(j, clock.millis())));
    }

    /** Moves a queued job to the top or bottom, or before or after another queued job. */
    public Dispatch move(long id, JobMoved.Where where, long other) {
        live();
        JobEntry j = known(id);
        if (j.state != JobState.QUEUED) {
            throw new IllegalArgumentException("job " + id + " is " + j.state + "; only queued jobs can be moved");
        }
        if ((where == JobMoved.Where.BEFORE || where == JobMoved.Where.AFTER)
                && known(other).state != JobState.QUEUED) {
            throw new IllegalArgumentException("job " + other + " is not queued");
        }
        log.append(event(id).setMoved(JobMoved.newBuilder().setWhere(where).setOther(other)).build());
        return dispatch(move(j, where, other));
    }

    private Decision move(JobEntry j, JobMoved.Where where, long other) {
        Decision d = switch (where) {
            case TOP -> scheduler.moveToTop(j.key());
            case BOTTOM -> scheduler.moveToBottom(j.key());
            case BEFORE -> scheduler.moveBefore(j.key(), Long.toString(other));
            case AFTER -> scheduler.moveAfter(j.key(), Long.toString(other));
            default -> throw new IllegalArgumentException("move: where is " + where);
        };
        return d; // the job's new priority is read back at the next checkpoint
    }

    /** Changes a group's limit at run time; lowering it never stops running jobs. */
    public Dispatch setLimit(String group, int limit) {
        live();
        Decision d = scheduler.setLimit(group, limit);
        limitOverrides.put(group, limit);
        log.append(event(0).setLimit(LimitChanged.newBuilder().setGroup(group).setLimit(limit)).build());
        return dispatch(d);
    }

    /**
     * Keeps a run-time rate limit of {@code destination} ({@code ""}: the node's) in the journal: the schedule's
     * {@code lines}, or null when it goes back to the config's. The limiters are not here: the caller applies it.
     */
    public void setRate(String destination, List<String> lines) {
        live();
        RateChanged.Builder r = RateChanged.newBuilder().setDestination(destination);
        if (lines == null) {
            r.setReset(true);
        } else {
            r.addAllSchedule(lines);
        }
        log.append(event(0).setRate(r).build());
        applyRate(r.build());
    }

    /** The run-time rate limits in force (from the journal, then {@link #setRate}): lines by destination. */
    public Map<String, List<String>> rateOverrides() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(rateOverrides));
    }

    private void applyRate(RateChanged r) {
        if (r.getReset()) {
            rateOverrides.remove(r.getDestination());
        } else {
            rateOverrides.put(r.getDestination(), List.copyOf(r.getScheduleList()));
        }
    }

    /** A destination went offline (its jobs wait, holding nothing) or came back (they go). */
    public Dispatch setOnline(String destination, boolean online) {
        live();
        if (online ? !offline.remove(destination) : !offline.add(destination)) {
            return Dispatch.NONE;
        }
        return unblock(jobs.values().stream().filter(j -> j.state == JobState.QUEUED
                && j.spec.destination().equals(destination)).toList());
    }

    /**
     * An inbound file asks for a token from {@code group} and its ancestors (the receiving side shares the
     * tree with outbound work). Returns the key to {@link #release} when the file is done, or empty when the
     * path has no free token now; nothing waits in the queue for it.
     */
    public Optional<String> admit(String group) {
        live();
        String key = "in:" + (++inboundSeq);
        if (scheduler.submit(key, group, Integer.MAX_VALUE, false).start().contains(key)) {
            return Optional.of(key);
        }
        scheduler.cancel(key);
        return Optional.empty();
    }

    /** An admitted inbound file ended; its tokens may start queued jobs. */
    public Dispatch release(String key) {
        live();
        return dispatch(scheduler.finished(key));
    }

    /** Time passed: jobs whose retry is due become startable. */
    public Dispatch wake() {
        live();
        long now = clock.millis();
        List<JobEntry> due = new ArrayList<>();
        while (!timers.isEmpty() && timers.peek()[0] <= now) {
            long[] t = timers.poll();
            JobEntry j = jobs.get(t[1]);
            if (j != null && j.state == JobState.QUEUED && j.retryAtMillis == t[0]) {
                j.retryAtMillis = 0;
                due.add(j);
            }
        }
        return unblock(due);
    }

    /** When {@link #wake()} has something to do next, or {@link Long#MAX_VALUE}. */
    public long nextWakeMillis() {
        return timers.isEmpty() ? Long.MAX_VALUE : timers.peek()[0];
    }

    private Dispatch unblock(Collection<JobEntry> changed) {
        long now = clock.millis();
        Dispatch all = Dispatch.NONE;
        for (JobEntry j : changed) {
            all = merge(all, dispatch(scheduler.setBlocked(j.key(), blocked(j, now))));
        }
        return all;
    }

    // ---- reading -------------------------------------------------------------------------------------

    /** The newest job of file {@code relative} of watch rule or source {@code rule}, if the db still has one. */
    public Optional<Job> latest(String rule, String relative) {
        JobEntry j = latestEntry(rule, relative);
        return j == null ? Optional.empty() : job(j.id);
    }

    public Optional<Job> job(long id) {
        JobEntry j = jobs.get(id);
        return j == null ? Optional.empty() : Optional.of(j.view(blocked(j, clock.millis())));
    }

    /** Every job the node still knows, oldest first. */
    public List<Job> jobs() {
        long now = clock.millis();
        return jobs.values().stream().map(j -> j.view(j.state == JobState.QUEUED && blocked(j, now))).toList();
    }

    /**
     * One page of {@code query}, as {@code query.apply(jobs(), queued ids)} gives it, with views built for
     * the page only: running jobs cost O(running), queued ones O(queue), history O(offset + page) by state and
     * group; a text filter tests every job of the states and group asked for. Before {@link #recover()} the
     * answer comes from every view, as replay keeps no index.
     */
    public JobControl.JobPage query(JobQuery query) {
        if (replaying) {
            return query.apply(jobs(), scheduler.snapshot().queuedIds());
        }
        long now = clock.millis();
        return index().page(query, () -> {
            List<String> ids = scheduler.queuedIds();
            List<JobEntry> queued = new ArrayList<>(ids.size());
            ids.forEach(id -> queued.add(jobs.get(Long.parseLong(id))));
            return queued;
        }, j -> j.view(j.state == JobState.QUEUED && blocked(j, now)));
    }

    /** Jobs per group and state; O(groups) once recovered. */
    public Map<String, Map<JobState, Long>> counts() {
        if (replaying) {
            Map<String, Map<JobState, Long>> counts = new HashMap<>();
            for (JobEntry j : jobs.values()) {
                counts.computeIfAbsent(j.spec.group(), g -> new EnumMap<>(JobState.class))
                        .merge(j.state, 1L, Long::sum);
            }
            return counts;
        }
        return index().counts();
    }

    /**
     * The index, built at the first query after {@link #recover()} rather than in it: start-up stays as fast,
     * and a node nobody asks keeps none.
     */
    private JobIndex index() {
        if (!index.built()) {
            index.build(jobs.values());
        }
        return index;
    }

    /** Queued job ids in queue order. */
    public List<Long> queueOrder() {
        return scheduler.snapshot().queuedIds().stream().map(Long::parseLong).toList();
    }

    /**
     * The state as checkpoint records (the {@link JobLog} frames them): run-time limits and rate limits, queued jobs
     * in queue order, running jobs, then history that ended within {@code historyMillis}; older history is
     * forgotten here too.
     */
    public List<JobEvent> checkpointRecords(long historyMillis) {
        long now = clock.millis();
        jobs.values().removeIf(j -> {
            boolean old = j.state.ended() && j.endedMillis < now - historyMillis;
            if (old) {
                latest.remove(j.identity(), j.id); // the destination's "already present" still stops a resend
                index.leave(j);
            }
            return old;
        });
        List<JobEvent> out = new ArrayList<>(jobs.size() + limitOverrides.size() + rateOverrides.size());
        limitOverrides.forEach((g, n) -> out.add(event(0).setLimit(LimitChanged.newBuilder().setGroup(g)
                .setLimit(n)).build()));
        rateOverrides.forEach((d, lines) -> out.add(event(0).setRate(RateChanged.newBuilder().setDestination(d)
                .addAllSchedule(lines)).build()));
        for (var q : scheduler.snapshot().queued()) {
            JobEntry j = jobs.get(Long.parseLong(q.id()));
            j.priority = q.priority(); // a move may have changed it
            out.add(event(j.id).setRecord(records.toRecord(j)).build());
        }
        for (JobEntry j : jobs.values()) {
            if (j.state != JobState.QUEUED) {
                out.add(event(j.id).setRecord(records.toRecord(j)).build());
            }
        }
        return out;
    }

    public long nextJobId() {
        return nextId;
    }

    // ---- internals -----------------------------------------------------------------------------------

    private void add(JobEntry j) {
        JobEntry replaced = jobs.put(j.id, j);
        if (replaced != null) {
            index.leave(replaced);
        }
        index.enter(j);
        latest.merge(j.identity(), j.id, Math::max);
        nextId = Math.max(nextId, j.id + 1);
    }

    private boolean blocked(JobEntry j, long now) {
        return j.retryAtMillis > now || offline.contains(j.spec.destination());
    }

    private Dispatch dispatch(Decision d) {
        if (d.isEmpty()) {
            return Dispatch.NONE;
        }
        long now = clock.millis();
        List<Job> start = new ArrayList<>(d.start().size());
        for (String key : d.start()) {
            JobEntry j = jobs.get(Long.parseLong(key));
            index.leave(j);
            j.state = JobState.RUNNING;
            j.startedMillis = now;
            index.enter(j);
            j.media = null;
            j.journaledMillis = now;
            j.journaledBytes = j.bytesDone;
            log.append(event(j.id).setStarted(JobStarted.newBuilder().setAttempt(j.attempts + 1)).build());
            start.add(j.view(false));
        }
        List<Job> stop = d.stop().stream().map(k -> jobs.get(Long.parseLong(k)).view(false)).toList();
        return new Dispatch(start, stop);
    }

    private static Dispatch merge(Dispatch a, Dispatch b) {
        if (a.isEmpty()) {
            return b;
        }
        if (b.isEmpty()) {
            return a;
        }
        List<Job> start = new ArrayList<>(a.start());
        start.addAll(b.start());
        List<Job> stop = new ArrayList<>(a.stop());
        stop.addAll(b.stop());
        return new Dispatch(start, stop);
    }

    private JobEntry running(long id) {
        JobEntry j = jobs.get(id);
        return j != null && j.state == JobState.RUNNING ? j : null;
    }

    private JobEntry known(long id) {
        JobEntry j = jobs.get(id);
        if (j == null) {
            throw new IllegalArgumentException("no job " + id);
        }
        return j;
    }

    /**
     * For tests: throws unless the index, once built, holds the jobs as it should, and the scheduler's queue
     * holds exactly the queued jobs (what {@link #query} relies on).
     */
    void checkInternals() {
        if (replaying && index.built()) {
            throw new IllegalStateException("index built while replaying");
        }
        index.check(jobs.values());
        Set<String> queued = new HashSet<>(scheduler.queuedIds());
        long n = jobs.values().stream().filter(j -> j.state == JobState.QUEUED && queued.contains(j.key())).count();
        if (n != queued.size() || jobs.values().stream().filter(j -> j.state == JobState.QUEUED).count() != n) {
            throw new IllegalStateException("the scheduler queues " + queued.size() + " jobs, the db " + n
                    + " of them as QUEUED");
        }
    }

    private void live() {
        if (replaying) {
            throw new IllegalStateException("call recover() after replay first");
        }
    }

    private JobEvent.Builder event(long id) {
        return JobEvent.newBuilder().setJob(id).setAtMillis(clock.millis());
    }
}

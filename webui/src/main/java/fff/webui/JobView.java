package fff.webui;

import fff.common.jobs.Job;
import fff.common.jobs.JobSpec;
import fff.common.jobs.MediaProgress;

/**
 * One job as the JSON API shows it: {@link Job} and its {@link JobSpec} flattened, paths as plain strings
 * ({@code returnTo} null unless the destination converts and returns the file), with
 * the rate (bytes per second) and seconds left that {@link Progress} estimates for a running job (else null).
 */
record JobView(long id, String state, boolean blocked, String op, String rule, String source, String relative,
        String destination, String remotePath, String renameFrom, String group, int priority, long size,
        long mtimeMillis, String after, int attempts, String lastError, long retryAtMillis, long bytesDone,
        long bytesSent, long createdMillis, long startedMillis, long endedMillis, String note, String profile,
        String returnTo, MediaProgress media, Double rate, Double etaSeconds) {

    static JobView of(Job j, Progress progress) {
        JobSpec s = j.spec();
        Progress.Estimate e = progress.of(j);
        return new JobView(j.id(), j.state().name(), j.blocked(), s.op().name(), s.rule(), s.source().toString(),
                s.relative(), s.destination(), s.remotePath(), s.renameFrom(), s.group(), s.priority(), s.size(),
                s.mtimeMillis(), s.after(), j.attempts(), j.lastError(), j.retryAtMillis(), j.bytesDone(),
                j.bytesSent(), j.createdMillis(), j.startedMillis(), j.endedMillis(), j.note(), s.profile(),
                s.returnTo() == null ? null : s.returnTo().toString(), j.media(),
                e.rate(), e.etaSeconds());
    }
}

package fff.common.jobs;

import fff.proto.journal.JobDone;
import fff.proto.journal.JobFailed;
import fff.proto.journal.JobRecord;
import java.nio.file.Path;

/** Converts between {@link JobEntry} and the journal's {@link JobRecord}, and applies outcomes to entries. */
final class JobRecords {

    JobRecord toRecord(JobEntry j) {
        JobSpec s = j.spec;
        return JobRecord.newBuilder().setRule(s.rule()).setSource(s.source().toString()).setRelative(s.relative())
                .setDestination(s.destination()).setRemotePath(s.remotePath()).setGroup(s.group())
                .setSize(s.size()).setMtimeMillis(s.mtimeMillis()).setPriority(j.priority)
                .setState(fff.proto.journal.JobState.forNumber(j.state.ordinal() + 1)).setAttempts(j.attempts)
                .setLastError(j.lastError == null ? "" : j.lastError).setRetryAtMillis(j.retryAtMillis)
                .setBytesDone(j.bytesDone).setCreatedMillis(j.createdMillis).setEndedMillis(j.endedMillis)
                .setAfter(s.after()).setOpValue(s.op().ordinal())
                .setRenameFrom(s.renameFrom() == null ? "" : s.renameFrom()).setSourcePending(j.sourcePending)
                .setProfile(s.profile() == null ? "" : s.profile())
                .setReturnTo(s.returnTo() == null ? "" : s.returnTo().toString()).build();
    }

    JobEntry fromRecord(long id, JobRecord r) {
        int op = r.getOpValue();
        JobSpec.Op kind = op >= 0 && op < JobSpec.Op.values().length ? JobSpec.Op.values()[op] : JobSpec.Op.SEND;
        JobSpec spec = new JobSpec(r.getRule(), Path.of(r.getSource()), r.getRelative(), r.getDestination(),
                r.getRemotePath(), r.getGroup(), r.getPriority(), r.getSize(), r.getMtimeMillis(), r.getAfter(),
                kind, kind == JobSpec.Op.RENAME ? r.getRenameFrom() : null, r.getProfile(),
                r.getReturnTo().isEmpty() ? null : Path.of(r.getReturnTo()));
        JobEntry j = new JobEntry(id, spec, r.getCreatedMillis());
        int state = r.getStateValue();
        j.state = state >= 1 && state <= JobState.values().length ? JobState.values()[state - 1] : JobState.QUEUED;
        j.attempts = r.getAttempts();
        j.lastError = r.getLastError().isEmpty() ? null : r.getLastError();
        j.retryAtMillis = r.getRetryAtMillis();
        j.bytesDone = r.getBytesDone();
        j.endedMillis = r.getEndedMillis();
        j.sourcePending = r.getSourcePending();
        return j;
    }

    void applyDone(JobEntry j, JobDone d, long at) {
        j.state = JobState.DONE;
        j.endedMillis = at;
        j.bytesSent = d.getBytesSent();
        j.bytesDone = j.spec.size();
        j.lastError = null;
        StringBuilder note = new StringBuilder(switch (j.spec.op()) {
            case REMOVE -> d.getAlreadyPresent() ? "already gone at the destination" : "removed at the destination";
            case RENAME -> "renamed at the destination from " + j.spec.renameFrom();
            case SEND -> j.spec.returnTo() != null ? (d.getAlreadyPresent() ? "answered from the converter's store"
                    : "converted with " + j.spec.profile()) + " at " + j.spec.destination() + ", returned to "
                    + j.spec.returnTo() + ", " + d.getBytesSent() + " source bytes sent"
                    : j.spec.profile() != null ? "transcoded with " + j.spec.profile() + ", "
                    + d.getBytesSent() + " bytes on the wire"
                    : d.getAlreadyPresent() ? "already present at the destination"
                    : d.getResumedFrom() > 0 ? "resumed at " + d.getResumedFrom() : "delivered";
        });
        if (!d.getAfterResult().isEmpty()) {
            note.append("; ").append(d.getAfterResult());
        }
        j.note = note.toString();
        j.sourcePending = j.spec.op() == JobSpec.Op.SEND && !j.spec.after().equals("keep")
                && d.getAfterResult().isEmpty();
    }

    void applySourceHandled(JobEntry j, String result) {
        j.sourcePending = false;
        j.note = (j.note == null ? "" : j.note + "; ") + result;
    }

    void applyFailed(JobEntry j, JobFailed f, long at) {
        if (f.getCounts()) {
            j.attempts++;
        }
        j.lastError = f.getReason() + ": " + f.getMessage();
        if (f.getRetryAtMillis() > 0) {
            j.state = JobState.QUEUED;
            j.retryAtMillis = f.getRetryAtMillis();
        } else {
            j.state = JobState.FAILED;
            j.endedMillis = at;
            j.note = "gave up after " + j.attempts + (j.attempts == 1 ? " attempt" : " attempts");
        }
    }

    void applyRetried(JobEntry j) {
        j.state = JobState.QUEUED;
        j.attempts = 0;
        j.retryAtMillis = 0;
        j.endedMillis = 0;
        j.note = "retried";
    }
}

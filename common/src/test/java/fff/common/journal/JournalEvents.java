package fff.common.journal;

import fff.proto.journal.JobDone;
import fff.proto.journal.JobEvent;
import fff.proto.journal.JobProgress;
import fff.proto.journal.JobRecord;
import fff.proto.journal.JobStarted;
import fff.proto.journal.JobState;
import fff.proto.journal.LimitChanged;
import fff.proto.journal.RateChanged;
import java.util.List;

/** Job events for journal tests and the replay benchmark, and a clock the test moves by hand. */
final class JournalEvents {

    private JournalEvents() { }

    static JobEvent created(long job) {
        return JobEvent.newBuilder().setJob(job).setAtMillis(1_000 + job)
                .setCreated(record(job, JobState.QUEUED)).build();
    }

    static JobEvent started(long job) {
        return JobEvent.newBuilder().setJob(job).setAtMillis(2_000 + job)
                .setStarted(JobStarted.newBuilder().setAttempt(1)).build();
    }

    static JobEvent progress(long job, long bytes) {
        return JobEvent.newBuilder().setJob(job).setAtMillis(3_000 + job)
                .setProgress(JobProgress.newBuilder().setBytesDone(bytes)).build();
    }

    static JobEvent done(long job) {
        return JobEvent.newBuilder().setJob(job).setAtMillis(4_000 + job)
                .setDone(JobDone.newBuilder().setBytesSent(1 << 20)).build();
    }

    /** The {@code record} entry a checkpoint holds for one job. */
    static JobEvent recordEvent(long job, JobState state) {
        return JobEvent.newBuilder().setJob(job).setRecord(record(job, state)).build();
    }

    static JobEvent limit(String group, int limit) {
        return JobEvent.newBuilder().setLimit(LimitChanged.newBuilder().setGroup(group).setLimit(limit)).build();
    }

    static JobEvent rate(String destination, List<String> lines) {
        return JobEvent.newBuilder().setRate(RateChanged.newBuilder().setDestination(destination)
                .addAllSchedule(lines)).build();
    }

    static JobRecord record(long job, JobState state) {
        return JobRecord.newBuilder().setRule("nas").setSource("/srv/out/nas/clip" + job + ".mxf")
                .setRelative("clip" + job + ".mxf").setDestination("siteB").setRemotePath("nas/clip" + job + ".mxf")
                .setGroup("NAS").setSize(123_456_789L).setMtimeMillis(1_700_000_000_000L).setState(state)
                .setCreatedMillis(1_700_000_000_000L + job).setAfter("keep").build();
    }
}

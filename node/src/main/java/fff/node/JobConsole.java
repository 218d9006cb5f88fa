package fff.node;

import fff.common.jobs.Job;
import fff.common.jobs.JobEngine;
import java.io.PrintStream;

/**
 * One line per job event on standard output, for an operator watching {@code fff run} in the foreground and
 * for the end-to-end tests, which read these lines. Format: {@code job ID WHAT GROUP ...}.
 */
final class JobConsole implements JobEngine.Events {

    private final PrintStream out;

    JobConsole(PrintStream out) {
        this.out = out;
    }

    @Override
    public void job(Job j, String what) {
        var s = j.spec();
        String line = switch (what) {
            case "queued" -> "job " + j.id() + " queued " + s.group() + " " + switch (s.op()) {
                case SEND -> s.source() + " -> " + s.destination() + (s.returnTo() != null ? " (" + s.profile()
                        + ") -> " + s.returnTo() : ":" + s.remotePath()) + " (" + Sizes.human(s.size()) + ")";
                case RENAME -> "rename " + s.destination() + ":" + s.renameFrom() + " -> " + s.remotePath();
                case REMOVE -> "remove " + s.destination() + ":" + s.remotePath();
            } + (j.blocked() ? " waiting" : "");
            case "started" -> "job " + j.id() + " started " + s.group() + " " + s.relative() + " attempt "
                    + (j.attempts() + 1);
            case "done" -> "job " + j.id() + " done " + s.group() + " " + s.relative() + " " + Sizes.human(s.size())
                    + " in " + seconds(j.endedMillis() - j.startedMillis()) + " (" + j.note() + ")";
            case "retry" -> "job " + j.id() + " retry " + s.group() + " " + s.relative() + " in "
                    + seconds(j.retryAtMillis() - System.currentTimeMillis()) + ": " + j.lastError();
            case "source" -> "job " + j.id() + " source " + s.group() + " " + s.relative() + " (" + j.note() + ")";
            case "failed" -> "job " + j.id() + " failed " + s.group() + " " + s.relative() + " (" + j.note() + "): "
                    + j.lastError();
            default -> "job " + j.id() + " " + what + " " + s.group() + " " + s.relative()
                    + (j.note() == null ? "" : " (" + j.note() + ")");
        };
        out.println(line);
        out.flush();
    }

    private static String seconds(long millis) {
        return String.format("%.1f s", Math.max(0, millis) / 1000.0);
    }
}

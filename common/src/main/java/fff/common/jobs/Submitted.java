package fff.common.jobs;

import java.util.Optional;

/** Result of {@link JobDb#submit}: the new job (empty when the same unchanged file already had one). */
public record Submitted(Optional<Job> job, Dispatch dispatch) {
}

package fff.sender;

import java.time.Duration;

/**
 * A delivered, verified file.
 *
 * @param remotePath     path under the receiver's root
 * @param size           file size
 * @param bytesSent      payload bytes that crossed the link for it, over all attempts
 * @param resumedFrom    offset the final attempt continued from (0 when it started fresh)
 * @param alreadyPresent the receiver already held an identical file; nothing was sent
 * @param attempts       attempts used (1 when nothing went wrong)
 * @param elapsed        from first attempt to verification
 */
public record TransferResult(String remotePath, long size, long bytesSent, long resumedFrom, boolean alreadyPresent,
        int attempts, Duration elapsed) {
}

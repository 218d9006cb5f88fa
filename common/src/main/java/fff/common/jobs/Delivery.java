package fff.common.jobs;

/**
 * A verified delivery, as a mover reports it.
 *
 * @param bytesSent      payload bytes that crossed the link for it, over all attempts of the mover
 * @param resumedFrom    offset the final attempt continued from
 * @param alreadyPresent the destination already held an identical file; nothing was sent
 */
public record Delivery(long bytesSent, long resumedFrom, boolean alreadyPresent) {
}

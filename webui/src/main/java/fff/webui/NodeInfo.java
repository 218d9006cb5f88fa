package fff.webui;

/**
 * What {@code GET /api/node} tells about the node.
 *
 * @param id            the node ID (certificate fingerprint)
 * @param version       the software version
 * @param startedMillis when the node started, for the uptime
 */
public record NodeInfo(String id, String version, long startedMillis) {
}

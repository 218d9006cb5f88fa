package fff.webui;

import java.util.function.LongSupplier;

/**
 * What {@code GET /api/node} tells about the node, and what {@code /metrics} reads from it.
 *
 * @param id            the node ID (certificate fingerprint)
 * @param version       the software version
 * @param startedMillis when the node started, for the uptime
 * @param journalBytes  the size of the node's journal files, read at each scrape (a directory listing); null
 *                      when there is no journal to report
 */
public record NodeInfo(String id, String version, long startedMillis, LongSupplier journalBytes) {

    /** A node without a journal to report. */
    public NodeInfo(String id, String version, long startedMillis) {
        this(id, version, startedMillis, null);
    }
}

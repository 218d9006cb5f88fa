package fff.common.peers;

import java.util.Map;

/**
 * One peer as {@code GET /api/peers} shows it and the peer metrics export it: a destination this node sends to
 * ({@link #OUT}) or a node that sends to it ({@link #IN}). Field names are the JSON names.
 *
 * @param name               the destination's name (out), or the sender's destination name or node ID (in)
 * @param direction          {@link #OUT} or {@link #IN}
 * @param address            {@code host:port}: the destination's peer listener, or the sender's last remote address
 * @param online             a connection to or from it is up now
 * @param why                why it is not online (the last connection error); null when online, or offline
 *                           because no connection was tried yet (a destination connects when a job is for it)
 * @param rttMillis          smoothed round-trip time from Ping/Pong, milliseconds; null until measured
 * @param connections        connections open now
 * @param sentBytes          payload bytes sent to it since this node started
 * @param receivedBytes      payload bytes received from it since this node started
 * @param rateBytesPerSecond payload throughput over the last few seconds, both directions summed
 * @param resumes            files continued from an offset &gt; 0 instead of sent from the start
 * @param creditStalls       times a stream (or the connection) had data to send and no credit left
 * @param congestion         open connections by the TCP congestion control each really uses (read back from
 *                           its socket; {@code "unknown"} where it cannot be read); empty when none is open
 *                           or the peer is not reached over TCP by this node's protocol
 */
public record PeerStatus(String name, String direction, String address, boolean online, String why,
        Double rttMillis, int connections, long sentBytes, long receivedBytes, double rateBytesPerSecond,
        long resumes, long creditStalls, Map<String, Integer> congestion) {

    /** A destination this node sends to. */
    public static final String OUT = "out";
    /** A node that sends to this one. */
    public static final String IN = "in";

    public PeerStatus {
        if (!OUT.equals(direction) && !IN.equals(direction)) {
            throw new IllegalArgumentException("direction must be out or in, got " + direction);
        }
        congestion = congestion == null ? Map.of() : Map.copyOf(congestion);
    }
}

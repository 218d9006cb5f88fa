package fff.common.peers;

import java.util.List;

/**
 * The peers a node knows now, for the web API and the metrics; the web side depends on this, not on the
 * sender or receiver. Called from web worker threads; implementations answer from counters and short locks,
 * never waiting on the network.
 */
public interface PeerDirectory {

    /** Destinations first (in configuration order), then senders; a fresh list each call. */
    List<PeerStatus> peers();

    /** A node with no peers. */
    PeerDirectory NONE = List::of;
}

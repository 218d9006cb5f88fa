package fff.webui;

import fff.common.peers.PeerStatus;
import java.util.List;

/** What {@code GET /api/peers} answers: {@code {"peers": [...]}}, destinations first, then senders. */
record PeerList(List<PeerStatus> peers) {
}

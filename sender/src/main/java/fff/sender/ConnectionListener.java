package fff.sender;

/**
 * Told when a {@link PeerClient} in persistent mode gains its first ready connection or loses its last one
 * (or cannot make one). Called from network threads; keep it short.
 */
public interface ConnectionListener {

    void online();

    void offline(String why);
}

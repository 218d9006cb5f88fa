package fff.receiver.storage;

import fff.proto.Reason;
import java.util.Objects;

/**
 * The landing area declines a request for a reason the sender should hear about: a coded {@link Reason} for the
 * {@code Reject} message and a message for people.
 */
public final class StorageRefusal extends Exception {

    private static final long serialVersionUID = 1L;

    private final Reason reason;

    public StorageRefusal(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }

    @Override
    public String toString() {
        return "StorageRefusal[" + reason + "]: " + getMessage();
    }
}

package fff.receiver.storage;

import fff.proto.Reason;
import java.util.Objects;

/** What {@link Incoming#finish} concluded about a file, with a message for people. */
public record Verdict(Outcome outcome, String message) {

    public enum Outcome {
        /** The bytes matched and the file is now at its final path. */
        VERIFIED,
        /** A stripe's bytes matched; other parts of the file are still to come, so it is not at its final path yet. */
        PART_VERIFIED,
        /** The final file already had the sender's content; nothing was touched. */
        ALREADY_PRESENT,
        SIZE_MISMATCH,
        HASH_MISMATCH,
        /** A receiving ffmpeg failed; another attempt may succeed. */
        TRANSCODE_FAILED,
        /**
         * The transcode's output does not match the source (frames, duration, format...), or a whole-file
         * conversion failed on bytes that verified; retrying will not help.
         */
        OUTPUT_MISMATCH
    }

    public Verdict {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(message, "message");
    }

    /** True when the receiver now holds the sender's content at the final path (a stripe: for its part). */
    public boolean ok() {
        return outcome == Outcome.VERIFIED || outcome == Outcome.PART_VERIFIED || outcome == Outcome.ALREADY_PRESENT;
    }

    /** The wire reason for a {@code Failed}/{@code Reject}; {@code REASON_UNSPECIFIED} for {@link Outcome#VERIFIED}. */
    public Reason reason() {
        return switch (outcome) {
            case VERIFIED, PART_VERIFIED -> Reason.REASON_UNSPECIFIED;
            case ALREADY_PRESENT -> Reason.ALREADY_PRESENT;
            case SIZE_MISMATCH -> Reason.SIZE_MISMATCH;
            case HASH_MISMATCH -> Reason.HASH_MISMATCH;
            case TRANSCODE_FAILED, OUTPUT_MISMATCH -> Reason.TRANSCODE_FAILED;
        };
    }

    /** Whether the sender should try again after this failure. */
    public boolean retryable() {
        return outcome != Outcome.OUTPUT_MISMATCH;
    }
}

package fff.sender.local;

import fff.common.jobs.Failure;

/** Ends a local attempt with a coded {@link Failure}: a refusal decided here rather than a raw I/O error. */
final class LocalFailure extends Exception {

    private final transient Failure failure;

    LocalFailure(Failure failure) {
        super(failure.message(), null, false, false);
        this.failure = failure;
    }

    static LocalFailure of(String reason, String message, boolean retryable) {
        return new LocalFailure(Failure.of(reason, message, retryable));
    }

    Failure failure() {
        return failure;
    }
}

package io.jeex.db;

/**
 * An attempt failure that the retry layer decided to retry, with the wait chosen for it. The
 * only exception type Resilience4j's {@code Retry} retries; its interval function reads
 * {@link #waitMillis()}.
 */
final class RetryableFailure extends RuntimeException {

    private final AttemptFailure failure;
    private final long waitMillis;

    RetryableFailure(AttemptFailure failure, long waitMillis) {
        super(failure.getMessage(), failure.getCause(), false, false);
        this.failure = failure;
        this.waitMillis = waitMillis;
    }

    AttemptFailure failure() {
        return failure;
    }

    long waitMillis() {
        return waitMillis;
    }
}

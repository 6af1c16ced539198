package io.jeex.db;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The waits of one outermost transaction call: exponential backoff with full jitter (a random
 * wait between 0 and {@code min(cap, initial * multiplier^(retry - 1))}) within an overall
 * deadline that starts with the first attempt.
 */
final class Backoff {

    private final long initialMillis;
    private final double multiplier;
    private final long capMillis;
    private final long deadlineNanos;

    Backoff(RetryConfig config, long startNanos) {
        this.initialMillis = config.initialBackoff().toMillis();
        this.multiplier = config.backoffMultiplier();
        this.capMillis = config.maxBackoff().toMillis();
        this.deadlineNanos = startNanos + config.deadline().toNanos();
    }

    /**
     * @param retry 1 for the first retry, 2 for the second...
     * @return a random wait in milliseconds, within the growing bound and the cap
     */
    long nextWaitMillis(int retry) {
        double bound = Math.min((double) capMillis, initialMillis * Math.pow(multiplier, retry - 1));
        return ThreadLocalRandom.current().nextLong((long) bound + 1);
    }

    /**
     * @param waitMillis the wait before the next attempt
     * @return whether the next attempt would start before the deadline
     */
    boolean allows(long waitMillis) {
        return System.nanoTime() + waitMillis * 1_000_000L < deadlineNanos;
    }
}

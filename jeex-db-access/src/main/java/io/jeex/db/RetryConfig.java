package io.jeex.db;

import static io.jeex.db.ConfigChecks.atLeast;

import java.time.Duration;

/**
 * How a transaction is retried after a transient failure: how many runs, the exponential
 * backoff with full jitter between them (a random wait below
 * {@code min(maxBackoff, initialBackoff * backoffMultiplier^(retry - 1))}), and the deadline after
 * which no retry starts. Immutable; derive a changed copy with the {@code withX} methods, starting
 * from {@link #DEFAULTS}, for example {@code JeexDbConfig.builder(url).retry(r -> r.withMaxAttempts(3))}.
 *
 * <p>Environment variables ({@link JeexDbConfig#fromEnvironment(java.util.Map)}), in the order of
 * the components: JEEX_DB_RETRY_MAX_ATTEMPTS, JEEX_DB_RETRY_INITIAL_BACKOFF,
 * JEEX_DB_RETRY_BACKOFF_MULTIPLIER, JEEX_DB_RETRY_MAX_BACKOFF, JEEX_DB_RETRY_DEADLINE,
 * JEEX_DB_RETRY_ON_LOCK_TIMEOUT.
 *
 * @param maxAttempts how many times a transaction runs at most, the first run included; 1 turns
 *     retries off; at least 1; default 5 (1 run and up to 4 retries)
 * @param initialBackoff the upper bound of the first wait before a retry (full jitter: the wait is
 *     random below it); at least 1 ms; default 20 ms
 * @param backoffMultiplier the factor by which the wait's upper bound grows per retry; a finite
 *     number of at least 1.0; default 2.0
 * @param maxBackoff the cap of the wait's upper bound; at least 1 ms, and at least
 *     {@link #initialBackoff()} (checked by {@link JeexDbConfig.Builder#build()}); default 1 s
 * @param deadline the time after the first attempt began beyond which no retry starts; at least
 *     1 ms; default 10 s
 * @param onLockTimeout whether a lock timeout (55P03) is retried like a serialization failure;
 *     default false
 */
public record RetryConfig(int maxAttempts, Duration initialBackoff, double backoffMultiplier, Duration maxBackoff,
                          Duration deadline, boolean onLockTimeout) {

    /** Every default: 5 runs at most, waits from below 20 ms doubling up to below 1 s, within 10 s. */
    public static final RetryConfig DEFAULTS = new RetryConfig(5, Duration.ofMillis(20), 2.0, Duration.ofSeconds(1),
            Duration.ofSeconds(10), false);

    /**
     * Checks every value.
     *
     * @throws IllegalArgumentException if a value breaks its rule (see the components); the message
     *     names the property, the rule and the value
     * @throws NullPointerException if a duration is null
     */
    public RetryConfig {
        atLeast("retryMaxAttempts", maxAttempts, 1);
        atLeast("retryInitialBackoff", initialBackoff, Duration.ofMillis(1));
        if (!(backoffMultiplier >= 1.0) || Double.isInfinite(backoffMultiplier)) {
            throw new IllegalArgumentException("retryBackoffMultiplier must be a finite number of at least 1.0, but was "
                    + backoffMultiplier);
        }
        atLeast("retryMaxBackoff", maxBackoff, Duration.ofMillis(1));
        atLeast("retryDeadline", deadline, Duration.ofMillis(1));
    }

    /**
     * @param maxAttempts see {@link #maxAttempts()}; 1 turns retries off
     * @return a copy with this value
     * @throws IllegalArgumentException if below 1
     */
    public RetryConfig withMaxAttempts(int maxAttempts) {
        return new RetryConfig(maxAttempts, initialBackoff, backoffMultiplier, maxBackoff, deadline, onLockTimeout);
    }

    /**
     * @param initialBackoff see {@link #initialBackoff()}
     * @return a copy with this value
     * @throws IllegalArgumentException if below 1 ms
     */
    public RetryConfig withInitialBackoff(Duration initialBackoff) {
        return new RetryConfig(maxAttempts, initialBackoff, backoffMultiplier, maxBackoff, deadline, onLockTimeout);
    }

    /**
     * @param backoffMultiplier see {@link #backoffMultiplier()}
     * @return a copy with this value
     * @throws IllegalArgumentException if below 1.0 or not finite
     */
    public RetryConfig withBackoffMultiplier(double backoffMultiplier) {
        return new RetryConfig(maxAttempts, initialBackoff, backoffMultiplier, maxBackoff, deadline, onLockTimeout);
    }

    /**
     * @param maxBackoff see {@link #maxBackoff()}
     * @return a copy with this value
     * @throws IllegalArgumentException if below 1 ms
     */
    public RetryConfig withMaxBackoff(Duration maxBackoff) {
        return new RetryConfig(maxAttempts, initialBackoff, backoffMultiplier, maxBackoff, deadline, onLockTimeout);
    }

    /**
     * @param deadline see {@link #deadline()}
     * @return a copy with this value
     * @throws IllegalArgumentException if below 1 ms
     */
    public RetryConfig withDeadline(Duration deadline) {
        return new RetryConfig(maxAttempts, initialBackoff, backoffMultiplier, maxBackoff, deadline, onLockTimeout);
    }

    /**
     * @param onLockTimeout see {@link #onLockTimeout()}
     * @return a copy with this value
     */
    public RetryConfig withOnLockTimeout(boolean onLockTimeout) {
        return new RetryConfig(maxAttempts, initialBackoff, backoffMultiplier, maxBackoff, deadline, onLockTimeout);
    }

    /** @return every value, named as in error messages */
    @Override
    public String toString() {
        return "RetryConfig[retryMaxAttempts=" + maxAttempts + ", retryInitialBackoff=" + initialBackoff
                + ", retryBackoffMultiplier=" + backoffMultiplier + ", retryMaxBackoff=" + maxBackoff
                + ", retryDeadline=" + deadline + ", retryOnLockTimeout=" + onLockTimeout + "]";
    }
}

package io.jeex.db;

import static io.jeex.db.ConfigChecks.atLeast;

import java.time.Duration;

/**
 * When the circuit breaker of a pool opens, how long it stays open and how it closes again
 * (Resilience4j, count-based window). Only infrastructure failures (connection failures, pool
 * timeouts, refused logins) count as failures: not constraint violations or contention, and not
 * slow calls (Resilience4j's slow-call rule is switched off). Immutable; derive a changed copy
 * with the {@code withX} methods, starting from {@link #DEFAULTS}.
 *
 * <p>Environment variables ({@link JeexDbConfig#fromEnvironment(java.util.Map)}), in the order of
 * the components: JEEX_DB_BREAKER_FAILURE_RATE_THRESHOLD, JEEX_DB_BREAKER_SLIDING_WINDOW_SIZE,
 * JEEX_DB_BREAKER_MINIMUM_CALLS, JEEX_DB_BREAKER_WAIT_IN_OPEN_STATE, JEEX_DB_BREAKER_HALF_OPEN_CALLS.
 *
 * @param failureRateThreshold the percentage of infrastructure failures among counted calls that
 *     opens the breaker; above 0 and at most 100; default 50
 * @param slidingWindowSize how many of the last calls the breaker counts; at least 1; default 20
 * @param minimumCalls how many calls the breaker counts before it may open; at least 1; above
 *     {@link #slidingWindowSize()} it is lowered to it, with a WARN ({@link JeexDbConfig.Builder#build()});
 *     default 10
 * @param waitInOpenState how long an open breaker fails fast before letting trial calls through;
 *     at least 1 ms; default 10 s
 * @param permittedCallsInHalfOpenState how many trial calls a half-open breaker lets through;
 *     at least 1; default 3
 */
public record BreakerConfig(float failureRateThreshold, int slidingWindowSize, int minimumCalls,
                            Duration waitInOpenState, int permittedCallsInHalfOpenState) {

    /** Every default: opens at 50 % failures among the last 20 calls (at least 10), open for 10 s, 3 trial calls. */
    public static final BreakerConfig DEFAULTS = new BreakerConfig(50f, 20, 10, Duration.ofSeconds(10), 3);

    /**
     * Checks every value.
     *
     * @throws IllegalArgumentException if a value breaks its rule (see the components); the message
     *     names the property, the rule and the value
     * @throws NullPointerException if {@code waitInOpenState} is null
     */
    public BreakerConfig {
        if (!(failureRateThreshold > 0f && failureRateThreshold <= 100f)) {
            throw new IllegalArgumentException("breakerFailureRateThreshold must be above 0 and at most 100 (percent), "
                    + "but was " + failureRateThreshold);
        }
        atLeast("breakerSlidingWindowSize", slidingWindowSize, 1);
        atLeast("breakerMinimumCalls", minimumCalls, 1);
        atLeast("breakerWaitInOpenState", waitInOpenState, Duration.ofMillis(1));
        atLeast("breakerPermittedCallsInHalfOpenState", permittedCallsInHalfOpenState, 1);
    }

    /**
     * @param failureRateThreshold see {@link #failureRateThreshold()}, in percent
     * @return a copy with this value
     * @throws IllegalArgumentException if not above 0 and at most 100
     */
    public BreakerConfig withFailureRateThreshold(float failureRateThreshold) {
        return new BreakerConfig(failureRateThreshold, slidingWindowSize, minimumCalls, waitInOpenState,
                permittedCallsInHalfOpenState);
    }

    /**
     * @param slidingWindowSize see {@link #slidingWindowSize()}
     * @return a copy with this value
     * @throws IllegalArgumentException if below 1
     */
    public BreakerConfig withSlidingWindowSize(int slidingWindowSize) {
        return new BreakerConfig(failureRateThreshold, slidingWindowSize, minimumCalls, waitInOpenState,
                permittedCallsInHalfOpenState);
    }

    /**
     * @param minimumCalls see {@link #minimumCalls()}
     * @return a copy with this value
     * @throws IllegalArgumentException if below 1
     */
    public BreakerConfig withMinimumCalls(int minimumCalls) {
        return new BreakerConfig(failureRateThreshold, slidingWindowSize, minimumCalls, waitInOpenState,
                permittedCallsInHalfOpenState);
    }

    /**
     * @param waitInOpenState see {@link #waitInOpenState()}
     * @return a copy with this value
     * @throws IllegalArgumentException if below 1 ms
     */
    public BreakerConfig withWaitInOpenState(Duration waitInOpenState) {
        return new BreakerConfig(failureRateThreshold, slidingWindowSize, minimumCalls, waitInOpenState,
                permittedCallsInHalfOpenState);
    }

    /**
     * @param permittedCallsInHalfOpenState see {@link #permittedCallsInHalfOpenState()}
     * @return a copy with this value
     * @throws IllegalArgumentException if below 1
     */
    public BreakerConfig withPermittedCallsInHalfOpenState(int permittedCallsInHalfOpenState) {
        return new BreakerConfig(failureRateThreshold, slidingWindowSize, minimumCalls, waitInOpenState,
                permittedCallsInHalfOpenState);
    }

    /** @return every value, named as in error messages */
    @Override
    public String toString() {
        return "BreakerConfig[breakerFailureRateThreshold=" + failureRateThreshold
                + ", breakerSlidingWindowSize=" + slidingWindowSize + ", breakerMinimumCalls=" + minimumCalls
                + ", breakerWaitInOpenState=" + waitInOpenState
                + ", breakerPermittedCallsInHalfOpenState=" + permittedCallsInHalfOpenState + "]";
    }
}

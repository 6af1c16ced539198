package io.jeex.db;

import static io.jeex.db.ConfigChecks.atLeast;
import static io.jeex.db.ConfigChecks.zeroOrAtLeast;

import java.time.Duration;

/**
 * How {@link JeexDatabase#health()} checks the database, how often the background monitor
 * does, and which statements the slow-query log reports. Immutable; derive a changed copy with
 * the {@code withX} methods, starting from {@link #DEFAULTS}.
 *
 * <p>Environment variables ({@link JeexDbConfig#fromEnvironment(java.util.Map)}):
 * JEEX_DB_HEALTH_TIMEOUT, JEEX_DB_MONITOR_INTERVAL, JEEX_DB_SLOW_QUERY_THRESHOLD.
 *
 * @param timeout the bound of a health check: the connect, login and socket timeout of its own
 *     connection (whole seconds, rounded up) and the time after which {@link JeexDatabase#health()}
 *     answers DOWN without waiting longer; at least 1 s; default 2 s
 * @param monitorInterval the interval of the background health monitor, which updates the health
 *     gauges and logs each change of status once; zero turns the monitor off, otherwise at least
 *     10 ms; default 30 s (on)
 * @param slowQueryThreshold the duration at or above which a statement is logged at WARN with its
 *     SQL shape (bind values never shown); zero turns the slow-query log off; not negative; default 1 s
 */
public record HealthConfig(Duration timeout, Duration monitorInterval, Duration slowQueryThreshold) {

    /** Every default: 2 s per check, a check every 30 s, statements of 1 s or longer logged. */
    public static final HealthConfig DEFAULTS = new HealthConfig(Duration.ofSeconds(2), Duration.ofSeconds(30),
            Duration.ofSeconds(1));

    /**
     * Checks every value.
     *
     * @throws IllegalArgumentException if a value breaks its rule (see the components); the message
     *     names the property, the rule and the value
     * @throws NullPointerException if a value is null
     */
    public HealthConfig {
        atLeast("healthTimeout", timeout, Duration.ofSeconds(1));
        zeroOrAtLeast("monitorInterval", monitorInterval, Duration.ofMillis(10));
        atLeast("slowQueryThreshold", slowQueryThreshold, Duration.ZERO);
    }

    /**
     * @param timeout see {@link #timeout()}
     * @return a copy with this value
     * @throws IllegalArgumentException if below 1 s
     */
    public HealthConfig withTimeout(Duration timeout) {
        return new HealthConfig(timeout, monitorInterval, slowQueryThreshold);
    }

    /**
     * @param monitorInterval see {@link #monitorInterval()}; zero turns the monitor off
     * @return a copy with this value
     * @throws IllegalArgumentException if neither zero nor at least 10 ms
     */
    public HealthConfig withMonitorInterval(Duration monitorInterval) {
        return new HealthConfig(timeout, monitorInterval, slowQueryThreshold);
    }

    /**
     * @param slowQueryThreshold see {@link #slowQueryThreshold()}; zero turns the log off
     * @return a copy with this value
     * @throws IllegalArgumentException if negative
     */
    public HealthConfig withSlowQueryThreshold(Duration slowQueryThreshold) {
        return new HealthConfig(timeout, monitorInterval, slowQueryThreshold);
    }

    /** @return every value, named as in error messages */
    @Override
    public String toString() {
        return "HealthConfig[healthTimeout=" + timeout + ", monitorInterval=" + monitorInterval
                + ", slowQueryThreshold=" + slowQueryThreshold + "]";
    }
}

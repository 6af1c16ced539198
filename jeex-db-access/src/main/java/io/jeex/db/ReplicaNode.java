package io.jeex.db;

import com.zaxxer.hikari.HikariDataSource;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;

/**
 * One read replica: its place in {@link ReplicaConfig#urls()}, its route (pool, breaker, meters)
 * and the last reading of its probe ({@link LagProbe}).
 */
final class ReplicaNode {

    /** What the last probe found. */
    enum State {
        /** Not probed yet: not used for reads. */
        UNKNOWN,
        /** A standby ({@code pg_is_in_recovery()}) whose lag was measured. */
        STANDBY,
        /** Answers, but is not in recovery (promoted, or a primary): never used for reads. */
        NOT_STANDBY,
        /** Did not answer: not used for reads. */
        DOWN
    }

    /**
     * @param state what was found
     * @param lag the replay lag ({@link LagEstimate}); null unless {@link State#STANDBY}
     * @param atNanos when ({@link System#nanoTime()})
     * @param failure why it did not answer (SQLSTATE and the driver's message), or null
     */
    record Reading(State state, Duration lag, long atNanos, String failure) {
    }

    private final int index;
    private final String maskedUrl;
    private final Route route;
    private final HikariDataSource pool;
    private volatile Reading reading = new Reading(State.UNKNOWN, null, System.nanoTime(), null);

    /**
     * @param index its place in the configured list, from 0
     * @param maskedUrl its URL with passwords masked, for health and logs
     * @param route its route (a replica route)
     * @param pool its pool
     */
    ReplicaNode(int index, String maskedUrl, Route route, HikariDataSource pool) {
        this.index = index;
        this.maskedUrl = maskedUrl;
        this.route = route;
        this.pool = pool;
    }

    int index() {
        return index;
    }

    String maskedUrl() {
        return maskedUrl;
    }

    Route route() {
        return route;
    }

    HikariDataSource pool() {
        return pool;
    }

    CircuitBreaker breaker() {
        return route.breaker();
    }

    Reading reading() {
        return reading;
    }

    void reading(Reading reading) {
        this.reading = reading;
    }

    /**
     * The pool name (the {@code pool} tag) of the replica at {@code index}: {@code <name>-replica}
     * for the first, as with one replica, then {@code <name>-replica-1}, {@code <name>-replica-2}, ...
     */
    static String poolName(String name, int index) {
        return index == 0 ? name + "-replica" : name + "-replica-" + index;
    }
}

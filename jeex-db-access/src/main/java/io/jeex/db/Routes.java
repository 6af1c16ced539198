package io.jeex.db;

import static java.util.Objects.requireNonNull;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.jeex.db.tx.TxOptions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Supplier;

/** Where each attempt of a transaction runs: the primary, the read replica, or system mode. */
final class Routes {

    private final Route primary;
    private final Route replica;
    /** Builds the system mode's route on first use: a service that never uses system mode gets none of its meters. */
    private final Supplier<Route> systemRoute;
    private volatile Route system;
    private final ReplicaReads replicaReads;

    /**
     * @param primary the primary route
     * @param replica the replica route, or null
     * @param system builds the route of system mode, called once, on first use
     * @param replicaReads the read-your-writes rule of replica reads, or null without a replica
     */
    Routes(Route primary, Route replica, Supplier<Route> system, ReplicaReads replicaReads) {
        this.primary = requireNonNull(primary, "primary");
        this.replica = replica;
        this.systemRoute = requireNonNull(system, "system");
        this.replicaReads = replicaReads;
    }

    /** @return the primary route */
    Route primary() {
        return primary;
    }

    /** @return the route of system mode, built on first use */
    Route system() {
        Route route = system;
        if (route == null) {
            synchronized (systemRoute) {
                route = system;
                if (route == null) {
                    route = requireNonNull(systemRoute.get(), "system route");
                    system = route;
                }
            }
        }
        return route;
    }

    /**
     * The route of the next attempt: system mode has its own; read-only work goes to the replica
     * when there is one, its breaker lets calls through, and (with read-your-writes) it has
     * replayed this instance's writes; everything else goes to the primary.
     */
    Route of(TxOptions options) {
        if (options.system()) {
            return system();
        }
        if (replica == null || !options.readOnly() || replica.breaker().getState() == CircuitBreaker.State.OPEN) {
            return primary;
        }
        if (replicaReads.knownCaughtUp()) {
            return replica;
        }
        try (Connection c = replica.acquirer().acquire()) {
            return replicaReads.caughtUp(c) ? replica : primary;
        } catch (SQLException | RuntimeException e) {
            return primary; // the replica's health is the health check's business; the read goes on
        }
    }
}

package io.jeex.db;

import static java.util.Objects.requireNonNull;

import io.jeex.db.tx.TxOptions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Supplier;

/** Where each attempt of a transaction runs: the primary, a read replica, or system mode. */
final class Routes {

    private final Route primary;
    private final ReplicaSet replicas;
    /** Builds the system mode's route on first use: a service that never uses system mode gets none of its meters. */
    private final Supplier<Route> systemRoute;
    private volatile Route system;
    private final ReplicaReads replicaReads;

    /**
     * @param primary the primary route
     * @param replicas the read replicas, or null without any
     * @param system builds the route of system mode, called once, on first use
     * @param replicaReads the read-your-writes rule of replica reads, or null without a replica
     */
    Routes(Route primary, ReplicaSet replicas, Supplier<Route> system, ReplicaReads replicaReads) {
        this.primary = requireNonNull(primary, "primary");
        this.replicas = replicas;
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
     * with the least lag among those within the lag bound whose breaker lets calls through
     * ({@link ReplicaSet#candidates()}) and, with read-your-writes, to the best of them known to have
     * replayed this instance's writes, else to the best one if it replays them within the wait;
     * everything else, and a read no replica qualifies for, goes to the primary.
     */
    Route of(TxOptions options) {
        if (options.system()) {
            return system();
        }
        if (replicas == null || !options.readOnly()) {
            return primary;
        }
        List<ReplicaNode> candidates = replicas.candidates();
        if (candidates.isEmpty()) {
            return primary;
        }
        if (!replicaReads.tracksWrites()) {
            return candidates.get(0).route();
        }
        for (ReplicaNode node : candidates) {
            if (replicaReads.knownCaughtUp(node.index())) {
                return node.route();
            }
        }
        ReplicaNode best = candidates.get(0);
        try (Connection c = best.route().acquirer().acquire()) {
            return replicaReads.caughtUp(best.index(), c) ? best.route() : primary;
        } catch (SQLException | RuntimeException e) {
            return primary; // the replica's health is its probe's business; the read goes on
        }
    }
}

package io.jeex.db;

import io.jeex.db.HealthProbes.Answer;
import io.jeex.db.HealthProbes.MigrationRead;
import io.jeex.db.HealthProbes.ReplicaRead;
import io.jeex.db.HealthProbes.RoundTrip;
import io.jeex.db.health.HealthReport.MigrationState;
import io.jeex.db.health.HealthReport.PoolState;
import io.jeex.db.health.HealthReport.ReplicaState;
import io.jeex.db.health.HealthReport;
import io.jeex.db.health.HealthStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * From what the probes found by the deadline to a report: the status rules, without I/O. A part
 * still running at the deadline is null here. DOWN when the primary did not answer or cannot hold
 * the schema; DEGRADED when it answered but the migration state is unknown or not current, the
 * pooler did not answer, a pool is saturated, a circuit breaker is not closed, or a replica is
 * unreachable, not a standby, or over the lag bound; ready when live, the migrations current and the primary's
 * breaker not open.
 */
final class HealthRules {

    /**
     * What a check found.
     *
     * @param name the instance name
     * @param at when the check started
     * @param roundTrip the primary's round trip, null if it ran out of time
     * @param migrations the migration state, null if it ran out of time
     * @param pooler the pooler's round trip, null if it ran out of time or there is none
     * @param replicas each replica's state in configured order, an entry null if it ran out of
     *     time (then {@code unanswered} has its state)
     * @param unanswered each replica's state when it did not answer in time
     * @param maxLag the replicas' lag bound
     * @param viaPooler whether the round trip went to the server directly, beside the pooler
     * @param pools the pools' figures
     * @param breakers each breaker's state by name
     * @param primaryBreakerOpen whether the primary's breaker is open
     * @param withinTimeout "within the health timeout (... ms)", for reasons
     */
    record Findings(String name, Instant at, RoundTrip roundTrip, MigrationRead migrations, Answer pooler,
                    List<ReplicaRead> replicas, List<ReplicaState> unanswered, Duration maxLag, boolean viaPooler,
                    List<PoolState> pools,
                    Map<String, String> breakers, boolean primaryBreakerOpen, String withinTimeout) {
    }

    private HealthRules() {
    }

    /**
     * @param f what the check found
     * @return the report
     */
    static HealthReport assemble(Findings f) {
        List<String> reasons = new ArrayList<>();
        RoundTrip trip = f.roundTrip();
        boolean live = trip != null && trip.live();
        MigrationState migrations = f.migrations() == null ? null : f.migrations().state();
        HealthStatus status;
        if (live && trip.unsupported() != null) {
            status = HealthStatus.DOWN;
            reasons.add(trip.unsupported());
        } else if (!live) {
            status = HealthStatus.DOWN;
            reasons.add(trip == null ? "the database did not answer " + f.withinTimeout() + ": check the host and "
                    + "port in " + (f.viaPooler() ? "JEEX_DB_MIGRATION_URL" : "JEEX_DB_URL") + " and the network, or "
                    + "raise JEEX_DB_HEALTH_TIMEOUT"
                    : trip.failure() != null ? trip.failure() : "the health check failed");
        } else {
            status = HealthStatus.UP;
            if (migrations == null) {
                // Unknown migration state: the database answers, but the schema may not be what this code needs.
                reasons.add(f.migrations() != null && f.migrations().failure() != null ? f.migrations().failure()
                        : "the migration state could not be read " + f.withinTimeout());
                status = HealthStatus.DEGRADED;
            }
        }
        if (f.viaPooler()) {
            String failure = f.pooler() != null ? f.pooler().failure()
                    : "the pooler did not answer " + f.withinTimeout();
            if (failure != null) {
                reasons.add(failure);
                status = worst(status, HealthStatus.DEGRADED);
            }
        }
        for (PoolState p : f.pools()) {
            if (p.saturated()) {
                reasons.add("pool '" + p.name() + "' is saturated: " + p.active() + " of " + p.max()
                        + " connections in use, " + p.pending() + " waiting");
                status = worst(status, HealthStatus.DEGRADED);
            }
        }
        if (migrations != null && !migrations.current()) {
            if (!migrations.pending().isEmpty()) {
                reasons.add(migrations.pending().size() + " pending migration(s): " + migrations.pending());
            }
            if (!migrations.failed().isEmpty()) {
                reasons.add("failed migration(s): " + migrations.failed());
            }
            if (!migrations.changed().isEmpty()) {
                reasons.add("migration(s) changed after they were applied (checksum differs): "
                        + migrations.changed());
            }
            status = worst(status, HealthStatus.DEGRADED);
        }
        for (Map.Entry<String, String> b : f.breakers().entrySet()) {
            if (!b.getValue().equals("CLOSED")) {
                reasons.add("circuit breaker '" + b.getKey() + "' is " + b.getValue());
                status = worst(status, HealthStatus.DEGRADED);
            }
        }
        List<ReplicaState> replicaStates = new ArrayList<>();
        for (int i = 0; i < f.replicas().size(); i++) {
            ReplicaRead read = f.replicas().get(i);
            ReplicaState state = read == null ? f.unanswered().get(i) : read.state();
            replicaStates.add(state);
            String which = "read replica " + state.index() + " (" + state.url() + ")";
            if (read == null) {
                reasons.add(which + " did not answer " + f.withinTimeout());
            } else if (read.failure() != null) {
                reasons.add(read.failure());
            } else if (!state.inRecovery()) {
                reasons.add(which + " is not in recovery (not a standby: promoted, or the primary itself): reads "
                        + "skip it; point its URL at a standby");
            } else if (state.lag() != null && state.lag().compareTo(f.maxLag()) > 0) {
                reasons.add(which + " lags " + state.lag().toMillis() + " ms, over JEEX_DB_REPLICA_MAX_LAG ("
                        + f.maxLag().toMillis() + " ms): reads skip it until it catches up");
            }
            if (!state.reachable() || !state.inRecovery()
                    || state.lag() != null && state.lag().compareTo(f.maxLag()) > 0) {
                status = worst(status, HealthStatus.DEGRADED);
            }
        }
        boolean ready = live && migrations != null && migrations.current() && !f.primaryBreakerOpen();
        return new HealthReport(f.name(), status, reasons, live, ready, f.at(), live ? trip.latency() : null,
                trip == null ? null : trip.version(), f.pools(), migrations, f.breakers(), replicaStates);
    }

    /**
     * @param name the instance name
     * @param at when
     * @param reason why
     * @param pools the pools' figures
     * @param breakers the breakers' states
     * @param replicas each replica's state, as not reached
     * @return a DOWN report without a round trip
     */
    static HealthReport down(String name, Instant at, String reason, List<PoolState> pools,
                             Map<String, String> breakers, List<ReplicaState> replicas) {
        return new HealthReport(name, HealthStatus.DOWN, List.of(reason), false, false, at, null, null, pools, null,
                breakers, replicas);
    }

    private static HealthStatus worst(HealthStatus a, HealthStatus b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }
}

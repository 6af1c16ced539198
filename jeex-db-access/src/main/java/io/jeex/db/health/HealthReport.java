package io.jeex.db.health;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What one health check of a {@link io.jeex.db.JeexDatabase} found. Immutable. The round trip
 * runs on a connection of the check's own, with its own short timeout, so a saturated pool
 * never delays the answer; the pool figures come from HikariCP without borrowing a connection.
 *
 * <p>Liveness and readiness are separate answers: {@link #live()} says whether the database
 * answered at all; {@link #ready()} says whether the service should take traffic (it answered,
 * the schema is current with no pending, failed or changed migrations and its state could be
 * read, and the primary's circuit breaker is not open). The report holds no password and no connection string with credentials.
 *
 * @param name the instance name ({@link io.jeex.db.JeexDbConfig#name()})
 * @param status UP, DEGRADED or DOWN
 * @param reasons why the status is not UP (empty when UP); short sentences without secrets
 * @param live whether the database answered a round trip within the timeout
 * @param ready whether the service should take traffic (see above)
 * @param checkedAt when the check started
 * @param latency the round trip's duration on the check's own connection, or null when it failed
 * @param serverVersion the server's {@code server_version}, or null when unknown
 * @param pools the pools' usage: primary, replica (when configured); migrations use direct connections, no pool
 * @param migrations the schema's migration state, or null when it could not be read
 * @param breakers circuit-breaker state ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}, ...) by breaker name
 * @param replica the read replica's state, or null when no replica is configured
 */
public record HealthReport(String name, HealthStatus status, List<String> reasons, boolean live, boolean ready,
                           Instant checkedAt, Duration latency, String serverVersion, List<PoolState> pools,
                           MigrationState migrations, Map<String, String> breakers, ReplicaState replica) {

    /**
     * Copies the collections; checks the non-null parts.
     *
     * @throws NullPointerException if name, status, reasons, checkedAt, pools or breakers is null
     */
    public HealthReport {
        requireNonNull(name, "name");
        requireNonNull(status, "status");
        reasons = List.copyOf(reasons);
        requireNonNull(checkedAt, "checkedAt");
        pools = List.copyOf(pools);
        breakers = Map.copyOf(breakers);
    }

    /**
     * A pool's usage at the time of the check, from HikariCP's pool MXBean.
     *
     * @param name the pool name (also the {@code pool} tag of the {@code hikaricp.connections.*} meters)
     * @param active connections in use
     * @param idle connections open and free
     * @param pending threads waiting for a connection
     * @param max the pool's maximum size
     */
    public record PoolState(String name, int active, int idle, int pending, int max) {
        /** @return whether every connection is in use or a thread waits for one */
        public boolean saturated() {
            return pending > 0 || active >= max;
        }
    }

    /**
     * The schema's migration state: the migrations this library carries (resolved once from the
     * schema module) compared with the database's migration history table.
     *
     * @param currentVersion the version of the last applied migration, or null for an empty schema
     * @param applied how many migrations are applied
     * @param pending versions not applied yet (a service's as {@code <name>:<version>})
     * @param failed versions that failed
     * @param changed applied versions whose script differs from what was applied (checksum mismatch)
     */
    public record MigrationState(String currentVersion, int applied, List<String> pending, List<String> failed,
                                 List<String> changed) {
        /** Copies the lists. */
        public MigrationState {
            pending = List.copyOf(pending);
            failed = List.copyOf(failed);
            changed = List.copyOf(changed);
        }

        /**
         * A state without changed migrations.
         *
         * @param currentVersion the version of the last applied migration, or null for an empty schema
         * @param applied how many migrations are applied
         * @param pending versions not applied yet (a service's as {@code <name>:<version>})
         * @param failed versions that failed
         */
        public MigrationState(String currentVersion, int applied, List<String> pending, List<String> failed) {
            this(currentVersion, applied, pending, failed, List.of());
        }

        /** @return whether no migration is pending, failed or changed */
        public boolean current() {
            return pending.isEmpty() && failed.isEmpty() && changed.isEmpty();
        }

        /**
         * The state of jeex-db's migrations together with a service's: the current version stays
         * jeex-db's, the counts and lists add up (the service's versions carry its name, as in
         * {@code ideas:2}).
         *
         * @param service the state of the service's migrations
         * @return both in one state
         */
        public MigrationState plus(MigrationState service) {
            return new MigrationState(currentVersion, applied + service.applied(), concat(pending, service.pending()),
                    concat(failed, service.failed()), concat(changed, service.changed()));
        }

        private static List<String> concat(List<String> a, List<String> b) {
            List<String> all = new java.util.ArrayList<>(a);
            all.addAll(b);
            return all;
        }
    }

    /**
     * The read replica's state.
     *
     * @param reachable whether it answered within the health timeout
     * @param inRecovery whether it is a standby ({@code pg_is_in_recovery()}); false when unreachable
     * @param lag how far replay is behind: zero when everything received is replayed, else
     *     {@code now() - pg_last_xact_replay_timestamp()}; null when unreachable or not a standby
     */
    public record ReplicaState(boolean reachable, boolean inRecovery, Duration lag) {
        /** @return the lag, empty when unknown */
        public Optional<Duration> lagIfKnown() {
            return Optional.ofNullable(lag);
        }
    }

    /** @return the round-trip latency, empty when the database did not answer */
    public Optional<Duration> latencyIfKnown() {
        return Optional.ofNullable(latency);
    }

    /**
     * @return the report as one JSON object: {@code name}, {@code status}, {@code live},
     *     {@code ready}, {@code reasons}, {@code checkedAt}, {@code latencyMs}, {@code serverVersion},
     *     {@code pools}, {@code migrations}, {@code breakers}, {@code replica} (null fields as {@code null})
     */
    public String toJson() {
        StringBuilder j = new StringBuilder(512);
        j.append('{');
        field(j, "name").append(string(name)).append(',');
        field(j, "status").append(string(status.name())).append(',');
        field(j, "live").append(live).append(',');
        field(j, "ready").append(ready).append(',');
        field(j, "reasons").append('[');
        for (int i = 0; i < reasons.size(); i++) {
            j.append(i == 0 ? "" : ",").append(string(reasons.get(i)));
        }
        j.append("],");
        field(j, "checkedAt").append(string(checkedAt.toString())).append(',');
        field(j, "latencyMs").append(latency == null ? "null" : millis(latency)).append(',');
        field(j, "serverVersion").append(serverVersion == null ? "null" : string(serverVersion)).append(',');
        field(j, "pools").append('[');
        for (int i = 0; i < pools.size(); i++) {
            PoolState p = pools.get(i);
            j.append(i == 0 ? "{" : ",{");
            field(j, "name").append(string(p.name())).append(',');
            field(j, "active").append(p.active()).append(',');
            field(j, "idle").append(p.idle()).append(',');
            field(j, "pending").append(p.pending()).append(',');
            field(j, "max").append(p.max()).append('}');
        }
        j.append("],");
        field(j, "migrations");
        if (migrations == null) {
            j.append("null");
        } else {
            j.append('{');
            field(j, "currentVersion").append(migrations.currentVersion() == null ? "null"
                    : string(migrations.currentVersion())).append(',');
            field(j, "applied").append(migrations.applied()).append(',');
            field(j, "pending").append(strings(migrations.pending())).append(',');
            field(j, "failed").append(strings(migrations.failed())).append(',');
            field(j, "changed").append(strings(migrations.changed())).append('}');
        }
        j.append(',');
        field(j, "breakers").append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(breakers).entrySet()) {
            j.append(first ? "" : ",").append(string(e.getKey())).append(':').append(string(e.getValue()));
            first = false;
        }
        j.append("},");
        field(j, "replica");
        if (replica == null) {
            j.append("null");
        } else {
            j.append('{');
            field(j, "reachable").append(replica.reachable()).append(',');
            field(j, "inRecovery").append(replica.inRecovery()).append(',');
            field(j, "lagMs").append(replica.lag() == null ? "null" : millis(replica.lag())).append('}');
        }
        return j.append('}').toString();
    }

    private static StringBuilder field(StringBuilder j, String name) {
        return j.append('"').append(name).append("\":");
    }

    private static String millis(Duration d) {
        return String.format(Locale.ROOT, "%.3f", d.toNanos() / 1_000_000.0);
    }

    private static String strings(List<String> values) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) {
            s.append(i == 0 ? "" : ",").append(string(values.get(i)));
        }
        return s.append(']').toString();
    }

    /** A JSON string literal (RFC 8259 escaping). */
    static String string(String value) {
        StringBuilder s = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> {
                    if (c < 0x20) {
                        s.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        return s.append('"').toString();
    }

    /** @return a one-line summary: status and reasons */
    @Override
    public String toString() {
        return "HealthReport[" + name + " " + status + (reasons.isEmpty() ? "" : " " + reasons)
                + ", live=" + live + ", ready=" + ready + ", latency=" + latency + "]";
    }
}

package io.jeex.db.health;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

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
 * @param pools the pools' usage: primary, then each replica's; migrations use direct connections, no pool
 * @param migrations the schema's migration state, or null when it could not be read
 * @param breakers circuit-breaker state ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}, ...) by breaker name
 * @param replicas each read replica's state, in configured order; empty when none is configured
 */
public record HealthReport(String name, HealthStatus status, List<String> reasons, boolean live, boolean ready,
                           Instant checkedAt, Duration latency, String serverVersion, List<PoolState> pools,
                           MigrationState migrations, Map<String, String> breakers, List<ReplicaState> replicas) {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    /**
     * Copies the collections; checks the non-null parts.
     *
     * @throws NullPointerException if name, status, reasons, checkedAt, pools, breakers or replicas is null
     */
    public HealthReport {
        requireNonNull(name, "name");
        requireNonNull(status, "status");
        reasons = List.copyOf(reasons);
        requireNonNull(checkedAt, "checkedAt");
        pools = List.copyOf(pools);
        breakers = Map.copyOf(breakers);
        replicas = List.copyOf(replicas);
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
     * A read replica's state.
     *
     * @param index its place in {@link io.jeex.db.ReplicaConfig#urls()}, from 0
     * @param url its URL, passwords masked
     * @param reachable whether it answered the health check within the health timeout
     * @param inRecovery whether it is a standby ({@code pg_is_in_recovery()}); false when unreachable
     * @param lag its replay lag as last measured by its lag probe (the figure reads are routed by;
     *     see {@link io.jeex.db.ReplicaConfig}): zero when it had replayed the primary's position;
     *     null when unreachable, not a standby, or not measured yet
     * @param serving whether reads go to it now: a standby within the lag bound whose circuit
     *     breaker is not open
     */
    public record ReplicaState(int index, String url, boolean reachable, boolean inRecovery, Duration lag,
                               boolean serving) {
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
     *     {@code pools}, {@code migrations}, {@code breakers}, {@code replicas} (an array of {@code index},
     *     {@code url}, {@code reachable}, {@code inRecovery}, {@code lagMs}, {@code serving}; null fields as {@code null})
     */
    public String toJson() {
        StringWriter out = new StringWriter(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("name", name);
            g.writeStringField("status", status.name());
            g.writeBooleanField("live", live);
            g.writeBooleanField("ready", ready);
            strings(g, "reasons", reasons);
            g.writeStringField("checkedAt", checkedAt.toString());
            millis(g, "latencyMs", latency);
            g.writeStringField("serverVersion", serverVersion);
            g.writeArrayFieldStart("pools");
            for (PoolState p : pools) {
                g.writeStartObject();
                g.writeStringField("name", p.name());
                g.writeNumberField("active", p.active());
                g.writeNumberField("idle", p.idle());
                g.writeNumberField("pending", p.pending());
                g.writeNumberField("max", p.max());
                g.writeEndObject();
            }
            g.writeEndArray();
            if (migrations == null) {
                g.writeNullField("migrations");
            } else {
                g.writeObjectFieldStart("migrations");
                g.writeStringField("currentVersion", migrations.currentVersion());
                g.writeNumberField("applied", migrations.applied());
                strings(g, "pending", migrations.pending());
                strings(g, "failed", migrations.failed());
                strings(g, "changed", migrations.changed());
                g.writeEndObject();
            }
            g.writeObjectFieldStart("breakers");
            for (Map.Entry<String, String> e : new TreeMap<>(breakers).entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeArrayFieldStart("replicas");
            for (ReplicaState r : replicas) {
                g.writeStartObject();
                g.writeNumberField("index", r.index());
                g.writeStringField("url", r.url());
                g.writeBooleanField("reachable", r.reachable());
                g.writeBooleanField("inRecovery", r.inRecovery());
                millis(g, "lagMs", r.lag());
                g.writeBooleanField("serving", r.serving());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to a string", e);
        }
        return out.toString();
    }

    private static void strings(JsonGenerator g, String field, List<String> values) throws IOException {
        g.writeArrayFieldStart(field);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    /** Milliseconds with three decimals, or null. */
    private static void millis(JsonGenerator g, String field, Duration d) throws IOException {
        g.writeFieldName(field);
        if (d == null) {
            g.writeNull();
        } else {
            g.writeNumber(BigDecimal.valueOf(d.toNanos()).movePointLeft(6).setScale(3, RoundingMode.HALF_UP));
        }
    }

    /** @return a one-line summary: status and reasons */
    @Override
    public String toString() {
        return "HealthReport[" + name + " " + status + (reasons.isEmpty() ? "" : " " + reasons)
                + ", live=" + live + ", ready=" + ready + ", latency=" + latency + "]";
    }
}

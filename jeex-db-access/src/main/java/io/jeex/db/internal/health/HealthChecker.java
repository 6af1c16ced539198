package io.jeex.db.internal.health;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.health.HealthReport;
import io.jeex.db.health.HealthReport.MigrationState;
import io.jeex.db.health.HealthReport.PoolState;
import io.jeex.db.health.HealthReport.ReplicaState;
import io.jeex.db.health.HealthStatus;
import io.jeex.db.internal.DatabaseRuntime;
import io.jeex.db.internal.Durations;
import io.jeex.db.internal.error.SqlStates;
import io.jeex.db.internal.pool.ConnectFailures;
import io.jeex.db.internal.pool.DirectDataSource;
import io.jeex.db.schema.ServerCheck;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs health checks: a round trip on a connection of its own (driver connect, login and socket
 * timeouts one second past {@link JeexDbConfig#healthTimeout()}), never borrowed from a pool;
 * the migration state read from the history table with a plain {@code SELECT} (the schema's
 * migrations are resolved once, see {@link MigrationHistory}; no Flyway call, so no log line, per
 * check); pool usage from HikariCP's MXBeans; breaker states; the replica's recovery state and
 * lag. Behind PgBouncer (with a separate direct {@link JeexDbConfig#migrationUrl()}) the round
 * trip goes to the server directly, with the migration credentials, and a second one through the
 * pooler tells whether the pooler answers: a busy pooler is DEGRADED, not DOWN.
 *
 * <p>The parts run on worker threads against one deadline (the health timeout); what was measured
 * by then is reported, so a database that answered the round trip is live even when a later part
 * (migration state, pooler, replica) ran out of time. The caller's wait is bounded whatever the
 * network does.
 *
 * <p>Keeps the last report for the gauges {@value #STATUS_GAUGE}, {@value #LATENCY_GAUGE},
 * {@value #PENDING_MIGRATIONS_GAUGE} and (with a replica) {@value #REPLICA_LAG_GAUGE}, and logs
 * each change of status once; an unchanged status logs nothing.
 */
public final class HealthChecker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);

    /** Gauge: 1 for the last check's status, 0 for the others; tag {@code status} = up|degraded|down. */
    public static final String STATUS_GAUGE = "jeex.db.health.status";
    /** Gauge: the last check's round-trip latency in seconds; NaN before the first or when DOWN. */
    public static final String LATENCY_GAUGE = "jeex.db.health.latency";
    /** Gauge: pending plus failed migrations seen by the last check; NaN when unknown. */
    public static final String PENDING_MIGRATIONS_GAUGE = "jeex.db.migrations.pending";
    /** Gauge: the replica's lag in seconds at the last check; NaN when unknown. */
    public static final String REPLICA_LAG_GAUGE = "jeex.db.replica.lag";

    private static final String REPLICA_QUERY = "select pg_is_in_recovery(), case when not pg_is_in_recovery() "
            + "then null when pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0 "
            + "else extract(epoch from now() - pg_last_xact_replay_timestamp()) end";

    private final DatabaseRuntime runtime;
    private final JeexDbConfig config;
    private final ExecutorService workers;
    private final List<Meter> meters = new ArrayList<>();
    private final MeterRegistry registry;
    private final MigrationHistory history;
    private final MigrationHistory serviceHistory;
    private final String historyError;
    private volatile HealthReport last;
    private volatile boolean closed;

    /**
     * @param runtime the database's parts
     */
    public HealthChecker(DatabaseRuntime runtime) {
        this.runtime = runtime;
        this.config = runtime.config();
        this.registry = runtime.meterRegistry();
        MigrationHistory resolved = null;
        MigrationHistory service = null;
        String error = null;
        try {
            resolved = MigrationHistory.resolve();
            if (config.serviceMigrations().isPresent()) {
                service = MigrationHistory.resolve(config.serviceMigrations().get(), io.jeex.db.internal.Loaders.service());
            }
        } catch (RuntimeException e) {
            resolved = null;
            error = describe(e);
            LOG.warn("{}: health cannot resolve the schema's migrations: {}", config.name(), error);
        }
        this.history = resolved;
        this.serviceHistory = service;
        this.historyError = error;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "jeex-db-health-" + config.name() + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        for (HealthStatus s : HealthStatus.values()) {
            meters.add(Gauge.builder(STATUS_GAUGE, this, c -> c.last != null && c.last.status() == s ? 1 : 0)
                    .description("1 for the status of the last health check, 0 for the others")
                    .tag("pool", config.name()).tag("status", s.name().toLowerCase(Locale.ROOT))
                    .strongReference(true).register(registry));
        }
        meters.add(Gauge.builder(LATENCY_GAUGE, this, c -> c.last == null || c.last.latency() == null ? Double.NaN
                        : c.last.latency().toNanos() / 1e9)
                .description("Round-trip latency of the last health check on its own connection")
                .baseUnit("seconds").tag("pool", config.name()).strongReference(true).register(registry));
        meters.add(Gauge.builder(PENDING_MIGRATIONS_GAUGE, this, c -> c.last == null || c.last.migrations() == null
                        ? Double.NaN : c.last.migrations().pending().size() + c.last.migrations().failed().size())
                .description("Pending and failed migrations seen by the last health check")
                .tag("pool", config.name()).strongReference(true).register(registry));
        if (config.replicaUrl().isPresent()) {
            meters.add(Gauge.builder(REPLICA_LAG_GAUGE, this, c -> c.last == null || c.last.replica() == null
                            || c.last.replica().lag() == null ? Double.NaN : c.last.replica().lag().toNanos() / 1e9)
                    .description("Replay lag of the read replica at the last health check")
                    .baseUnit("seconds").tag("pool", config.name()).strongReference(true).register(registry));
        }
    }

    /** @return the last report, or null before the first check */
    public HealthReport last() {
        return last;
    }

    /**
     * Runs a check, bounded by the health timeout (plus scheduling slack), records it for the
     * gauges and logs a change of status.
     *
     * @return the report
     */
    public HealthReport check() {
        Instant at = Instant.now();
        if (closed) {
            return closedReport(at);
        }
        long deadline = System.nanoTime() + config.healthTimeout().toNanos();
        Primary primary = new Primary();
        Pooler pooler = viaPooler() ? new Pooler() : null;
        Replica replica = config.replicaUrl().isPresent() ? new Replica() : null;
        List<Future<?>> futures = new ArrayList<>(3);
        try {
            futures.add(workers.submit(() -> primary(primary)));
            if (pooler != null) {
                futures.add(workers.submit(() -> pooler(pooler)));
            }
            if (replica != null) {
                futures.add(workers.submit(() -> replica(replica)));
            }
        } catch (RejectedExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            return closedReport(at);
        }
        try {
            for (Future<?> f : futures) {
                long left = deadline - System.nanoTime();
                try {
                    f.get(Math.max(0, left), TimeUnit.NANOSECONDS);
                } catch (TimeoutException | ExecutionException e) {
                    // reported from the part's state below
                }
            }
        } catch (InterruptedException e) {
            // Interrupted by close() or by the caller: an answer, but not a finding to record or log.
            Thread.currentThread().interrupt();
            futures.forEach(f -> f.cancel(true));
            return down(at, "the health check was interrupted");
        }
        // Assembled before the parts still running are cancelled: an interrupted driver call would
        // otherwise fail with its own message ("something unusual") instead of the deadline's.
        HealthReport report = assemble(at, primary, pooler, replica);
        futures.forEach(f -> f.cancel(true));
        if (!closed) {
            record(report);
        }
        return report;
    }

    private HealthReport closedReport(Instant at) {
        return down(at, "this JeexDatabase is closed");
    }

    private HealthReport down(Instant at, String reason) {
        return new HealthReport(config.name(), HealthStatus.DOWN, List.of(reason), false, false, at, null, null,
                pools(), null, breakers(), config.replicaUrl().isPresent() ? new ReplicaState(false, false, null) : null);
    }

    /** Whether the round trip goes to the server directly and the pooler gets a round trip of its own. */
    private boolean viaPooler() {
        return config.pgBouncer() && !config.migrationUrl().equals(config.url());
    }

    private String withinTimeout() {
        return "within the health timeout (" + Durations.ms(config.healthTimeout()) + ")";
    }

    private synchronized void record(HealthReport report) {
        HealthReport previous = last;
        last = report;
        if (previous == null) {
            if (report.status() == HealthStatus.UP) {
                LOG.info("{}: health UP (latency {} ms)", config.name(), millis(report.latency()));
            } else {
                LOG.warn("{}: health {}: {}", config.name(), report.status(), String.join("; ", report.reasons()));
            }
        } else if (previous.status() != report.status()) {
            if (report.status() == HealthStatus.UP) {
                LOG.info("{}: health changed {} -> UP (latency {} ms)", config.name(), previous.status(),
                        millis(report.latency()));
            } else {
                LOG.warn("{}: health changed {} -> {}: {}", config.name(), previous.status(), report.status(),
                        String.join("; ", report.reasons()));
            }
        }
    }

    private static String millis(Duration d) {
        return d == null ? "?" : String.format(Locale.ROOT, "%.1f", d.toNanos() / 1e6);
    }

    /** What the primary part measured so far; read by {@link #check()} at the deadline. */
    private static final class Primary {
        volatile boolean live;
        volatile Duration latency;
        volatile String version;
        volatile MigrationState migrations;
        volatile String failure;
        volatile String unsupported;
        volatile boolean done;
    }

    /** The pooler's round trip (behind PgBouncer). */
    private static final class Pooler {
        volatile String failure;
        volatile boolean done;
    }

    /** The replica's state. */
    private static final class Replica {
        volatile ReplicaState state;
        volatile String failure;
    }

    /**
     * The round trip (on the pooled URL, or directly on the migration URL behind PgBouncer), then
     * the migration state on the same connection when it reaches the migration URL's database as
     * the migration user, else on a direct connection of its own.
     */
    private void primary(Primary p) {
        boolean direct = viaPooler();
        boolean connected = false;
        try (Connection c = direct ? connectForMigrations() : connect(config.url())) {
            connected = true;
            long start = System.nanoTime();
            ServerCheck server = ServerCheck.of(c);
            p.latency = Duration.ofNanos(System.nanoTime() - start);
            p.version = server.version();
            p.live = true;
            if (!server.supported()) {
                p.unsupported = server.problem().orElseThrow() + "; point " + (direct
                        ? "JEEX_DB_MIGRATION_URL" : "JEEX_DB_URL") + " at a PostgreSQL 18 server";
            } else if (history == null) {
                p.failure = "the migration state could not be read: " + historyError;
            } else if (direct || config.migrationUrl().equals(config.url())) {
                p.migrations = migrationState(c);
            } else {
                try (Connection m = connectForMigrations()) {
                    p.migrations = migrationState(m);
                }
            }
        } catch (SQLException | RuntimeException e) {
            p.failure = p.live ? "the migration state could not be read: " + describe(e)
                    : connected ? "the database did not answer: " + describe(e)
                    : ConnectFailures.describe(e, direct ? ConnectFailures.Settings.MIGRATION
                            : ConnectFailures.Settings.PRIMARY, seconds()).message();
        } finally {
            p.done = true;
        }
    }

    /** jeex-db's migration state, with the service's added when it has migrations of its own. */
    private MigrationState migrationState(Connection c) throws SQLException {
        MigrationState jeex = history.read(c, seconds());
        return serviceHistory == null ? jeex : jeex.plus(serviceHistory.read(c, seconds()));
    }

    private void pooler(Pooler p) {
        try (Connection c = connect(config.url())) {
            single(c, "select 1");
        } catch (SQLException | RuntimeException e) {
            p.failure = "the pooler did not answer: " + describe(e);
        } finally {
            p.done = true;
        }
    }

    private void replica(Replica r) {
        try (Connection c = connect(config.replicaUrl().get());
             Statement s = c.createStatement()) {
            s.setQueryTimeout(seconds());
            try (ResultSet rs = s.executeQuery(REPLICA_QUERY)) {
                rs.next();
                boolean inRecovery = rs.getBoolean(1);
                double lagSeconds = rs.getDouble(2);
                Duration lag = rs.wasNull() ? null : Duration.ofNanos((long) (Math.max(0, lagSeconds) * 1e9));
                r.state = new ReplicaState(true, inRecovery, lag);
            }
        } catch (SQLException | RuntimeException e) {
            r.failure = "the read replica did not answer: " + describe(e);
        }
    }

    /** The report from what the parts found by the deadline. */
    private HealthReport assemble(Instant at, Primary primary, Pooler pooler, Replica replica) {
        List<String> reasons = new ArrayList<>();
        boolean live = primary.live;
        MigrationState migrations = primary.migrations;
        HealthStatus status;
        if (live && primary.unsupported != null) {
            status = HealthStatus.DOWN;
            reasons.add(primary.unsupported);
        } else if (!live) {
            status = HealthStatus.DOWN;
            reasons.add(!primary.done ? "the database did not answer " + withinTimeout() + ": check the host and "
                    + "port in " + (viaPooler() ? "JEEX_DB_MIGRATION_URL" : "JEEX_DB_URL") + " and the network, or "
                    + "raise JEEX_DB_HEALTH_TIMEOUT"
                    : primary.failure != null ? primary.failure : "the health check failed");
        } else {
            status = HealthStatus.UP;
            if (migrations == null) {
                // Unknown migration state: the database answers, but the schema may not be what this code needs.
                reasons.add(primary.done && primary.failure != null ? primary.failure
                        : "the migration state could not be read " + withinTimeout());
                status = HealthStatus.DEGRADED;
            }
        }
        if (pooler != null) {
            String failure = pooler.done ? pooler.failure : "the pooler did not answer " + withinTimeout();
            if (failure != null) {
                reasons.add(failure);
                status = worst(status, HealthStatus.DEGRADED);
            }
        }
        List<PoolState> pools = pools();
        for (PoolState p : pools) {
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
        Map<String, String> breakers = breakers();
        CircuitBreaker primaryBreaker = runtime.breaker();
        boolean breakerOpen = primaryBreaker.getState() == CircuitBreaker.State.OPEN
                || primaryBreaker.getState() == CircuitBreaker.State.FORCED_OPEN;
        for (Map.Entry<String, String> b : breakers.entrySet()) {
            if (!b.getValue().equals("CLOSED")) {
                reasons.add("circuit breaker '" + b.getKey() + "' is " + b.getValue());
                status = worst(status, HealthStatus.DEGRADED);
            }
        }
        ReplicaState replicaState = null;
        if (replica != null) {
            replicaState = replica.state;
            if (replicaState == null) {
                replicaState = new ReplicaState(false, false, null);
                reasons.add(replica.failure != null ? replica.failure
                        : "the read replica did not answer " + withinTimeout());
            } else if (!replicaState.inRecovery()) {
                reasons.add("the read replica is not in recovery (not a standby: promoted, or the primary itself)");
            }
            if (!replicaState.reachable() || !replicaState.inRecovery()) {
                status = worst(status, HealthStatus.DEGRADED);
            }
        }
        boolean ready = live && migrations != null && migrations.current() && !breakerOpen;
        return new HealthReport(config.name(), status, reasons, live, ready, at, live ? primary.latency : null,
                primary.version, pools, migrations, breakers, replicaState);
    }

    private List<PoolState> pools() {
        List<PoolState> pools = new ArrayList<>(3);
        pools.add(pool(runtime.primaryPool()));
        runtime.replicaPool().ifPresent(p -> pools.add(pool(p)));
        return pools;
    }

    private static PoolState pool(HikariDataSource ds) {
        HikariPoolMXBean mx = ds.getHikariPoolMXBean();
        if (mx == null) {
            return new PoolState(ds.getPoolName(), 0, 0, 0, ds.getMaximumPoolSize());
        }
        return new PoolState(ds.getPoolName(), mx.getActiveConnections(), mx.getIdleConnections(),
                mx.getThreadsAwaitingConnection(), ds.getMaximumPoolSize());
    }

    private Map<String, String> breakers() {
        Map<String, String> states = new LinkedHashMap<>();
        states.put(runtime.breaker().getName(), runtime.breaker().getState().name());
        runtime.replicaBreaker().ifPresent(b -> states.put(b.getName(), b.getState().name()));
        return states;
    }

    private Connection connect(String url) throws SQLException {
        return new DirectDataSource(url, config.user().orElse(null), runtime.password(), applicationName(),
                Duration.ofSeconds(seconds()), Duration.ofSeconds(seconds()), false).getConnection();
    }

    /** A connection to the migration URL with the migration credentials. */
    private Connection connectForMigrations() throws SQLException {
        return runtime.migrationDataSource().with(applicationName(), Duration.ofSeconds(seconds()),
                Duration.ofSeconds(seconds())).getConnection();
    }

    private String applicationName() {
        return config.applicationName() + "-health";
    }

    /**
     * The driver's own timeouts (whole seconds) are a backstop one second past the health
     * timeout: the deadline in {@link #check()} must be what reports a silent server, never a
     * race between it and pgjdbc's login timer firing at the same instant.
     */
    private int seconds() {
        return (int) Math.max(1, (config.healthTimeout().toMillis() + 999) / 1000) + 1;
    }

    private String single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.setQueryTimeout(seconds());
            try (ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static HealthStatus worst(HealthStatus a, HealthStatus b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }

    /** A failure in a few words: its SQLSTATE and message; pgjdbc's messages carry no password. */
    static String describe(Throwable e) {
        String state = SqlStates.sqlState(e);
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        if (newline >= 0) {
            message = message.substring(0, newline);
        }
        return (state == null ? "" : "SQLSTATE " + state + ", ") + message;
    }

    /** Stops the workers and removes the gauges. */
    @Override
    public void close() {
        closed = true;
        workers.shutdownNow();
        for (Meter m : meters) {
            registry.remove(m);
        }
    }
}

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
import io.jeex.db.schema.JeexSchema;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.reflect.Proxy;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs health checks: a round trip on a connection of its own (driver connect, login and socket
 * timeouts from {@link JeexDbConfig#healthTimeout()}), never borrowed from a pool; migration
 * state through the schema module's Flyway configuration over that same kind of connection; pool
 * usage from HikariCP's MXBeans; breaker states; the replica's recovery state and lag. The whole
 * check runs on a worker thread and is abandoned (DOWN) when it outlasts the health timeout, so
 * the caller's wait is bounded whatever the network does.
 *
 * <p>Keeps the last report for the gauges {@value #STATUS_GAUGE}, {@value #LATENCY_GAUGE},
 * {@value #PENDING_MIGRATIONS_GAUGE} and (with a replica) {@value #REPLICA_LAG_GAUGE}, and logs
 * each change of status once.
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

    private static final String VERSION_QUERY = "select current_setting('server_version')";
    private static final String REPLICA_QUERY = "select pg_is_in_recovery(), case when not pg_is_in_recovery() "
            + "then null when pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0 "
            + "else extract(epoch from now() - pg_last_xact_replay_timestamp()) end";

    private final DatabaseRuntime runtime;
    private final JeexDbConfig config;
    private final ExecutorService workers;
    private final List<Meter> meters = new ArrayList<>();
    private final MeterRegistry registry;
    private volatile HealthReport last;
    private volatile boolean closed;

    /**
     * @param runtime the database's parts
     */
    public HealthChecker(DatabaseRuntime runtime) {
        this.runtime = runtime;
        this.config = runtime.config();
        this.registry = runtime.meterRegistry();
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
        HealthReport report;
        if (closed) {
            report = down(at, "this JeexDatabase is closed");
        } else {
            Future<HealthReport> future;
            try {
                future = workers.submit(() -> probe(at));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                return down(at, "this JeexDatabase is closed");
            }
            try {
                report = future.get(config.healthTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                future.cancel(true);
                report = down(at, "the database did not answer within the health timeout ("
                        + Durations.ms(config.healthTimeout()) + ")");
            } catch (ExecutionException e) {
                report = down(at, "the health check failed: " + describe(e.getCause()));
            } catch (InterruptedException e) {
                // Interrupted by close() or by the caller: an answer, but not a finding to record or log.
                Thread.currentThread().interrupt();
                future.cancel(true);
                return down(at, "the health check was interrupted");
            }
        }
        if (!closed) {
            record(report);
        }
        return report;
    }

    private HealthReport down(Instant at, String reason) {
        return new HealthReport(config.name(), HealthStatus.DOWN, List.of(reason), false, false, at, null, null,
                pools(), null, breakers(), config.replicaUrl().isPresent() ? new ReplicaState(false, false, null) : null);
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

    private HealthReport probe(Instant at) {
        List<String> reasons = new ArrayList<>();
        Duration latency = null;
        String version = null;
        MigrationState migrations = null;
        boolean live = false;
        try (Connection c = connect(config.url())) {
            long start = System.nanoTime();
            version = single(c, VERSION_QUERY);
            latency = Duration.ofNanos(System.nanoTime() - start);
            live = true;
            migrations = migrations(c);
        } catch (SQLException | RuntimeException e) {
            if (!live) {
                reasons.add("the database did not answer: " + describe(e));
            } else {
                reasons.add("the migration state could not be read: " + describe(e));
            }
        }
        HealthStatus status = live ? HealthStatus.UP : HealthStatus.DOWN;
        List<PoolState> pools = pools();
        for (PoolState p : pools) {
            if (p.saturated() && !p.name().endsWith("-migration")) {
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
            status = worst(status, HealthStatus.DEGRADED);
        }
        Map<String, String> breakers = breakers();
        CircuitBreaker primary = runtime.breaker();
        boolean breakerOpen = primary.getState() == CircuitBreaker.State.OPEN
                || primary.getState() == CircuitBreaker.State.FORCED_OPEN;
        for (Map.Entry<String, String> b : breakers.entrySet()) {
            if (!b.getValue().equals("CLOSED")) {
                reasons.add("circuit breaker '" + b.getKey() + "' is " + b.getValue());
                status = worst(status, HealthStatus.DEGRADED);
            }
        }
        ReplicaState replica = null;
        if (config.replicaUrl().isPresent()) {
            replica = replica(reasons);
            if (!replica.reachable() || !replica.inRecovery()) {
                status = worst(status, HealthStatus.DEGRADED);
            }
        }
        boolean ready = live && migrations != null && migrations.current() && !breakerOpen;
        return new HealthReport(config.name(), status, reasons, live, ready, at, latency, version, pools, migrations,
                breakers, replica);
    }

    private ReplicaState replica(List<String> reasons) {
        try (Connection c = connect(config.replicaUrl().get());
             Statement s = c.createStatement()) {
            s.setQueryTimeout(seconds());
            try (ResultSet rs = s.executeQuery(REPLICA_QUERY)) {
                rs.next();
                boolean inRecovery = rs.getBoolean(1);
                double lagSeconds = rs.getDouble(2);
                Duration lag = rs.wasNull() ? null : Duration.ofNanos((long) (Math.max(0, lagSeconds) * 1e9));
                if (!inRecovery) {
                    reasons.add("the read replica is not in recovery (not a standby: promoted, or the primary itself)");
                }
                return new ReplicaState(true, inRecovery, lag);
            }
        } catch (SQLException | RuntimeException e) {
            reasons.add("the read replica did not answer: " + describe(e));
            return new ReplicaState(false, false, null);
        }
    }

    private MigrationState migrations(Connection connection) throws SQLException {
        if (config.migrationUrl().equals(config.url())) {
            return migrationState(connection);
        }
        try (Connection direct = connect(config.migrationUrl())) {
            return migrationState(direct);
        }
    }

    private static MigrationState migrationState(Connection connection) {
        MigrationInfoService info = JeexSchema.flywayConfiguration(new OneConnection(connection)).load().info();
        MigrationInfo current = info.current();
        List<String> pending = new ArrayList<>();
        for (MigrationInfo m : info.pending()) {
            pending.add(m.getVersion() == null ? m.getDescription() : m.getVersion().getVersion());
        }
        List<String> failed = new ArrayList<>();
        for (MigrationInfo m : info.all()) {
            if (m.getState().isFailed()) {
                failed.add(m.getVersion() == null ? m.getDescription() : m.getVersion().getVersion());
            }
        }
        return new MigrationState(current == null || current.getVersion() == null ? null
                : current.getVersion().getVersion(), info.applied().length, pending, failed);
    }

    private List<PoolState> pools() {
        List<PoolState> pools = new ArrayList<>(3);
        pools.add(pool(runtime.primaryPool()));
        runtime.replicaPool().ifPresent(p -> pools.add(pool(p)));
        pools.add(pool(runtime.migrationDataSource()));
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
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url);
        config.user().ifPresent(ds::setUser);
        if (runtime.password() != null) {
            ds.setPassword(runtime.password());
        }
        int seconds = seconds();
        ds.setConnectTimeout(seconds);
        ds.setLoginTimeout(seconds);
        ds.setSocketTimeout(seconds);
        ds.setApplicationName(config.applicationName() + "-health");
        ds.setLogServerErrorDetail(false);
        return ds.getConnection();
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

    /** A data source over one open connection, which Flyway's closing leaves open. */
    private static final class OneConnection implements DataSource {
        private final Connection connection;

        OneConnection(Connection connection) {
            this.connection = connection;
        }

        @Override
        public Connection getConnection() {
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("close")) {
                            return null;
                        }
                        if (method.getName().equals("isClosed")) {
                            return false;
                        }
                        try {
                            return method.invoke(connection, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        @Override
        public Connection getConnection(String user, String password) {
            return getConnection();
        }

        @Override
        public java.io.PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(java.io.PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public java.util.logging.Logger getParentLogger() {
            return java.util.logging.Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}

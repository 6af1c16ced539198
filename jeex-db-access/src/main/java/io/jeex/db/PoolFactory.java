package io.jeex.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Properties;

/** Builds the pools (HikariCP) and the direct, unpooled data source for migrations. */
final class PoolFactory {

    /** Upper bound of HikariCP's validation of a connection before it is handed out. */
    static final long MAX_VALIDATION_TIMEOUT_MS = 5_000;

    private PoolFactory() {
    }

    /**
     * Builds a pool. It starts without waiting for the database ({@code initializationFailTimeout
     * = -1}): a service may start before its database, and failures surface on use. Its
     * connections are opened through {@link ConnectAttempts}, so that callers fail at once
     * while the server cannot be reached ({@link Acquirer}).
     *
     * @param config the pool's settings
     * @param credentials the user and password to connect as
     * @param poolName the pool's name (log lines, metrics)
     * @param url the JDBC URL
     * @param registry where HikariCP publishes its pool meters, or null for none
     * @return the pool's acquirer, which holds the pool
     */
    public static Acquirer pool(PoolConfig config, Credentials credentials, String poolName, String url,
                                MeterRegistry registry) {
        Properties driver = driverProperties(config, config.applicationName());
        credentials.user().ifPresent(u -> driver.setProperty("user", u));
        credentials.password().ifPresent(p -> driver.setProperty("password", p));
        long loginMillis = seconds(config) * 1000L;
        ConnectAttempts attempts = new ConnectAttempts(url, driver, loginMillis + 1000);
        AcquireMetrics metrics = new AcquireMetrics(registry != null ? registry
                : new io.micrometer.core.instrument.composite.CompositeMeterRegistry());
        HikariConfig h = new HikariConfig();
        h.setPoolName(poolName);
        h.setDataSource(attempts);
        h.setMinimumIdle(config.size());
        h.setMaximumPoolSize(config.maximumSize());
        h.setConnectionTimeout(config.acquireTimeout().toMillis());
        h.setValidationTimeout(Math.min(MAX_VALIDATION_TIMEOUT_MS, config.acquireTimeout().toMillis()));
        h.setMaxLifetime(config.maxLifetime().toMillis());
        h.setIdleTimeout(config.idleTimeout().toMillis());
        h.setKeepaliveTime(config.keepaliveTime().toMillis());
        h.setInitializationFailTimeout(-1);
        h.setAutoCommit(true);
        h.setMetricsTrackerFactory(metrics);
        HikariDataSource pool = new HikariDataSource(h);
        attempts.closesWith(pool::isClosed);
        return new Acquirer(pool, attempts, metrics, config.acquireTimeout().toMillis());
    }

    /**
     * Builds the migrations' data source: direct to {@link io.jeex.db.JeexDbConfig#migrationUrl()}
     * (migrations hold session state and locks, so never go through a transaction-pooling
     * PgBouncer), as {@link Credentials#effectiveMigrationUser()}, a new connection per call whose connect
     * and login are bounded by {@link PoolConfig#connectTimeout()}. Not a pool: a pool's caller
     * waits out the acquire timeout while connects fail in the background, and sees pool counters
     * instead of the cause; migrations open a few connections once, at start-up.
     *
     * @param config the pool's settings (application name, connect timeout, error detail)
     * @param credentials the migration user and password
     * @param migrationUrl the JDBC URL of migrations
     * @return the data source
     */
    public static DirectDataSource migrationDataSource(PoolConfig config, Credentials credentials, String migrationUrl) {
        return new DirectDataSource(migrationUrl, credentials.effectiveMigrationUser().orElse(null),
                credentials.effectiveMigrationPassword().orElse(null),
                config.applicationName() + "-migrate", config.connectTimeout(), java.time.Duration.ZERO,
                config.includeErrorDetail());
    }

    private static Properties driverProperties(PoolConfig config, String applicationName) {
        Properties p = new Properties();
        p.setProperty("ApplicationName", applicationName);
        p.setProperty("connectTimeout", Integer.toString(seconds(config)));
        // The whole login (TCP, TLS, authentication) within the connect timeout: a server that
        // accepts and never answers is an unreachable one, not a wait without end.
        p.setProperty("loginTimeout", Integer.toString(seconds(config)));
        p.setProperty("tcpKeepAlive", "true");
        // false keeps PostgreSQL's DETAIL (row values) out of pgjdbc's exception messages.
        p.setProperty("logServerErrorDetail", Boolean.toString(config.includeErrorDetail()));
        if (config.pgBouncer()) {
            if (!config.pgBouncerPreparedStatements()) {
                // Transaction-mode PgBouncer hands each transaction any server connection; named
                // server-side prepared statements would be missing there unless PgBouncer
                // (1.21+, max_prepared_statements > 0) prepares them on whichever it hands out.
                p.setProperty("prepareThreshold", "0");
            }
        } else if (!config.statementTimeout().isZero()) {
            // The default statement timeout as a start-up parameter: the same on every connection
            // of the pool from its first statement, so single statements and transactions without
            // a timeout of their own need no SET. (PgBouncer does not pass start-up options on;
            // there every transaction sets it with SET LOCAL.)
            p.setProperty("options", "-c statement_timeout=" + config.statementTimeout().toMillis());
        }
        return p;
    }

    private static int seconds(PoolConfig config) {
        return (int) Math.max(1, (config.connectTimeout().toMillis() + 999) / 1000);
    }
}

package io.jeex.db;

import static io.jeex.db.ConfigChecks.atLeast;
import static io.jeex.db.ConfigChecks.zeroOrAtLeast;
import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How the pool opens, keeps and hands out connections (HikariCP and pgjdbc settings). Immutable;
 * derive a changed copy with the {@code withX} methods, starting from {@link #DEFAULTS}.
 *
 * <p>The defaults follow the original design's SQLAlchemy settings mapped onto HikariCP:
 * {@code pool_size=20} is {@link #size()} (HikariCP's {@code minimumIdle}), {@code max_overflow=30}
 * is {@link #maxOverflow()} (so {@code maximumPoolSize} is 50), {@code pool_timeout=30} is
 * {@link #acquireTimeout()}, {@code pool_recycle=3600} is {@link #maxLifetime()}, and
 * {@code pool_pre_ping} is HikariCP's validation of a connection before it is handed out (when it
 * was idle) plus the {@link #keepaliveTime()} probe.
 *
 * <p>Environment variables ({@link JeexDbConfig#fromEnvironment(java.util.Map)}), in the order of
 * the components: JEEX_DB_POOL_SIZE, JEEX_DB_POOL_MAX_OVERFLOW, JEEX_DB_ACQUIRE_TIMEOUT,
 * JEEX_DB_CONNECT_TIMEOUT, JEEX_DB_MAX_LIFETIME, JEEX_DB_IDLE_TIMEOUT, JEEX_DB_KEEPALIVE_TIME,
 * JEEX_DB_STATEMENT_TIMEOUT, JEEX_DB_APPLICATION_NAME, JEEX_DB_PGBOUNCER, JEEX_DB_PGBOUNCER_PREPARED_STATEMENTS,
 * JEEX_DB_INCLUDE_ERROR_DETAIL.
 *
 * @param size connections kept open when idle (HikariCP {@code minimumIdle}); at least 0; default 20
 * @param maxOverflow connections opened beyond {@link #size()} under load; at least 0; default 30
 * @param acquireTimeout how long a transaction waits for a pooled connection (HikariCP
 *     {@code connectionTimeout}); at least 250 ms (HikariCP's minimum); default 30 s
 * @param connectTimeout how long opening a new connection may take, login included (pgjdbc
 *     {@code connectTimeout} and {@code loginTimeout}, rounded up to whole seconds); at least 1 s;
 *     default 10 s
 * @param maxLifetime the age at which a connection is closed and replaced (HikariCP
 *     {@code maxLifetime}); at least 30 s (HikariCP's minimum); default 1 h
 * @param idleTimeout how long a connection above {@link #size()} may stay idle; at least 10 s
 *     (HikariCP's minimum); default 10 min
 * @param keepaliveTime the interval of liveness probes on idle connections; zero turns them off,
 *     otherwise at least 30 s (HikariCP's minimum); default 2 min
 * @param statementTimeout the statement timeout of every statement the library runs, unless a
 *     transaction's options give another; zero means none; default 30 s. Without PgBouncer it is a
 *     start-up parameter of every pooled connection ({@code options=-c statement_timeout=...}), so
 *     it costs no statement; a transaction with its own timeout sets that with {@code SET LOCAL}.
 *     Behind PgBouncer ({@link #pgBouncer()}), which does not pass start-up parameters on, every
 *     transaction sets it with {@code SET LOCAL}, and single-statement work and
 *     {@link JeexDatabase#dsl()} use the driver's query timeout instead (rounded up to whole
 *     seconds; a cancel request, which PgBouncer forwards)
 * @param applicationName the {@code application_name} of every connection, shown in
 *     {@code pg_stat_activity}; 1 to 63 characters; default {@code jeex-db}
 * @param pgBouncer whether the URL goes through PgBouncer in transaction mode, which changes how
 *     the {@link #statementTimeout()} is applied and, unless {@link #pgBouncerPreparedStatements()},
 *     disables server-side prepared statements (pgjdbc {@code prepareThreshold=0}); requires an
 *     explicit {@link MigrationConfig#url() migration URL}; default false
 * @param pgBouncerPreparedStatements whether the PgBouncer of {@link #pgBouncer()} keeps
 *     server-side prepared statements for its clients: PgBouncer 1.21 or newer with
 *     {@code max_prepared_statements} above 0 (its default from 1.22 on is 200; the shipped
 *     {@code docker/pgbouncer/pgbouncer.ini} sets it). Then the pool keeps pgjdbc's
 *     {@code prepareThreshold} (5): a statement run that often on a connection is parsed and
 *     planned once, not on every call, which behind PgBouncer is most of a short statement's
 *     server time. On an older PgBouncer, or with {@code max_prepared_statements = 0}, statements
 *     fail with {@code prepared statement "S_1" does not exist} once a transaction lands on another
 *     server connection: leave it false there. Requires {@link #pgBouncer()}; default false
 * @param includeErrorDetail whether error messages (and pgjdbc's) include PostgreSQL's DETAIL,
 *     which holds row values and so often personal data; default false
 */
public record PoolConfig(int size, int maxOverflow, Duration acquireTimeout, Duration connectTimeout,
                         Duration maxLifetime, Duration idleTimeout, Duration keepaliveTime, Duration statementTimeout,
                         String applicationName, boolean pgBouncer, boolean pgBouncerPreparedStatements,
                         boolean includeErrorDetail) {

    /** HikariCP's lower bound of {@code connectionTimeout} and {@code validationTimeout}. */
    static final Duration HIKARI_MIN_TIMEOUT = Duration.ofMillis(250);
    /** HikariCP's lower bound of {@code maxLifetime}, {@code keepaliveTime} and {@code idleTimeout}. */
    static final Duration HIKARI_MIN_LIFETIME = Duration.ofSeconds(30);

    /** Every default: 20 + 30 connections, 30 s to acquire one, 10 s to open one, 30 s per statement. */
    public static final PoolConfig DEFAULTS = new PoolConfig(20, 30, Duration.ofSeconds(30), Duration.ofSeconds(10),
            Duration.ofHours(1), Duration.ofMinutes(10), Duration.ofMinutes(2), Duration.ofSeconds(30), "jeex-db",
            false, false, false);

    /**
     * Checks every value.
     *
     * @throws IllegalArgumentException if a value breaks its rule (see the components); the message
     *     names the property, the rule and the value
     * @throws NullPointerException if a duration or the application name is null
     */
    public PoolConfig {
        atLeast("poolSize", size, 0);
        atLeast("maxOverflow", maxOverflow, 0);
        atLeast("acquireTimeout", acquireTimeout, HIKARI_MIN_TIMEOUT);
        atLeast("connectTimeout", connectTimeout, Duration.ofSeconds(1));
        atLeast("maxLifetime", maxLifetime, HIKARI_MIN_LIFETIME);
        atLeast("idleTimeout", idleTimeout, Duration.ofSeconds(10));
        zeroOrAtLeast("keepaliveTime", keepaliveTime, HIKARI_MIN_LIFETIME);
        atLeast("statementTimeout", statementTimeout, Duration.ZERO);
        requireNonNull(applicationName, "applicationName");
        if (applicationName.isEmpty() || applicationName.length() > 63) {
            throw new IllegalArgumentException("applicationName must be 1 to 63 characters, but the given one "
                    + (applicationName.isEmpty() ? "is empty" : "has " + applicationName.length() + " (it is not shown)"));
        }
    }

    /** @return the pool's upper bound, {@link #size()} + {@link #maxOverflow()} (HikariCP {@code maximumPoolSize}) */
    public int maximumSize() {
        return size + maxOverflow;
    }

    /**
     * @param size see {@link #size()}
     * @return a copy with this value
     * @throws IllegalArgumentException if negative
     */
    public PoolConfig withSize(int size) {
        return new PoolConfig(size, maxOverflow, acquireTimeout, connectTimeout, maxLifetime, idleTimeout,
                keepaliveTime, statementTimeout, applicationName, pgBouncer, pgBouncerPreparedStatements,
                includeErrorDetail);
    }

    /**
     * @param maxOverflow see {@link #maxOverflow()}
     * @return a copy with this value
     * @throws IllegalArgumentException if negative
     */
    public PoolConfig withMaxOverflow(int maxOverflow) {
        return new PoolConfig(size, maxOverflow, acquireTimeout, connectTimeout, maxLifetime, idleTimeout,
                keepaliveTime, statementTimeout, applicationName, pgBouncer, pgBouncerPreparedStatements,
                includeErrorDetail);
    }

    /**
     * @param acquireTimeout see {@link #acquireTimeout()}
     * @return a copy with this value
     * @throws IllegalArgumentException if below 250 ms
     */
    public PoolConfig withAcquireTimeout(Duration acquireTimeout) {
        return new PoolConfig(size, maxOverflow, acquireTimeout, connectTimeout, maxLifetime, idleTimeout,
                keepaliveTime, statementTimeout, applicationName, pgBouncer, pgBouncerPreparedStatements,
                includeErrorDetail);
    }

    /**
     * @param connectTimeout see {@link #connectTimeout()}
     * @return a copy with this value
     * @throws IllegalArgumentException if below 1 s
     */
    public PoolConfig withConnectTimeout(Duration connectTimeout) {
        return new PoolConfig(size, maxOverflow, acquireTimeout, connectTimeout, maxLifetime, idleTimeout,
                keepaliveTime, statementTimeout, applicationName, pgBouncer, pgBouncerPreparedStatements,
                includeErrorDetail);
    }

    /**
     * @param maxLifetime see {@link #maxLifetime()}
     * @return a copy with this value
     * @throws IllegalArgumentException if below 30 s
     */
    public PoolConfig withMaxLifetime(Duration maxLifetime) {
        return new PoolConfig(size, maxOverflow, acquireTimeout, connectTimeout, maxLifetime, idleTimeout,
                keepaliveTime, statementTimeout, applicationName, pgBouncer, pgBouncerPreparedStatements,
                includeErrorDetail);
    }

    /**
     * @param idleTimeout see {@link #idleTimeout()}
     * @return a copy with this value
     * @throws IllegalArgumentException if below 10 s
     */
    public PoolConfig withIdleTimeout(Duration idleTimeout) {
        return new PoolConfig(size, maxOverflow, acquireTimeout, connectTimeout, maxLifetime, idleTimeout,
                keepaliveTime, statementTimeout, applicationName, pgBouncer, pgBouncerPreparedStatements,
                includeErrorDetail);
    }

    /**
     * @param keepaliveTime see {@link #keepaliveTime()}; zero turns it off
     * @return a copy with this value
     * @throws IllegalArgumentException if neither zero nor at least 30 s
     */
    public PoolConfig withKeepaliveTime(Duration keepaliveTime) {
        return new PoolConfig(size, maxOverflow, acquireTimeout, connectTimeout, maxLifetime, idleTimeout,
                keepaliveTime, statementTimeout, applicationName, pgBouncer, pgBouncerPreparedStatements,
                includeErrorDetail);
    }

    /**
     * @param statementTimeout see {@link #statementTimeout()}; zero for none
     * @return a copy with this value
     * @throws IllegalArgumentException if negative
     */
    public PoolConfig withStatementTimeout(Duration statementTimeout) {
        return new PoolConfig(size, maxOverflow, acquireTimeout, connectTimeout, maxLifetime, idleTimeout,
                keepaliveTime, statementTimeout, applicationName, pgBouncer, pgBouncerPreparedStatements,
                includeErrorDetail);
    }

    /**
     * @param applicationName see {@link #applicationName()}
     * @return a copy with this value
     * @throws IllegalArgumentException if empty or longer than PostgreSQL keeps (63)
     */
    public PoolConfig withApplicationName(String applicationName) {
        return new PoolConfig(size, maxOverflow, acquireTimeout, connectTimeout, maxLifetime, idleTimeout,
                keepaliveTime, statementTimeout, applicationName, pgBouncer, pgBouncerPreparedStatements,
                includeErrorDetail);
    }

    /**
     * @param pgBouncer see {@link #pgBouncer()}
     * @return a copy with this value
     */
    public PoolConfig withPgBouncer(boolean pgBouncer) {
        return new PoolConfig(size, maxOverflow, acquireTimeout, connectTimeout, maxLifetime, idleTimeout,
                keepaliveTime, statementTimeout, applicationName, pgBouncer, pgBouncerPreparedStatements,
                includeErrorDetail);
    }

    /**
     * @param pgBouncerPreparedStatements see {@link #pgBouncerPreparedStatements()}
     * @return a copy with this value (checked against {@link #pgBouncer()} by
     *     {@link JeexDbConfig.Builder#build()}, so the two may be set in either order)
     */
    public PoolConfig withPgBouncerPreparedStatements(boolean pgBouncerPreparedStatements) {
        return new PoolConfig(size, maxOverflow, acquireTimeout, connectTimeout, maxLifetime, idleTimeout,
                keepaliveTime, statementTimeout, applicationName, pgBouncer, pgBouncerPreparedStatements,
                includeErrorDetail);
    }

    /**
     * @param includeErrorDetail see {@link #includeErrorDetail()}
     * @return a copy with this value
     */
    public PoolConfig withIncludeErrorDetail(boolean includeErrorDetail) {
        return new PoolConfig(size, maxOverflow, acquireTimeout, connectTimeout, maxLifetime, idleTimeout,
                keepaliveTime, statementTimeout, applicationName, pgBouncer, pgBouncerPreparedStatements,
                includeErrorDetail);
    }

    /** @return every value, named as in error messages */
    @Override
    public String toString() {
        return "PoolConfig[poolSize=" + size + ", maxOverflow=" + maxOverflow + ", acquireTimeout=" + acquireTimeout
                + ", connectTimeout=" + connectTimeout + ", maxLifetime=" + maxLifetime + ", idleTimeout=" + idleTimeout
                + ", keepaliveTime=" + keepaliveTime + ", statementTimeout=" + statementTimeout
                + ", applicationName=" + applicationName + ", pgBouncer=" + pgBouncer
                + ", pgBouncerPreparedStatements=" + pgBouncerPreparedStatements
                + ", includeErrorDetail=" + includeErrorDetail + "]";
    }
}

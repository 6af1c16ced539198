package io.jeex.db;

import static java.util.Objects.requireNonNull;

import io.jeex.db.schema.ServiceMigrations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import org.jooq.ExecuteListenerProvider;
import org.jooq.conf.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The validated, immutable configuration of a {@link JeexDatabase}: where the database is, how
 * the pool behaves, how transactions are retried and when the circuit breaker opens. Build one
 * with {@link #builder(String)} or read it from the environment with {@link #fromEnvironment()}.
 *
 * <p>Each value is checked when it is set; a message names the property, the rule and the
 * value ("{@code poolSize must be at least 0, but was -1}"). Combinations are checked in
 * {@link Builder#build()}: contradictions throw, values that are only unwise log a WARN that
 * starts with the instance {@link #name()}. The password never appears in {@link #toString()},
 * in log lines or in exception messages, also not when it is part of a JDBC URL.
 *
 * <p>Pool defaults follow the original design's SQLAlchemy settings mapped onto HikariCP:
 * {@code pool_size=20} is {@link #poolSize()} (HikariCP's {@code minimumIdle}),
 * {@code max_overflow=30} is {@link #maxOverflow()} (so {@code maximumPoolSize} is 50),
 * {@code pool_timeout=30} is {@link #acquireTimeout()}, {@code pool_recycle=3600} is
 * {@link #maxLifetime()}, and {@code pool_pre_ping} is HikariCP's validation of a connection
 * before it is handed out (when it was idle) plus the {@link #keepaliveTime()} probe.
 */
public final class JeexDbConfig {

    private static final Logger LOG = LoggerFactory.getLogger(JeexDbConfig.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,48}");
    /** A port after a host of the URL's host list ({@code //h1:5432,h2:5433/db}). */
    private static final Pattern PORT = Pattern.compile("(?<=[/,])(?:\\[[^\\]]*\\]|[^/:,?\\[]*):(\\d+)(?=[,/?]|$)");

    /** Default {@link #name()}: {@value}. */
    public static final String DEFAULT_NAME = "jeex-db";
    /** Default {@link #applicationName()}, shown in {@code pg_stat_activity}: {@value}. */
    public static final String DEFAULT_APPLICATION_NAME = "jeex-db";
    /** Default {@link #poolSize()}: {@value} connections kept open (the seed's {@code pool_size}). */
    public static final int DEFAULT_POOL_SIZE = 20;
    /** Default {@link #maxOverflow()}: {@value} more connections under load (the seed's {@code max_overflow}). */
    public static final int DEFAULT_MAX_OVERFLOW = 30;
    /** Default {@link #acquireTimeout()}: 30 s to wait for a pooled connection (the seed's {@code pool_timeout}). */
    public static final Duration DEFAULT_ACQUIRE_TIMEOUT = Duration.ofSeconds(30);
    /** Default {@link #connectTimeout()}: 10 s to open a new connection to the server. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Default {@link #maxLifetime()}: 1 h, after which a connection is replaced (the seed's {@code pool_recycle}). */
    public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofHours(1);
    /** Default {@link #idleTimeout()}: 10 min, after which a connection above {@link #poolSize()} is closed. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);
    /** Default {@link #keepaliveTime()}: 2 min between liveness probes of an idle connection. */
    public static final Duration DEFAULT_KEEPALIVE_TIME = Duration.ofMinutes(2);
    /** Default {@link #statementTimeout()}: 30 s per statement. */
    public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(30);
    /** Default {@link #retryMaxAttempts()}: {@value} runs of a transaction in all (1 run and up to 4 retries). */
    public static final int DEFAULT_RETRY_MAX_ATTEMPTS = 5;
    /** Default {@link #retryInitialBackoff()}: 20 ms, the upper bound of the first wait. */
    public static final Duration DEFAULT_RETRY_INITIAL_BACKOFF = Duration.ofMillis(20);
    /** Default {@link #retryBackoffMultiplier()}: {@value}, the growth of the wait's upper bound per retry. */
    public static final double DEFAULT_RETRY_BACKOFF_MULTIPLIER = 2.0;
    /** Default {@link #retryMaxBackoff()}: 1 s, the cap of the wait's upper bound. */
    public static final Duration DEFAULT_RETRY_MAX_BACKOFF = Duration.ofSeconds(1);
    /** Default {@link #retryDeadline()}: 10 s after the first attempt began, no retry starts. */
    public static final Duration DEFAULT_RETRY_DEADLINE = Duration.ofSeconds(10);
    /** Default {@link #breakerFailureRateThreshold()}: {@value} percent of infrastructure failures open the breaker. */
    public static final float DEFAULT_BREAKER_FAILURE_RATE_THRESHOLD = 50f;
    /** Default {@link #breakerSlidingWindowSize()}: the last {@value} calls are counted. */
    public static final int DEFAULT_BREAKER_SLIDING_WINDOW_SIZE = 20;
    /** Default {@link #breakerMinimumCalls()}: no decision before {@value} calls were counted. */
    public static final int DEFAULT_BREAKER_MINIMUM_CALLS = 10;
    /** Default {@link #breakerWaitInOpenState()}: 10 s of failing fast before trying again. */
    public static final Duration DEFAULT_BREAKER_WAIT_IN_OPEN_STATE = Duration.ofSeconds(10);
    /** Default {@link #breakerPermittedCallsInHalfOpenState()}: {@value} trial calls decide whether to close. */
    public static final int DEFAULT_BREAKER_PERMITTED_CALLS_IN_HALF_OPEN_STATE = 3;

    /** Default {@link #healthTimeout()}: 2 s for the health check's own connection and its queries. */
    public static final Duration DEFAULT_HEALTH_TIMEOUT = Duration.ofSeconds(2);
    /** Default {@link #monitorInterval()}: a health check every 30 s (the seed's interval). */
    public static final Duration DEFAULT_MONITOR_INTERVAL = Duration.ofSeconds(30);
    /** Default {@link #slowQueryThreshold()}: statements running 1 s or longer are logged at WARN. */
    public static final Duration DEFAULT_SLOW_QUERY_THRESHOLD = Duration.ofSeconds(1);
    /** Default {@link #replicaReadConsistency()}: reads on the replica see this instance's own writes. */
    public static final ReadConsistency DEFAULT_REPLICA_READ_CONSISTENCY = ReadConsistency.READ_YOUR_WRITES;
    /** Default {@link #replicaWaitTimeout()}: a read waits up to 100 ms for the replica, then uses the primary. */
    public static final Duration DEFAULT_REPLICA_WAIT_TIMEOUT = Duration.ofMillis(100);
    /** Default {@link #drainTimeout()}: {@code close()} lets running work finish for up to 10 s. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);
    /** Default {@link #migrationLockTimeout()}: a migration waits at most 5 s for each lock. */
    public static final Duration DEFAULT_MIGRATION_LOCK_TIMEOUT = Duration.ofSeconds(5);
    /** Default {@link #migrationLockRetries()}: a migration that timed out on a lock is tried {@value} more times. */
    public static final int DEFAULT_MIGRATION_LOCK_RETRIES = 3;
    /** Default {@link #migrationRestorePoint()}: no migration without a restore point before it. */
    public static final RestorePointMode DEFAULT_MIGRATION_RESTORE_POINT = RestorePointMode.REQUIRED;

    /** PostgreSQL's default {@code max_connections}; a larger pool draws a WARN. */
    static final int SERVER_DEFAULT_MAX_CONNECTIONS = 100;
    /** HikariCP's lower bound of {@code connectionTimeout} and {@code validationTimeout}. */
    static final Duration HIKARI_MIN_TIMEOUT = Duration.ofMillis(250);
    /** HikariCP's lower bound of {@code maxLifetime}, {@code keepaliveTime} and {@code idleTimeout}. */
    static final Duration HIKARI_MIN_LIFETIME = Duration.ofSeconds(30);

    private final String name;
    private final String url;
    private final String user;
    private final String password;
    private final String migrationUrl;
    private final String migrationUser;
    private final String migrationPassword;
    private final String replicaUrl;
    private final String applicationName;
    private final int poolSize;
    private final int maxOverflow;
    private final Duration acquireTimeout;
    private final Duration connectTimeout;
    private final Duration maxLifetime;
    private final Duration idleTimeout;
    private final Duration keepaliveTime;
    private final Duration statementTimeout;
    private final boolean pgBouncer;
    private final boolean includeErrorDetail;
    private final int retryMaxAttempts;
    private final Duration retryInitialBackoff;
    private final double retryBackoffMultiplier;
    private final Duration retryMaxBackoff;
    private final Duration retryDeadline;
    private final boolean retryOnLockTimeout;
    private final float breakerFailureRateThreshold;
    private final int breakerSlidingWindowSize;
    private final int breakerMinimumCalls;
    private final Duration breakerWaitInOpenState;
    private final int breakerPermittedCallsInHalfOpenState;
    private final Duration healthTimeout;
    private final Duration monitorInterval;
    private final Duration slowQueryThreshold;
    private final ReadConsistency replicaReadConsistency;
    private final Duration replicaWaitTimeout;
    private final Duration drainTimeout;
    private final ServiceMigrations serviceMigrations;
    private final Settings jooqSettings;
    private final List<ExecuteListenerProvider> executeListeners;
    private final Duration migrationLockTimeout;
    private final int migrationLockRetries;
    private final RestorePointMode migrationRestorePoint;

    private JeexDbConfig(Builder b) {
        name = b.name;
        url = b.url;
        user = b.user;
        password = b.password;
        migrationUrl = b.migrationUrl;
        migrationUser = b.migrationUser;
        migrationPassword = b.migrationPassword;
        replicaUrl = b.replicaUrl;
        applicationName = b.applicationName;
        poolSize = b.poolSize;
        maxOverflow = b.maxOverflow;
        acquireTimeout = b.acquireTimeout;
        connectTimeout = b.connectTimeout;
        maxLifetime = b.maxLifetime;
        idleTimeout = b.idleTimeout;
        keepaliveTime = b.keepaliveTime;
        statementTimeout = b.statementTimeout;
        pgBouncer = b.pgBouncer;
        includeErrorDetail = b.includeErrorDetail;
        retryMaxAttempts = b.retryMaxAttempts;
        retryInitialBackoff = b.retryInitialBackoff;
        retryBackoffMultiplier = b.retryBackoffMultiplier;
        retryMaxBackoff = b.retryMaxBackoff;
        retryDeadline = b.retryDeadline;
        retryOnLockTimeout = b.retryOnLockTimeout;
        breakerFailureRateThreshold = b.breakerFailureRateThreshold;
        breakerSlidingWindowSize = b.breakerSlidingWindowSize;
        breakerMinimumCalls = b.breakerMinimumCalls;
        breakerWaitInOpenState = b.breakerWaitInOpenState;
        breakerPermittedCallsInHalfOpenState = b.breakerPermittedCallsInHalfOpenState;
        healthTimeout = b.healthTimeout;
        monitorInterval = b.monitorInterval;
        slowQueryThreshold = b.slowQueryThreshold;
        replicaReadConsistency = b.replicaReadConsistency;
        replicaWaitTimeout = b.replicaWaitTimeout;
        drainTimeout = b.drainTimeout;
        serviceMigrations = b.serviceMigrations;
        jooqSettings = b.jooqSettings == null ? null : (Settings) b.jooqSettings.clone();
        executeListeners = List.copyOf(b.executeListeners);
        migrationLockTimeout = b.migrationLockTimeout;
        migrationLockRetries = b.migrationLockRetries;
        migrationRestorePoint = b.migrationRestorePoint;
    }

    /**
     * Starts a configuration with every default.
     *
     * @param url the JDBC URL of the database (through PgBouncer when there is one), for
     *     example {@code jdbc:postgresql://db:5432/jeex}
     * @return a builder
     * @throws NullPointerException if {@code url} is null
     * @throws IllegalArgumentException if {@code url} is not a PostgreSQL JDBC URL, or a port is outside 1 to 65535
     */
    public static Builder builder(String url) {
        return new Builder().url(url);
    }

    /**
     * Reads the configuration from the process environment; see
     * {@link #fromEnvironment(Map)} for the variables.
     *
     * @return the configuration
     * @throws IllegalArgumentException if a variable is missing or malformed; the message names it
     */
    public static JeexDbConfig fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /**
     * Reads the configuration from the given variables. Only {@code JEEX_DB_URL} is required;
     * each other variable overrides one default. Durations carry a unit ({@code 500ms},
     * {@code 30s}, {@code 5m}, {@code 1h}) or are ISO-8601 ({@code PT30S}); booleans are
     * {@code true} or {@code false}.
     *
     * <table>
     *   <caption>Environment variables</caption>
     *   <tr><th>variable</th><th>property</th></tr>
     *   <tr><td>JEEX_DB_URL</td><td>{@link #url()}</td></tr>
     *   <tr><td>JEEX_DB_USER</td><td>{@link #user()}</td></tr>
     *   <tr><td>JEEX_DB_PASSWORD</td><td>the password</td></tr>
     *   <tr><td>JEEX_DB_PASSWORD_FILE</td><td>a file holding the password (container secrets);
     *       one trailing line break is removed; not together with JEEX_DB_PASSWORD</td></tr>
     *   <tr><td>JEEX_DB_NAME</td><td>{@link #name()}</td></tr>
     *   <tr><td>JEEX_DB_MIGRATION_URL</td><td>{@link #migrationUrl()}</td></tr>
     *   <tr><td>JEEX_DB_MIGRATION_USER</td><td>{@link #migrationUser()}</td></tr>
     *   <tr><td>JEEX_DB_MIGRATION_PASSWORD</td><td>the password of the migration user</td></tr>
     *   <tr><td>JEEX_DB_MIGRATION_PASSWORD_FILE</td><td>a file holding it, read like
     *       JEEX_DB_PASSWORD_FILE; not together with JEEX_DB_MIGRATION_PASSWORD</td></tr>
     *   <tr><td>JEEX_DB_REPLICA_URL</td><td>{@link #replicaUrl()}</td></tr>
     *   <tr><td>JEEX_DB_APPLICATION_NAME</td><td>{@link #applicationName()}</td></tr>
     *   <tr><td>JEEX_DB_POOL_SIZE</td><td>{@link #poolSize()}</td></tr>
     *   <tr><td>JEEX_DB_POOL_MAX_OVERFLOW</td><td>{@link #maxOverflow()}</td></tr>
     *   <tr><td>JEEX_DB_ACQUIRE_TIMEOUT</td><td>{@link #acquireTimeout()}</td></tr>
     *   <tr><td>JEEX_DB_CONNECT_TIMEOUT</td><td>{@link #connectTimeout()}</td></tr>
     *   <tr><td>JEEX_DB_MAX_LIFETIME</td><td>{@link #maxLifetime()}</td></tr>
     *   <tr><td>JEEX_DB_IDLE_TIMEOUT</td><td>{@link #idleTimeout()}</td></tr>
     *   <tr><td>JEEX_DB_KEEPALIVE_TIME</td><td>{@link #keepaliveTime()}</td></tr>
     *   <tr><td>JEEX_DB_STATEMENT_TIMEOUT</td><td>{@link #statementTimeout()}</td></tr>
     *   <tr><td>JEEX_DB_PGBOUNCER</td><td>{@link #pgBouncer()}</td></tr>
     *   <tr><td>JEEX_DB_INCLUDE_ERROR_DETAIL</td><td>{@link #includeErrorDetail()}</td></tr>
     *   <tr><td>JEEX_DB_RETRY_MAX_ATTEMPTS</td><td>{@link #retryMaxAttempts()}</td></tr>
     *   <tr><td>JEEX_DB_RETRY_INITIAL_BACKOFF</td><td>{@link #retryInitialBackoff()}</td></tr>
     *   <tr><td>JEEX_DB_RETRY_BACKOFF_MULTIPLIER</td><td>{@link #retryBackoffMultiplier()}</td></tr>
     *   <tr><td>JEEX_DB_RETRY_MAX_BACKOFF</td><td>{@link #retryMaxBackoff()}</td></tr>
     *   <tr><td>JEEX_DB_RETRY_DEADLINE</td><td>{@link #retryDeadline()}</td></tr>
     *   <tr><td>JEEX_DB_RETRY_ON_LOCK_TIMEOUT</td><td>{@link #retryOnLockTimeout()}</td></tr>
     *   <tr><td>JEEX_DB_BREAKER_FAILURE_RATE_THRESHOLD</td><td>{@link #breakerFailureRateThreshold()}</td></tr>
     *   <tr><td>JEEX_DB_BREAKER_SLIDING_WINDOW_SIZE</td><td>{@link #breakerSlidingWindowSize()}</td></tr>
     *   <tr><td>JEEX_DB_BREAKER_MINIMUM_CALLS</td><td>{@link #breakerMinimumCalls()}</td></tr>
     *   <tr><td>JEEX_DB_BREAKER_WAIT_IN_OPEN_STATE</td><td>{@link #breakerWaitInOpenState()}</td></tr>
     *   <tr><td>JEEX_DB_BREAKER_HALF_OPEN_CALLS</td><td>{@link #breakerPermittedCallsInHalfOpenState()}</td></tr>
     *   <tr><td>JEEX_DB_HEALTH_TIMEOUT</td><td>{@link #healthTimeout()}</td></tr>
     *   <tr><td>JEEX_DB_MONITOR_INTERVAL</td><td>{@link #monitorInterval()}</td></tr>
     *   <tr><td>JEEX_DB_SLOW_QUERY_THRESHOLD</td><td>{@link #slowQueryThreshold()}</td></tr>
     *   <tr><td>JEEX_DB_REPLICA_READ_CONSISTENCY</td><td>{@link #replicaReadConsistency()}
     *       ({@code read_your_writes} or {@code replica})</td></tr>
     *   <tr><td>JEEX_DB_REPLICA_WAIT_TIMEOUT</td><td>{@link #replicaWaitTimeout()}</td></tr>
     *   <tr><td>JEEX_DB_DRAIN_TIMEOUT</td><td>{@link #drainTimeout()}</td></tr>
     *   <tr><td>JEEX_DB_SERVICE_NAME</td><td>the name of {@link #serviceMigrations()}; with
     *       JEEX_DB_SERVICE_LOCATIONS</td></tr>
     *   <tr><td>JEEX_DB_SERVICE_LOCATIONS</td><td>their Flyway locations, separated by commas
     *       ({@code classpath:db/migration/ideas}, {@code filesystem:/srv/ideas/migrations})</td></tr>
     *   <tr><td>JEEX_DB_SERVICE_SCHEMA</td><td>their schema (default {@code public})</td></tr>
     *   <tr><td>JEEX_DB_SERVICE_HISTORY_TABLE</td><td>their history table (default
     *       {@code <name>_schema_history})</td></tr>
     *   <tr><td>JEEX_DB_MIGRATION_LOCK_TIMEOUT</td><td>{@link #migrationLockTimeout()}</td></tr>
     *   <tr><td>JEEX_DB_MIGRATION_LOCK_RETRIES</td><td>{@link #migrationLockRetries()}</td></tr>
     *   <tr><td>JEEX_DB_MIGRATION_RESTORE_POINT</td><td>{@link #migrationRestorePoint()}
     *       ({@code required}, {@code if_permitted} or {@code off})</td></tr>
     * </table>
     *
     * @param env the variables, usually {@link System#getenv()}
     * @return the configuration
     * @throws IllegalArgumentException if a variable is missing or malformed; the message
     *     starts with the variable's name and never shows a password
     * @throws NullPointerException if {@code env} is null
     */
    public static JeexDbConfig fromEnvironment(Map<String, String> env) {
        requireNonNull(env, "env");
        String url = env.get("JEEX_DB_URL");
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("JEEX_DB_URL must be set to a PostgreSQL JDBC URL such as "
                    + "jdbc:postgresql://db:5432/jeex, but was not set");
        }
        Builder b = new Builder();
        apply(env, "JEEX_DB_URL", b, Builder::url);
        if (env.get("JEEX_DB_PASSWORD") != null && env.get("JEEX_DB_PASSWORD_FILE") != null) {
            throw new IllegalArgumentException("JEEX_DB_PASSWORD and JEEX_DB_PASSWORD_FILE must not both be set, "
                    + "but both were: unset one of them");
        }
        apply(env, "JEEX_DB_PASSWORD_FILE", b, (bb, v) -> bb.password(readPasswordFile(v)));
        if (env.get("JEEX_DB_MIGRATION_PASSWORD") != null && env.get("JEEX_DB_MIGRATION_PASSWORD_FILE") != null) {
            throw new IllegalArgumentException("JEEX_DB_MIGRATION_PASSWORD and JEEX_DB_MIGRATION_PASSWORD_FILE must not "
                    + "both be set, but both were: unset one of them");
        }
        apply(env, "JEEX_DB_MIGRATION_PASSWORD_FILE", b, (bb, v) -> bb.migrationPassword(readPasswordFile(v)));
        for (Map.Entry<String, BiConsumer<Builder, String>> e : ENV.entrySet()) {
            apply(env, e.getKey(), b, e.getValue());
        }
        serviceFromEnvironment(env).ifPresent(b::serviceMigrations);
        return b.build();
    }

    private static final Map<String, BiConsumer<Builder, String>> ENV = new LinkedHashMap<>();

    static {
        ENV.put("JEEX_DB_NAME", Builder::name);
        ENV.put("JEEX_DB_USER", Builder::user);
        ENV.put("JEEX_DB_PASSWORD", Builder::password);
        ENV.put("JEEX_DB_MIGRATION_URL", Builder::migrationUrl);
        ENV.put("JEEX_DB_MIGRATION_USER", Builder::migrationUser);
        ENV.put("JEEX_DB_MIGRATION_PASSWORD", Builder::migrationPassword);
        ENV.put("JEEX_DB_REPLICA_URL", Builder::replicaUrl);
        ENV.put("JEEX_DB_APPLICATION_NAME", Builder::applicationName);
        ENV.put("JEEX_DB_POOL_SIZE", (b, v) -> b.poolSize(parseInt(v)));
        ENV.put("JEEX_DB_POOL_MAX_OVERFLOW", (b, v) -> b.maxOverflow(parseInt(v)));
        ENV.put("JEEX_DB_ACQUIRE_TIMEOUT", (b, v) -> b.acquireTimeout(parseDuration(v)));
        ENV.put("JEEX_DB_CONNECT_TIMEOUT", (b, v) -> b.connectTimeout(parseDuration(v)));
        ENV.put("JEEX_DB_MAX_LIFETIME", (b, v) -> b.maxLifetime(parseDuration(v)));
        ENV.put("JEEX_DB_IDLE_TIMEOUT", (b, v) -> b.idleTimeout(parseDuration(v)));
        ENV.put("JEEX_DB_KEEPALIVE_TIME", (b, v) -> b.keepaliveTime(parseDuration(v)));
        ENV.put("JEEX_DB_STATEMENT_TIMEOUT", (b, v) -> b.statementTimeout(parseDuration(v)));
        ENV.put("JEEX_DB_PGBOUNCER", (b, v) -> b.pgBouncer(parseBoolean(v)));
        ENV.put("JEEX_DB_INCLUDE_ERROR_DETAIL", (b, v) -> b.includeErrorDetail(parseBoolean(v)));
        ENV.put("JEEX_DB_RETRY_MAX_ATTEMPTS", (b, v) -> b.retryMaxAttempts(parseInt(v)));
        ENV.put("JEEX_DB_RETRY_INITIAL_BACKOFF", (b, v) -> b.retryInitialBackoff(parseDuration(v)));
        ENV.put("JEEX_DB_RETRY_BACKOFF_MULTIPLIER", (b, v) -> b.retryBackoffMultiplier(parseDouble(v)));
        ENV.put("JEEX_DB_RETRY_MAX_BACKOFF", (b, v) -> b.retryMaxBackoff(parseDuration(v)));
        ENV.put("JEEX_DB_RETRY_DEADLINE", (b, v) -> b.retryDeadline(parseDuration(v)));
        ENV.put("JEEX_DB_RETRY_ON_LOCK_TIMEOUT", (b, v) -> b.retryOnLockTimeout(parseBoolean(v)));
        ENV.put("JEEX_DB_BREAKER_FAILURE_RATE_THRESHOLD", (b, v) -> b.breakerFailureRateThreshold((float) parseDouble(v)));
        ENV.put("JEEX_DB_BREAKER_SLIDING_WINDOW_SIZE", (b, v) -> b.breakerSlidingWindowSize(parseInt(v)));
        ENV.put("JEEX_DB_BREAKER_MINIMUM_CALLS", (b, v) -> b.breakerMinimumCalls(parseInt(v)));
        ENV.put("JEEX_DB_BREAKER_WAIT_IN_OPEN_STATE", (b, v) -> b.breakerWaitInOpenState(parseDuration(v)));
        ENV.put("JEEX_DB_BREAKER_HALF_OPEN_CALLS", (b, v) -> b.breakerPermittedCallsInHalfOpenState(parseInt(v)));
        ENV.put("JEEX_DB_HEALTH_TIMEOUT", (b, v) -> b.healthTimeout(parseDuration(v)));
        ENV.put("JEEX_DB_MONITOR_INTERVAL", (b, v) -> b.monitorInterval(parseDuration(v)));
        ENV.put("JEEX_DB_SLOW_QUERY_THRESHOLD", (b, v) -> b.slowQueryThreshold(parseDuration(v)));
        ENV.put("JEEX_DB_REPLICA_READ_CONSISTENCY", (b, v) -> b.replicaReadConsistency(parseConsistency(v)));
        ENV.put("JEEX_DB_REPLICA_WAIT_TIMEOUT", (b, v) -> b.replicaWaitTimeout(parseDuration(v)));
        ENV.put("JEEX_DB_DRAIN_TIMEOUT", (b, v) -> b.drainTimeout(parseDuration(v)));
        ENV.put("JEEX_DB_MIGRATION_LOCK_TIMEOUT", (b, v) -> b.migrationLockTimeout(parseDuration(v)));
        ENV.put("JEEX_DB_MIGRATION_LOCK_RETRIES", (b, v) -> b.migrationLockRetries(parseInt(v)));
        ENV.put("JEEX_DB_MIGRATION_RESTORE_POINT", (b, v) -> b.migrationRestorePoint(parseRestorePoint(v)));
    }

    /** A value that could not be parsed at all; the message is the rule ("an integer"). */
    private static final class Unparsable extends IllegalArgumentException {
        Unparsable(String rule) {
            super(rule);
        }
    }

    private static void apply(Map<String, String> env, String variable, Builder builder,
                              BiConsumer<Builder, String> setter) {
        String value = env.get(variable);
        if (value == null) {
            return;
        }
        try {
            setter.accept(builder, value);
        } catch (Unparsable e) {
            String shown = variable.endsWith("PASSWORD") ? "****" : "'" + JdbcUrls.mask(value) + "'";
            throw new IllegalArgumentException(variable + " must be " + e.getMessage() + ", but was " + shown, e);
        } catch (IllegalArgumentException e) {
            // The builder's message names the property, the rule and the (masked) value.
            throw new IllegalArgumentException(variable + ": " + e.getMessage(), e);
        }
    }

    private static int parseInt(String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new Unparsable("an integer");
        }
    }

    private static double parseDouble(String v) {
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new Unparsable("a number");
        }
    }

    private static Duration parseDuration(String v) {
        try {
            return Durations.parse(v);
        } catch (IllegalArgumentException e) {
            throw new Unparsable(e.getMessage());
        }
    }

    private static Optional<ServiceMigrations> serviceFromEnvironment(Map<String, String> env) {
        String name = env.get("JEEX_DB_SERVICE_NAME");
        String locations = env.get("JEEX_DB_SERVICE_LOCATIONS");
        if (name == null && locations == null) {
            if (env.get("JEEX_DB_SERVICE_SCHEMA") != null || env.get("JEEX_DB_SERVICE_HISTORY_TABLE") != null) {
                throw new IllegalArgumentException("JEEX_DB_SERVICE_SCHEMA and JEEX_DB_SERVICE_HISTORY_TABLE need "
                        + "JEEX_DB_SERVICE_NAME and JEEX_DB_SERVICE_LOCATIONS: set them too, or unset these");
            }
            return Optional.empty();
        }
        if (name == null || locations == null) {
            throw new IllegalArgumentException((name == null ? "JEEX_DB_SERVICE_NAME" : "JEEX_DB_SERVICE_LOCATIONS")
                    + " must be set together with " + (name == null ? "JEEX_DB_SERVICE_LOCATIONS" : "JEEX_DB_SERVICE_NAME")
                    + " (the service's migrations), but was not set");
        }
        try {
            ServiceMigrations service = ServiceMigrations.of(name.trim(), java.util.Arrays.stream(locations.split(","))
                    .map(String::trim).filter(l -> !l.isEmpty()).toArray(String[]::new));
            if (env.get("JEEX_DB_SERVICE_SCHEMA") != null) {
                service = service.withSchema(env.get("JEEX_DB_SERVICE_SCHEMA").trim());
            }
            if (env.get("JEEX_DB_SERVICE_HISTORY_TABLE") != null) {
                service = service.withHistoryTable(env.get("JEEX_DB_SERVICE_HISTORY_TABLE").trim());
            }
            return Optional.of(service);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("JEEX_DB_SERVICE_*: service migrations " + e.getMessage(), e);
        }
    }

    private static ReadConsistency parseConsistency(String v) {
        try {
            return ReadConsistency.valueOf(v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Unparsable("read_your_writes or replica");
        }
    }

    private static RestorePointMode parseRestorePoint(String v) {
        try {
            return RestorePointMode.valueOf(v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Unparsable("required, if_permitted or off");
        }
    }

    private static boolean parseBoolean(String v) {
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new Unparsable("true or false");
        };
    }

    private static String readPasswordFile(String file) {
        try {
            String content = Files.readString(Path.of(file), StandardCharsets.UTF_8);
            return content.endsWith("\r\n") ? content.substring(0, content.length() - 2)
                    : content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
        } catch (IOException | RuntimeException e) {
            // The file's path is safe to show; its content never is.
            throw new Unparsable("a readable file holding the password (reading failed with "
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** @return the instance name, the first word of every log line and the pool names; default {@value #DEFAULT_NAME} */
    public String name() {
        return name;
    }

    /** @return the JDBC URL of the database the pool connects to (through PgBouncer when there is one) */
    public String url() {
        return url;
    }

    /** @return the user to connect as, or empty when the URL names it */
    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    /**
     * Returns the password for the library's own use. Not part of {@link #toString()}.
     *
     * @return the password, or empty when the URL or the server needs none
     */
    Optional<String> password() {
        return Optional.ofNullable(password);
    }

    /** @return whether a password was configured (without revealing it) */
    public boolean hasPassword() {
        return password != null;
    }

    /**
     * @return the JDBC URL that {@link JeexDatabase#migrate()} uses: it must reach PostgreSQL
     *     directly, never through a transaction-pooling PgBouncer; defaults to {@link #url()},
     *     except with {@link #pgBouncer()}, which requires it to be set
     */
    public String migrationUrl() {
        return migrationUrl != null ? migrationUrl : url;
    }

    /**
     * @return the user that {@link JeexDatabase#migrate()} connects as: the role that owns the
     *     schema (DDL), while {@link #user()} is the application role; defaults to {@link #user()}
     */
    public Optional<String> migrationUser() {
        return migrationUser != null ? Optional.of(migrationUser) : user();
    }

    /**
     * Returns the migration user's password for the library's own use. Not part of
     * {@link #toString()}.
     *
     * @return the password of {@link #migrationUser()}; defaults to the main password
     */
    Optional<String> migrationPassword() {
        return migrationPassword != null ? Optional.of(migrationPassword) : password();
    }

    /** @return the JDBC URL of a read replica for {@link JeexDatabase#readOnly} work, or empty (the default) */
    public Optional<String> replicaUrl() {
        return Optional.ofNullable(replicaUrl);
    }

    /** @return the {@code application_name} of every connection; default {@value #DEFAULT_APPLICATION_NAME} */
    public String applicationName() {
        return applicationName;
    }

    /** @return connections kept open when idle (HikariCP {@code minimumIdle}); default {@value #DEFAULT_POOL_SIZE} */
    public int poolSize() {
        return poolSize;
    }

    /** @return connections opened beyond {@link #poolSize()} under load; default {@value #DEFAULT_MAX_OVERFLOW} */
    public int maxOverflow() {
        return maxOverflow;
    }

    /** @return the pool's upper bound, {@link #poolSize()} + {@link #maxOverflow()} (HikariCP {@code maximumPoolSize}) */
    public int maximumPoolSize() {
        return poolSize + maxOverflow;
    }

    /** @return how long a transaction waits for a pooled connection (HikariCP {@code connectionTimeout}); default 30 s */
    public Duration acquireTimeout() {
        return acquireTimeout;
    }

    /** @return how long opening a new connection may take (pgjdbc {@code connectTimeout}, whole seconds); default 10 s */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** @return the age at which a connection is closed and replaced (HikariCP {@code maxLifetime}); default 1 h */
    public Duration maxLifetime() {
        return maxLifetime;
    }

    /** @return how long a connection above {@link #poolSize()} may stay idle; default 10 min */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** @return the interval of liveness probes on idle connections, zero when off; default 2 min */
    public Duration keepaliveTime() {
        return keepaliveTime;
    }

    /**
     * @return the statement timeout of every statement the library runs, unless a transaction's
     *     options give another; zero means none; default 30 s. Without PgBouncer it is a start-up
     *     parameter of every pooled connection ({@code options=-c statement_timeout=...}), so it
     *     costs no statement; a transaction with its own timeout sets that with
     *     {@code SET LOCAL}. Behind PgBouncer ({@link #pgBouncer()}), which does not pass start-up
     *     parameters on, every transaction sets it with {@code SET LOCAL}, and single-statement
     *     work and {@link JeexDatabase#dsl()} use the driver's query timeout instead (rounded up to
     *     whole seconds; a cancel request, which PgBouncer forwards)
     */
    public Duration statementTimeout() {
        return statementTimeout;
    }

    /**
     * @return whether the URL goes through PgBouncer in transaction mode, which disables
     *     server-side prepared statements (pgjdbc {@code prepareThreshold=0}) and changes how the
     *     {@link #statementTimeout()} is applied; requires an explicit {@link #migrationUrl()};
     *     default false
     */
    public boolean pgBouncer() {
        return pgBouncer;
    }

    /**
     * @return whether error messages (and pgjdbc's) include PostgreSQL's DETAIL, which holds
     *     row values and so often personal data; default false
     */
    public boolean includeErrorDetail() {
        return includeErrorDetail;
    }

    /** @return how many times a transaction runs at most, the first run included; default {@value #DEFAULT_RETRY_MAX_ATTEMPTS} */
    public int retryMaxAttempts() {
        return retryMaxAttempts;
    }

    /** @return the upper bound of the first wait before a retry (full jitter: the wait is random below it); default 20 ms */
    public Duration retryInitialBackoff() {
        return retryInitialBackoff;
    }

    /** @return the factor by which the wait's upper bound grows per retry; default {@value #DEFAULT_RETRY_BACKOFF_MULTIPLIER} */
    public double retryBackoffMultiplier() {
        return retryBackoffMultiplier;
    }

    /** @return the cap of the wait's upper bound; default 1 s */
    public Duration retryMaxBackoff() {
        return retryMaxBackoff;
    }

    /** @return the time after the first attempt began beyond which no retry starts; default 10 s */
    public Duration retryDeadline() {
        return retryDeadline;
    }

    /** @return whether a lock timeout (55P03) is retried like a serialization failure; default false */
    public boolean retryOnLockTimeout() {
        return retryOnLockTimeout;
    }

    /**
     * @return the percentage of infrastructure failures (connection failures, pool timeouts,
     *     refused logins) among counted calls that opens the breaker; default 50. Nothing else
     *     opens it: not constraint violations or contention, and not slow calls (Resilience4j's
     *     slow-call rule is switched off)
     */
    public float breakerFailureRateThreshold() {
        return breakerFailureRateThreshold;
    }

    /** @return how many of the last calls the breaker counts; default {@value #DEFAULT_BREAKER_SLIDING_WINDOW_SIZE} */
    public int breakerSlidingWindowSize() {
        return breakerSlidingWindowSize;
    }

    /** @return how many calls the breaker counts before it may open; default {@value #DEFAULT_BREAKER_MINIMUM_CALLS} */
    public int breakerMinimumCalls() {
        return breakerMinimumCalls;
    }

    /** @return how long an open breaker fails fast before letting trial calls through; default 10 s */
    public Duration breakerWaitInOpenState() {
        return breakerWaitInOpenState;
    }

    /** @return how many trial calls a half-open breaker lets through; default {@value #DEFAULT_BREAKER_PERMITTED_CALLS_IN_HALF_OPEN_STATE} */
    public int breakerPermittedCallsInHalfOpenState() {
        return breakerPermittedCallsInHalfOpenState;
    }

    /**
     * @return the bound of a health check: the connect, login and socket timeout of its own
     *     connection (whole seconds, rounded up) and the time after which {@link JeexDatabase#health()}
     *     answers DOWN without waiting longer; default 2 s
     */
    public Duration healthTimeout() {
        return healthTimeout;
    }

    /**
     * @return the interval of the background health monitor, which updates the health gauges and
     *     logs each change of status once; zero turns the monitor off; default 30 s (on)
     */
    public Duration monitorInterval() {
        return monitorInterval;
    }

    /**
     * @return the duration at or above which a statement is logged at WARN with its SQL shape
     *     (bind values never shown); zero turns the slow-query log off; default 1 s
     */
    public Duration slowQueryThreshold() {
        return slowQueryThreshold;
    }

    /**
     * @return what reads sent to the read replica may return; default
     *     {@link ReadConsistency#READ_YOUR_WRITES}: never older than this instance's own
     *     committed writes. Without a replica it has no effect
     */
    public ReadConsistency replicaReadConsistency() {
        return replicaReadConsistency;
    }

    /**
     * @return with {@link ReadConsistency#READ_YOUR_WRITES}, how long a read waits for the replica
     *     to replay this instance's writes before it runs on the primary instead; zero sends it to
     *     the primary at once; default 100 ms
     */
    public Duration replicaWaitTimeout() {
        return replicaWaitTimeout;
    }

    /**
     * @return how long {@link JeexDatabase#close()} lets running work go on (new work is refused
     *     from the start of {@code close()}); statements still running after it are cancelled on
     *     the server and their callers get {@link io.jeex.db.error.DatabaseClosedException};
     *     default 10 s
     */
    public Duration drainTimeout() {
        return drainTimeout;
    }

    /**
     * @return the service's own migrations, which {@link JeexDatabase#migrate()} applies after
     *     jeex-db's and {@link JeexDatabase#health()} checks with them; empty by default
     */
    public Optional<ServiceMigrations> serviceMigrations() {
        return Optional.ofNullable(serviceMigrations);
    }

    /**
     * @return the service's jOOQ settings for {@link JeexDatabase#dsl()} and the contexts of its
     *     transactions (a copy), or empty for jOOQ's defaults; the library still turns jOOQ's
     *     execute logging off and, behind PgBouncer, sets the query timeout
     */
    public Optional<Settings> jooqSettings() {
        return Optional.ofNullable(jooqSettings).map(x -> (Settings) x.clone());
    }

    /**
     * @return the service's jOOQ execute listeners, run on every statement after the library's
     *     own (statement meters, slow-query log) and before its error translation; empty by default
     */
    public List<ExecuteListenerProvider> executeListeners() {
        return executeListeners;
    }

    /**
     * @return the {@code lock_timeout} of every migration connection (set for the session right
     *     after the login, so it holds for every statement of a migration and of a rollback): a migration statement that
     *     waits longer for a lock fails with SQLSTATE 55P03 instead of queueing, while it waits,
     *     every query of the application behind the lock it asked for; the migration is then
     *     rolled back and tried again ({@link #migrationLockRetries()}). Default 5 s
     */
    public Duration migrationLockTimeout() {
        return migrationLockTimeout;
    }

    /**
     * @return how many more times {@link JeexDatabase#migrate()} tries a migration that failed on
     *     the {@link #migrationLockTimeout()}, waiting the lock timeout, then twice, four times that
     *     between tries (so a long transaction can end while the application's queries flow);
     *     0 fails at the first lock timeout; default {@value #DEFAULT_MIGRATION_LOCK_RETRIES}
     */
    public int migrationLockRetries() {
        return migrationLockRetries;
    }

    /**
     * @return whether {@link JeexDatabase#migrate()} (and {@link JeexDatabase#rollback(String)})
     *     creates a named restore point ({@code pg_create_restore_point}) before it changes the
     *     schema; {@code pg_create_restore_point} needs a superuser or an explicit
     *     {@code GRANT EXECUTE}, and {@code wal_level} replica or logical. Default
     *     {@link RestorePointMode#REQUIRED}
     */
    public RestorePointMode migrationRestorePoint() {
        return migrationRestorePoint;
    }

    /** @return a builder holding this configuration's values, to derive a changed copy */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** @return every value except the password, with passwords in URLs masked */
    @Override
    public String toString() {
        return "JeexDbConfig[name=" + name + ", url=" + JdbcUrls.mask(url) + ", user=" + user
                + ", password=" + (password == null ? "<none>" : "****")
                + ", migrationUrl=" + JdbcUrls.mask(migrationUrl()) + ", migrationUser=" + migrationUser().orElse(null)
                + ", migrationPassword=" + (migrationPassword != null ? "****" : password == null ? "<none>" : "<password>")
                + ", replicaUrl=" + JdbcUrls.mask(replicaUrl)
                + ", applicationName=" + applicationName + ", poolSize=" + poolSize + ", maxOverflow=" + maxOverflow
                + ", acquireTimeout=" + acquireTimeout + ", connectTimeout=" + connectTimeout
                + ", maxLifetime=" + maxLifetime + ", idleTimeout=" + idleTimeout + ", keepaliveTime=" + keepaliveTime
                + ", statementTimeout=" + statementTimeout + ", pgBouncer=" + pgBouncer
                + ", includeErrorDetail=" + includeErrorDetail + ", retryMaxAttempts=" + retryMaxAttempts
                + ", retryInitialBackoff=" + retryInitialBackoff + ", retryBackoffMultiplier=" + retryBackoffMultiplier
                + ", retryMaxBackoff=" + retryMaxBackoff + ", retryDeadline=" + retryDeadline
                + ", retryOnLockTimeout=" + retryOnLockTimeout
                + ", breakerFailureRateThreshold=" + breakerFailureRateThreshold
                + ", breakerSlidingWindowSize=" + breakerSlidingWindowSize + ", breakerMinimumCalls=" + breakerMinimumCalls
                + ", breakerWaitInOpenState=" + breakerWaitInOpenState
                + ", breakerPermittedCallsInHalfOpenState=" + breakerPermittedCallsInHalfOpenState
                + ", healthTimeout=" + healthTimeout + ", monitorInterval=" + monitorInterval
                + ", slowQueryThreshold=" + slowQueryThreshold
                + ", replicaReadConsistency=" + replicaReadConsistency + ", replicaWaitTimeout=" + replicaWaitTimeout
                + ", drainTimeout=" + drainTimeout
                + ", serviceMigrations=" + serviceMigrations().map(ServiceMigrations::name).orElse("<none>")
                + ", jooqSettings=" + (jooqSettings == null ? "<default>" : "<service's>")
                + ", executeListeners=" + executeListeners.size()
                + ", migrationLockTimeout=" + migrationLockTimeout
                + ", migrationLockRetries=" + migrationLockRetries + ", migrationRestorePoint=" + migrationRestorePoint
                + "]";
    }

    /**
     * Builds a {@link JeexDbConfig}. Every setter validates its value and throws
     * {@link IllegalArgumentException} with the property, the rule and the value; {@link #build()}
     * checks combinations. Not thread-safe.
     */
    public static final class Builder {
        private String name = DEFAULT_NAME;
        private String url;
        private String user;
        private String password;
        private String migrationUrl;
        private String migrationUser;
        private String migrationPassword;
        private String replicaUrl;
        private String applicationName = DEFAULT_APPLICATION_NAME;
        private int poolSize = DEFAULT_POOL_SIZE;
        private int maxOverflow = DEFAULT_MAX_OVERFLOW;
        private Duration acquireTimeout = DEFAULT_ACQUIRE_TIMEOUT;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration maxLifetime = DEFAULT_MAX_LIFETIME;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private Duration keepaliveTime = DEFAULT_KEEPALIVE_TIME;
        private Duration statementTimeout = DEFAULT_STATEMENT_TIMEOUT;
        private boolean pgBouncer;
        private boolean includeErrorDetail;
        private int retryMaxAttempts = DEFAULT_RETRY_MAX_ATTEMPTS;
        private Duration retryInitialBackoff = DEFAULT_RETRY_INITIAL_BACKOFF;
        private double retryBackoffMultiplier = DEFAULT_RETRY_BACKOFF_MULTIPLIER;
        private Duration retryMaxBackoff = DEFAULT_RETRY_MAX_BACKOFF;
        private Duration retryDeadline = DEFAULT_RETRY_DEADLINE;
        private boolean retryOnLockTimeout;
        private float breakerFailureRateThreshold = DEFAULT_BREAKER_FAILURE_RATE_THRESHOLD;
        private int breakerSlidingWindowSize = DEFAULT_BREAKER_SLIDING_WINDOW_SIZE;
        private int breakerMinimumCalls = DEFAULT_BREAKER_MINIMUM_CALLS;
        private Duration breakerWaitInOpenState = DEFAULT_BREAKER_WAIT_IN_OPEN_STATE;
        private int breakerPermittedCallsInHalfOpenState = DEFAULT_BREAKER_PERMITTED_CALLS_IN_HALF_OPEN_STATE;
        private Duration healthTimeout = DEFAULT_HEALTH_TIMEOUT;
        private Duration monitorInterval = DEFAULT_MONITOR_INTERVAL;
        private Duration slowQueryThreshold = DEFAULT_SLOW_QUERY_THRESHOLD;
        private ReadConsistency replicaReadConsistency = DEFAULT_REPLICA_READ_CONSISTENCY;
        private Duration replicaWaitTimeout = DEFAULT_REPLICA_WAIT_TIMEOUT;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private ServiceMigrations serviceMigrations;
        private Settings jooqSettings;
        private List<ExecuteListenerProvider> executeListeners = List.of();
        private Duration migrationLockTimeout = DEFAULT_MIGRATION_LOCK_TIMEOUT;
        private int migrationLockRetries = DEFAULT_MIGRATION_LOCK_RETRIES;
        private RestorePointMode migrationRestorePoint = DEFAULT_MIGRATION_RESTORE_POINT;

        private Builder() {
        }

        private Builder(JeexDbConfig c) {
            name = c.name;
            url = c.url;
            user = c.user;
            password = c.password;
            migrationUrl = c.migrationUrl;
            migrationUser = c.migrationUser;
            migrationPassword = c.migrationPassword;
            replicaUrl = c.replicaUrl;
            applicationName = c.applicationName;
            poolSize = c.poolSize;
            maxOverflow = c.maxOverflow;
            acquireTimeout = c.acquireTimeout;
            connectTimeout = c.connectTimeout;
            maxLifetime = c.maxLifetime;
            idleTimeout = c.idleTimeout;
            keepaliveTime = c.keepaliveTime;
            statementTimeout = c.statementTimeout;
            pgBouncer = c.pgBouncer;
            includeErrorDetail = c.includeErrorDetail;
            retryMaxAttempts = c.retryMaxAttempts;
            retryInitialBackoff = c.retryInitialBackoff;
            retryBackoffMultiplier = c.retryBackoffMultiplier;
            retryMaxBackoff = c.retryMaxBackoff;
            retryDeadline = c.retryDeadline;
            retryOnLockTimeout = c.retryOnLockTimeout;
            breakerFailureRateThreshold = c.breakerFailureRateThreshold;
            breakerSlidingWindowSize = c.breakerSlidingWindowSize;
            breakerMinimumCalls = c.breakerMinimumCalls;
            breakerWaitInOpenState = c.breakerWaitInOpenState;
            breakerPermittedCallsInHalfOpenState = c.breakerPermittedCallsInHalfOpenState;
            healthTimeout = c.healthTimeout;
            monitorInterval = c.monitorInterval;
            slowQueryThreshold = c.slowQueryThreshold;
            replicaReadConsistency = c.replicaReadConsistency;
            replicaWaitTimeout = c.replicaWaitTimeout;
            drainTimeout = c.drainTimeout;
            serviceMigrations = c.serviceMigrations;
            jooqSettings = c.jooqSettings;
            executeListeners = c.executeListeners;
            migrationLockTimeout = c.migrationLockTimeout;
            migrationLockRetries = c.migrationLockRetries;
            migrationRestorePoint = c.migrationRestorePoint;
        }

        /**
         * @param name see {@link JeexDbConfig#name()}; 1 to 48 letters, digits, {@code _ . -}
         * @return this builder
         * @throws IllegalArgumentException if malformed
         */
        public Builder name(String name) {
            requireNonNull(name, "name");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("name must be 1 to 48 letters, digits, '_', '.' or '-', but was '"
                        + name + "'");
            }
            this.name = name;
            return this;
        }

        /**
         * @param url see {@link JeexDbConfig#url()}
         * @return this builder
         * @throws IllegalArgumentException if not a {@code jdbc:postgresql:} URL, or a port is outside 1 to 65535
         */
        public Builder url(String url) {
            this.url = checkUrl("url", requireNonNull(url, "url"));
            return this;
        }

        /**
         * @param user see {@link JeexDbConfig#user()}; null when the URL names the user
         * @return this builder
         */
        public Builder user(String user) {
            this.user = user == null || user.isEmpty() ? null : user;
            return this;
        }

        /**
         * @param password the password, or null for none; never shown anywhere
         * @return this builder
         */
        public Builder password(String password) {
            this.password = password;
            return this;
        }

        /**
         * @param migrationUrl see {@link JeexDbConfig#migrationUrl()}; null for {@link JeexDbConfig#url()}
         * @return this builder
         * @throws IllegalArgumentException if not a {@code jdbc:postgresql:} URL, or a port is outside 1 to 65535
         */
        public Builder migrationUrl(String migrationUrl) {
            this.migrationUrl = migrationUrl == null ? null : checkUrl("migrationUrl", migrationUrl);
            return this;
        }

        /**
         * @param migrationUser see {@link JeexDbConfig#migrationUser()}; null (or empty) for {@link JeexDbConfig#user()}
         * @return this builder
         */
        public Builder migrationUser(String migrationUser) {
            this.migrationUser = migrationUser == null || migrationUser.isEmpty() ? null : migrationUser;
            return this;
        }

        /**
         * @param migrationPassword the password of {@link JeexDbConfig#migrationUser()}, or null for
         *     the main password; never shown anywhere
         * @return this builder
         */
        public Builder migrationPassword(String migrationPassword) {
            this.migrationPassword = migrationPassword;
            return this;
        }

        /**
         * @param replicaUrl see {@link JeexDbConfig#replicaUrl()}; null for none
         * @return this builder
         * @throws IllegalArgumentException if not a {@code jdbc:postgresql:} URL, or a port is outside 1 to 65535
         */
        public Builder replicaUrl(String replicaUrl) {
            this.replicaUrl = replicaUrl == null ? null : checkUrl("replicaUrl", replicaUrl);
            return this;
        }

        /**
         * @param applicationName see {@link JeexDbConfig#applicationName()}; 1 to 63 characters
         * @return this builder
         * @throws IllegalArgumentException if empty or longer than PostgreSQL keeps (63)
         */
        public Builder applicationName(String applicationName) {
            requireNonNull(applicationName, "applicationName");
            if (applicationName.isEmpty() || applicationName.length() > 63) {
                throw new IllegalArgumentException("applicationName must be 1 to 63 characters, but was '"
                        + applicationName + "'");
            }
            this.applicationName = applicationName;
            return this;
        }

        /**
         * @param poolSize see {@link JeexDbConfig#poolSize()}
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder poolSize(int poolSize) {
            this.poolSize = atLeast("poolSize", poolSize, 0);
            return this;
        }

        /**
         * @param maxOverflow see {@link JeexDbConfig#maxOverflow()}
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder maxOverflow(int maxOverflow) {
            this.maxOverflow = atLeast("maxOverflow", maxOverflow, 0);
            return this;
        }

        /**
         * @param acquireTimeout see {@link JeexDbConfig#acquireTimeout()}
         * @return this builder
         * @throws IllegalArgumentException if below 250 ms (HikariCP's minimum)
         */
        public Builder acquireTimeout(Duration acquireTimeout) {
            this.acquireTimeout = atLeast("acquireTimeout", acquireTimeout, HIKARI_MIN_TIMEOUT);
            return this;
        }

        /**
         * @param connectTimeout see {@link JeexDbConfig#connectTimeout()}; rounded up to whole seconds
         * @return this builder
         * @throws IllegalArgumentException if below 1 s
         */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = atLeast("connectTimeout", connectTimeout, Duration.ofSeconds(1));
            return this;
        }

        /**
         * @param maxLifetime see {@link JeexDbConfig#maxLifetime()}
         * @return this builder
         * @throws IllegalArgumentException if below 30 s (HikariCP's minimum)
         */
        public Builder maxLifetime(Duration maxLifetime) {
            this.maxLifetime = atLeast("maxLifetime", maxLifetime, HIKARI_MIN_LIFETIME);
            return this;
        }

        /**
         * @param idleTimeout see {@link JeexDbConfig#idleTimeout()}
         * @return this builder
         * @throws IllegalArgumentException if below 10 s (HikariCP's minimum)
         */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = atLeast("idleTimeout", idleTimeout, Duration.ofSeconds(10));
            return this;
        }

        /**
         * @param keepaliveTime see {@link JeexDbConfig#keepaliveTime()}; zero turns it off
         * @return this builder
         * @throws IllegalArgumentException if neither zero nor at least 30 s (HikariCP's minimum)
         */
        public Builder keepaliveTime(Duration keepaliveTime) {
            requireNonNull(keepaliveTime, "keepaliveTime");
            if (!keepaliveTime.isZero() && keepaliveTime.compareTo(HIKARI_MIN_LIFETIME) < 0) {
                throw new IllegalArgumentException("keepaliveTime must be 0 ms (off) or at least 30000 ms, but was "
                        + Durations.ms(keepaliveTime));
            }
            this.keepaliveTime = keepaliveTime;
            return this;
        }

        /**
         * @param statementTimeout see {@link JeexDbConfig#statementTimeout()}; zero for none
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder statementTimeout(Duration statementTimeout) {
            this.statementTimeout = atLeast("statementTimeout", statementTimeout, Duration.ZERO);
            return this;
        }

        /**
         * @param pgBouncer see {@link JeexDbConfig#pgBouncer()}
         * @return this builder
         */
        public Builder pgBouncer(boolean pgBouncer) {
            this.pgBouncer = pgBouncer;
            return this;
        }

        /**
         * @param includeErrorDetail see {@link JeexDbConfig#includeErrorDetail()}
         * @return this builder
         */
        public Builder includeErrorDetail(boolean includeErrorDetail) {
            this.includeErrorDetail = includeErrorDetail;
            return this;
        }

        /**
         * @param retryMaxAttempts see {@link JeexDbConfig#retryMaxAttempts()}; 1 turns retries off
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder retryMaxAttempts(int retryMaxAttempts) {
            this.retryMaxAttempts = atLeast("retryMaxAttempts", retryMaxAttempts, 1);
            return this;
        }

        /**
         * @param retryInitialBackoff see {@link JeexDbConfig#retryInitialBackoff()}
         * @return this builder
         * @throws IllegalArgumentException if below 1 ms
         */
        public Builder retryInitialBackoff(Duration retryInitialBackoff) {
            this.retryInitialBackoff = atLeast("retryInitialBackoff", retryInitialBackoff, Duration.ofMillis(1));
            return this;
        }

        /**
         * @param retryBackoffMultiplier see {@link JeexDbConfig#retryBackoffMultiplier()}
         * @return this builder
         * @throws IllegalArgumentException if below 1.0 or not finite
         */
        public Builder retryBackoffMultiplier(double retryBackoffMultiplier) {
            if (!(retryBackoffMultiplier >= 1.0) || Double.isInfinite(retryBackoffMultiplier)) {
                throw new IllegalArgumentException("retryBackoffMultiplier must be a finite number of at least 1.0, but was "
                        + retryBackoffMultiplier);
            }
            this.retryBackoffMultiplier = retryBackoffMultiplier;
            return this;
        }

        /**
         * @param retryMaxBackoff see {@link JeexDbConfig#retryMaxBackoff()}
         * @return this builder
         * @throws IllegalArgumentException if below 1 ms
         */
        public Builder retryMaxBackoff(Duration retryMaxBackoff) {
            this.retryMaxBackoff = atLeast("retryMaxBackoff", retryMaxBackoff, Duration.ofMillis(1));
            return this;
        }

        /**
         * @param retryDeadline see {@link JeexDbConfig#retryDeadline()}
         * @return this builder
         * @throws IllegalArgumentException if below 1 ms
         */
        public Builder retryDeadline(Duration retryDeadline) {
            this.retryDeadline = atLeast("retryDeadline", retryDeadline, Duration.ofMillis(1));
            return this;
        }

        /**
         * @param retryOnLockTimeout see {@link JeexDbConfig#retryOnLockTimeout()}
         * @return this builder
         */
        public Builder retryOnLockTimeout(boolean retryOnLockTimeout) {
            this.retryOnLockTimeout = retryOnLockTimeout;
            return this;
        }

        /**
         * @param percent see {@link JeexDbConfig#breakerFailureRateThreshold()}
         * @return this builder
         * @throws IllegalArgumentException if not above 0 and at most 100
         */
        public Builder breakerFailureRateThreshold(float percent) {
            if (!(percent > 0f && percent <= 100f)) {
                throw new IllegalArgumentException("breakerFailureRateThreshold must be above 0 and at most 100 (percent), "
                        + "but was " + percent);
            }
            this.breakerFailureRateThreshold = percent;
            return this;
        }

        /**
         * @param calls see {@link JeexDbConfig#breakerSlidingWindowSize()}
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder breakerSlidingWindowSize(int calls) {
            this.breakerSlidingWindowSize = atLeast("breakerSlidingWindowSize", calls, 1);
            return this;
        }

        /**
         * @param calls see {@link JeexDbConfig#breakerMinimumCalls()}
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder breakerMinimumCalls(int calls) {
            this.breakerMinimumCalls = atLeast("breakerMinimumCalls", calls, 1);
            return this;
        }

        /**
         * @param wait see {@link JeexDbConfig#breakerWaitInOpenState()}
         * @return this builder
         * @throws IllegalArgumentException if below 1 ms
         */
        public Builder breakerWaitInOpenState(Duration wait) {
            this.breakerWaitInOpenState = atLeast("breakerWaitInOpenState", wait, Duration.ofMillis(1));
            return this;
        }

        /**
         * @param calls see {@link JeexDbConfig#breakerPermittedCallsInHalfOpenState()}
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder breakerPermittedCallsInHalfOpenState(int calls) {
            this.breakerPermittedCallsInHalfOpenState = atLeast("breakerPermittedCallsInHalfOpenState", calls, 1);
            return this;
        }

        /**
         * @param healthTimeout see {@link JeexDbConfig#healthTimeout()}; rounded up to whole seconds
         *     for the driver's timeouts
         * @return this builder
         * @throws IllegalArgumentException if below 1 s
         */
        public Builder healthTimeout(Duration healthTimeout) {
            this.healthTimeout = atLeast("healthTimeout", healthTimeout, Duration.ofSeconds(1));
            return this;
        }

        /**
         * @param monitorInterval see {@link JeexDbConfig#monitorInterval()}; zero turns the monitor off
         * @return this builder
         * @throws IllegalArgumentException if neither zero nor at least 10 ms
         */
        public Builder monitorInterval(Duration monitorInterval) {
            requireNonNull(monitorInterval, "monitorInterval");
            if (!monitorInterval.isZero() && monitorInterval.compareTo(Duration.ofMillis(10)) < 0) {
                throw new IllegalArgumentException("monitorInterval must be 0 ms (off) or at least 10 ms, but was "
                        + Durations.ms(monitorInterval));
            }
            this.monitorInterval = monitorInterval;
            return this;
        }

        /**
         * @param slowQueryThreshold see {@link JeexDbConfig#slowQueryThreshold()}; zero turns the log off
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder slowQueryThreshold(Duration slowQueryThreshold) {
            this.slowQueryThreshold = atLeast("slowQueryThreshold", slowQueryThreshold, Duration.ZERO);
            return this;
        }

        /**
         * @param replicaReadConsistency see {@link JeexDbConfig#replicaReadConsistency()}
         * @return this builder
         * @throws NullPointerException if null
         */
        public Builder replicaReadConsistency(ReadConsistency replicaReadConsistency) {
            this.replicaReadConsistency = requireNonNull(replicaReadConsistency, "replicaReadConsistency");
            return this;
        }

        /**
         * @param replicaWaitTimeout see {@link JeexDbConfig#replicaWaitTimeout()}; zero or more
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder replicaWaitTimeout(Duration replicaWaitTimeout) {
            this.replicaWaitTimeout = atLeast("replicaWaitTimeout", replicaWaitTimeout, Duration.ZERO);
            return this;
        }

        /**
         * @param drainTimeout see {@link JeexDbConfig#drainTimeout()}; zero cancels running work at once
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder drainTimeout(Duration drainTimeout) {
            this.drainTimeout = atLeast("drainTimeout", drainTimeout, Duration.ZERO);
            return this;
        }

        /**
         * @param serviceMigrations see {@link JeexDbConfig#serviceMigrations()}; null for none
         * @return this builder
         */
        public Builder serviceMigrations(ServiceMigrations serviceMigrations) {
            this.serviceMigrations = serviceMigrations;
            return this;
        }

        /**
         * @param migrationLockTimeout see {@link JeexDbConfig#migrationLockTimeout()}
         * @return this builder
         * @throws IllegalArgumentException if below 1 ms (0 would mean no limit: waiting without end)
         */
        public Builder migrationLockTimeout(Duration migrationLockTimeout) {
            this.migrationLockTimeout = atLeast("migrationLockTimeout", migrationLockTimeout, Duration.ofMillis(1));
            return this;
        }

        /**
         * @param jooqSettings see {@link JeexDbConfig#jooqSettings()}; copied; null for jOOQ's defaults
         * @return this builder
         */
        public Builder jooqSettings(Settings jooqSettings) {
            this.jooqSettings = jooqSettings == null ? null : (Settings) jooqSettings.clone();
            return this;
        }

        /**
         * @param migrationLockRetries see {@link JeexDbConfig#migrationLockRetries()}; 0 for none
         * @return this builder
         * @throws IllegalArgumentException if negative or above 10
         */
        public Builder migrationLockRetries(int migrationLockRetries) {
            atLeast("migrationLockRetries", migrationLockRetries, 0);
            if (migrationLockRetries > 10) {
                throw new IllegalArgumentException("migrationLockRetries must be at most 10, but was "
                        + migrationLockRetries);
            }
            this.migrationLockRetries = migrationLockRetries;
            return this;
        }

        /**
         * @param listeners see {@link JeexDbConfig#executeListeners()}
         * @return this builder
         * @throws NullPointerException if an element is null
         */
        public Builder executeListeners(ExecuteListenerProvider... listeners) {
            this.executeListeners = List.of(listeners);
            return this;
        }

        /**
         * @param migrationRestorePoint see {@link JeexDbConfig#migrationRestorePoint()}
         * @return this builder
         * @throws NullPointerException if null
         */
        public Builder migrationRestorePoint(RestorePointMode migrationRestorePoint) {
            this.migrationRestorePoint = requireNonNull(migrationRestorePoint, "migrationRestorePoint");
            return this;
        }

        /**
         * Checks the combination of values and builds the configuration.
         *
         * @return the configuration
         * @throws IllegalArgumentException if values contradict each other: no URL, a pool of
         *     size 0, a backoff cap below the initial backoff, {@code pgBouncer} without a
         *     {@code migrationUrl}
         */
        public JeexDbConfig build() {
            if (url == null) {
                throw new IllegalArgumentException("url must be a PostgreSQL JDBC URL, but was not set");
            }
            if (pgBouncer && migrationUrl == null) {
                throw new IllegalArgumentException("pgBouncer is true, but migrationUrl is not set, so migrations would "
                        + "run through PgBouncer, whose transaction pooling breaks their session-level lock; set "
                        + "migrationUrl (JEEX_DB_MIGRATION_URL) to the PostgreSQL server itself, not PgBouncer");
            }
            if (poolSize + maxOverflow < 1) {
                throw new IllegalArgumentException("poolSize + maxOverflow must be at least 1, but was 0 (poolSize=0, "
                        + "maxOverflow=0)");
            }
            if (retryMaxBackoff.compareTo(retryInitialBackoff) < 0) {
                throw new IllegalArgumentException("retryMaxBackoff must be at least retryInitialBackoff ("
                        + Durations.ms(retryInitialBackoff) + "), but was " + Durations.ms(retryMaxBackoff));
            }
            if (poolSize + maxOverflow > SERVER_DEFAULT_MAX_CONNECTIONS) {
                LOG.warn("{}: poolSize + maxOverflow is {}, more than PostgreSQL's default max_connections ({}); "
                        + "make sure the server (or PgBouncer) accepts that many connections from every instance",
                        name, poolSize + maxOverflow, SERVER_DEFAULT_MAX_CONNECTIONS);
            }
            if (statementTimeout.isZero()) {
                LOG.warn("{}: statementTimeout is 0 ms: no statement timeout is set, so a runaway query holds its "
                        + "connection until it ends", name);
            }
            if (!keepaliveTime.isZero() && keepaliveTime.compareTo(maxLifetime) >= 0) {
                LOG.warn("{}: keepaliveTime ({}) is not below maxLifetime ({}); using keepaliveTime=0 ms (off)",
                        name, Durations.ms(keepaliveTime), Durations.ms(maxLifetime));
                keepaliveTime = Duration.ZERO;
            }
            if (breakerMinimumCalls > breakerSlidingWindowSize) {
                LOG.warn("{}: breakerMinimumCalls ({}) is above breakerSlidingWindowSize ({}); using {}",
                        name, breakerMinimumCalls, breakerSlidingWindowSize, breakerSlidingWindowSize);
                breakerMinimumCalls = breakerSlidingWindowSize;
            }
            if (retryDeadline.compareTo(retryInitialBackoff) < 0) {
                LOG.warn("{}: retryDeadline ({}) is below retryInitialBackoff ({}): transactions will rarely be retried",
                        name, Durations.ms(retryDeadline), Durations.ms(retryInitialBackoff));
            }
            return new JeexDbConfig(this);
        }

        private static String checkUrl(String property, String url) {
            if (!url.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException(property + " must be a PostgreSQL JDBC URL starting with "
                        + "jdbc:postgresql:, but was '" + JdbcUrls.mask(url) + "'");
            }
            // pgjdbc would only log a warning for such a port and refuse the URL on every connect
            java.util.regex.Matcher port = PORT.matcher(url);
            while (port.find()) {
                int n = port.group(1).length() > 5 ? 0 : Integer.parseInt(port.group(1));
                if (n < 1 || n > 65535) {
                    throw new IllegalArgumentException(property + " must have a port from 1 to 65535, but was '"
                            + JdbcUrls.mask(url) + "'");
                }
            }
            return url;
        }

        private static int atLeast(String property, int value, int min) {
            if (value < min) {
                throw new IllegalArgumentException(property + " must be at least " + min + ", but was " + value);
            }
            return value;
        }

        private static Duration atLeast(String property, Duration value, Duration min) {
            requireNonNull(value, property);
            if (value.compareTo(min) < 0) {
                throw new IllegalArgumentException(property + " must be at least " + Durations.ms(min) + ", but was "
                        + Durations.ms(value));
            }
            return value;
        }
    }
}

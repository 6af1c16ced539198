package io.jeex.db;

import static java.util.Objects.requireNonNull;

import io.jeex.db.schema.JdbcUrlMask;
import io.jeex.db.schema.ServiceMigrations;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.jooq.ExecuteListenerProvider;
import org.jooq.conf.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The validated, immutable configuration of a {@link JeexDatabase}: where the database is, and one
 * record per concern: {@link #credentials()}, {@link #pool()}, {@link #retry()},
 * {@link #breaker()}, {@link #health()}, {@link #replica()} and {@link #migration()}. Build one with
 * {@link #builder(String)}, for example {@code JeexDbConfig.builder(url).retry(r -> r.withMaxAttempts(3))},
 * or read it from the environment with {@link #fromEnvironment()}.
 *
 * <p>Each value is checked when it is set; a message names the property, the rule and the value
 * ("{@code poolSize must be at least 0, but was -1}"). Combinations are checked in
 * {@link Builder#build()}: contradictions throw, values that are only unwise log a WARN that
 * starts with the instance {@link #name()}. The password never appears in {@link #toString()},
 * in log lines or in exception messages, also not when it is part of a JDBC URL.
 */
public final class JeexDbConfig {

    private static final Logger LOG = LoggerFactory.getLogger(JeexDbConfig.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,48}");

    /** Default {@link #name()}: {@value}. */
    public static final String DEFAULT_NAME = "jeex-db";
    /** Default {@link #drainTimeout()}: {@code close()} lets running work finish for up to 10 s. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);

    /** PostgreSQL's default {@code max_connections}; a larger pool draws a WARN. */
    static final int SERVER_DEFAULT_MAX_CONNECTIONS = 100;

    private final String name;
    private final String url;
    private final Credentials credentials;
    private final PoolConfig pool;
    private final RetryConfig retry;
    private final BreakerConfig breaker;
    private final HealthConfig health;
    private final ReplicaConfig replica;
    private final MigrationConfig migration;
    private final PartitionConfig partitions;
    private final Duration drainTimeout;
    private final ServiceMigrations serviceMigrations;
    private final Settings jooqSettings;
    private final List<ExecuteListenerProvider> executeListeners;

    private JeexDbConfig(Builder b) {
        name = b.name;
        url = b.url;
        credentials = b.credentials;
        pool = b.pool;
        retry = b.retry;
        breaker = b.breaker;
        health = b.health;
        replica = b.replica;
        migration = b.migration;
        partitions = b.partitions;
        drainTimeout = b.drainTimeout;
        serviceMigrations = b.serviceMigrations;
        jooqSettings = b.jooqSettings == null ? null : (Settings) b.jooqSettings.clone();
        executeListeners = List.copyOf(b.executeListeners);
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
     * <p>The variables of each concern are listed in its record's javadoc ({@link Credentials},
     * {@link PoolConfig}, {@link RetryConfig}, {@link BreakerConfig}, {@link HealthConfig},
     * {@link ReplicaConfig}, {@link MigrationConfig}, {@link PartitionConfig}); the others are:
     *
     * <table>
     *   <caption>Environment variables of JeexDbConfig</caption>
     *   <tr><th>variable</th><th>property</th></tr>
     *   <tr><td>JEEX_DB_URL</td><td>{@link #url()}</td></tr>
     *   <tr><td>JEEX_DB_NAME</td><td>{@link #name()}</td></tr>
     *   <tr><td>JEEX_DB_DRAIN_TIMEOUT</td><td>{@link #drainTimeout()}</td></tr>
     *   <tr><td>JEEX_DB_SERVICE_NAME</td><td>the name of {@link #serviceMigrations()}; with
     *       JEEX_DB_SERVICE_LOCATIONS</td></tr>
     *   <tr><td>JEEX_DB_SERVICE_LOCATIONS</td><td>their Flyway locations, separated by commas
     *       ({@code classpath:db/migration/ideas}, {@code filesystem:/srv/ideas/migrations})</td></tr>
     *   <tr><td>JEEX_DB_SERVICE_SCHEMA</td><td>their schema (default {@code public})</td></tr>
     *   <tr><td>JEEX_DB_SERVICE_HISTORY_TABLE</td><td>their history table (default
     *       {@code <name>_schema_history})</td></tr>
     * </table>
     *
     * @param env the variables, usually {@link System#getenv()}
     * @return the configuration
     * @throws IllegalArgumentException if a variable is missing or malformed; the message
     *     starts with the variable's name and never shows a password
     * @throws NullPointerException if {@code env} is null
     */
    public static JeexDbConfig fromEnvironment(Map<String, String> env) {
        return EnvironmentConfig.read(env);
    }

    /** @return the instance name, the first word of every log line and the pool names; default {@value #DEFAULT_NAME} */
    public String name() {
        return name;
    }

    /** @return the JDBC URL of the database the pool connects to (through PgBouncer when there is one) */
    public String url() {
        return url;
    }

    /**
     * @return the JDBC URL that {@link JeexDatabase#migrate()} uses: {@link MigrationConfig#url()},
     *     else {@link #url()}
     */
    public String migrationUrl() {
        return migration.url().orElse(url);
    }

    /** @return who the pools and the migrations connect as; default {@link Credentials#DEFAULTS} */
    public Credentials credentials() {
        return credentials;
    }

    /** @return how the pool behaves; default {@link PoolConfig#DEFAULTS} */
    public PoolConfig pool() {
        return pool;
    }

    /** @return how transactions are retried; default {@link RetryConfig#DEFAULTS} */
    public RetryConfig retry() {
        return retry;
    }

    /** @return when the circuit breakers open; default {@link BreakerConfig#DEFAULTS} */
    public BreakerConfig breaker() {
        return breaker;
    }

    /**
     * @return how {@link JeexDatabase#maintainPartitions()} keeps the monthly partitions of
     *     agent_executions; default {@link PartitionConfig#DEFAULTS}
     */
    public PartitionConfig partitions() {
        return partitions;
    }

    /** @return how health is checked and monitored; default {@link HealthConfig#DEFAULTS} */
    public HealthConfig health() {
        return health;
    }

    /** @return the read replica, if any; default {@link ReplicaConfig#DEFAULTS} (none) */
    public ReplicaConfig replica() {
        return replica;
    }

    /** @return how migrations run; default {@link MigrationConfig#DEFAULTS} */
    public MigrationConfig migration() {
        return migration;
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

    /** @return a builder holding this configuration's values, to derive a changed copy */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Value equality: the same settings, concern by concern. jOOQ {@code Settings} compare by value;
     * execute listeners by identity, as they are objects of the service's.
     */
    @Override
    public boolean equals(Object other) {
        return this == other || other instanceof JeexDbConfig c
                && name.equals(c.name) && url.equals(c.url) && credentials.equals(c.credentials)
                && pool.equals(c.pool) && retry.equals(c.retry) && breaker.equals(c.breaker)
                && health.equals(c.health) && replica.equals(c.replica) && migration.equals(c.migration)
                && partitions.equals(c.partitions)
                && drainTimeout.equals(c.drainTimeout) && java.util.Objects.equals(serviceMigrations, c.serviceMigrations)
                && java.util.Objects.equals(jooqSettings, c.jooqSettings) && executeListeners.equals(c.executeListeners);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(name, url, credentials, pool, retry, breaker, health, replica, migration,
                drainTimeout, serviceMigrations, jooqSettings, executeListeners, partitions);
    }

    /** @return every value except the passwords, with passwords in URLs masked */
    @Override
    public String toString() {
        return "JeexDbConfig[name=" + name + ", url=" + JdbcUrlMask.mask(url) + ", migrationUrl="
                + JdbcUrlMask.mask(migrationUrl()) + ", " + credentials + ", " + pool + ", " + retry + ", " + breaker
                + ", " + health + ", " + replica + ", " + migration
                + ", " + partitions
                + ", drainTimeout=" + drainTimeout
                + ", serviceMigrations=" + serviceMigrations().map(ServiceMigrations::name).orElse("<none>")
                + ", jooqSettings=" + (jooqSettings == null ? "<default>" : "<service's>")
                + ", executeListeners=" + executeListeners.size() + "]";
    }

    /**
     * Builds a {@link JeexDbConfig}. Every value is checked when it is set and throws
     * {@link IllegalArgumentException} with the property, the rule and the value; {@link #build()}
     * checks combinations. Not thread-safe.
     */
    public static final class Builder {
        private String name = DEFAULT_NAME;
        private String url;
        private Credentials credentials = Credentials.DEFAULTS;
        private PoolConfig pool = PoolConfig.DEFAULTS;
        private RetryConfig retry = RetryConfig.DEFAULTS;
        private BreakerConfig breaker = BreakerConfig.DEFAULTS;
        private HealthConfig health = HealthConfig.DEFAULTS;
        private ReplicaConfig replica = ReplicaConfig.DEFAULTS;
        private MigrationConfig migration = MigrationConfig.DEFAULTS;
        private PartitionConfig partitions = PartitionConfig.DEFAULTS;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private ServiceMigrations serviceMigrations;
        private Settings jooqSettings;
        private List<ExecuteListenerProvider> executeListeners = List.of();

        Builder() {
        }

        private Builder(JeexDbConfig c) {
            name = c.name;
            url = c.url;
            credentials = c.credentials;
            pool = c.pool;
            retry = c.retry;
            breaker = c.breaker;
            health = c.health;
            replica = c.replica;
            migration = c.migration;
            partitions = c.partitions;
            drainTimeout = c.drainTimeout;
            serviceMigrations = c.serviceMigrations;
            jooqSettings = c.jooqSettings;
            executeListeners = c.executeListeners;
        }

        /**
         * @param name see {@link JeexDbConfig#name()}; 1 to 48 letters, digits, {@code _ . -}
         * @return this builder
         * @throws IllegalArgumentException if malformed
         */
        public Builder name(String name) {
            requireNonNull(name, "name");
            if (!NAME.matcher(name).matches()) {
                int at = 0;
                while (at < name.length() && NAME.matcher(name.substring(at, at + 1)).matches()) {
                    at++;
                }
                // the rule and where the name breaks it, not the name
                throw new IllegalArgumentException("name must be 1 to 48 letters, digits, '_', '.' or '-', but "
                        + (name.isEmpty() ? "the given name is empty"
                        : at < name.length() ? "character " + (at + 1) + " of the given name is not one of them"
                        + " (the name is not shown)"
                        : "the given name has " + name.length() + " characters (the name is not shown)"));
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
            this.url = ConfigChecks.url("url", requireNonNull(url, "url"));
            return this;
        }

        /**
         * A shortcut for {@code credentials(c -> c.withUser(user))}.
         *
         * @param user see {@link Credentials#user()}; null when the URL names the user
         * @return this builder
         */
        public Builder user(String user) {
            return credentials(c -> c.withUser(user));
        }

        /**
         * A shortcut for {@code credentials(c -> c.withPassword(password))}.
         *
         * @param password the password, or null for none; never shown anywhere
         * @return this builder
         */
        public Builder password(String password) {
            return credentials(c -> c.withPassword(password));
        }

        /**
         * A shortcut for {@code credentials(c -> c.withMigrationUser(user))}: the role of migrations
         * and system mode, which bypasses row-level security (the schema's owner), when the service's
         * own role is subject to it.
         *
         * @param user see {@link Credentials#migrationUser()}; null for the service's user
         * @return this builder
         */
        public Builder migrationUser(String user) {
            return credentials(c -> c.withMigrationUser(user));
        }

        /**
         * A shortcut for {@code credentials(c -> c.withMigrationPassword(password))}.
         *
         * @param password the migration user's password, or null for the service's; never shown anywhere
         * @return this builder
         */
        public Builder migrationPassword(String password) {
            return credentials(c -> c.withMigrationPassword(password));
        }

        /**
         * A shortcut for {@code pool(p -> p.withSize(poolSize))}.
         *
         * @param poolSize see {@link PoolConfig#size()}
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder poolSize(int poolSize) {
            return pool(p -> p.withSize(poolSize));
        }

        /**
         * @param credentials see {@link JeexDbConfig#credentials()}
         * @return this builder
         * @throws NullPointerException if null
         */
        public Builder credentials(Credentials credentials) {
            this.credentials = requireNonNull(credentials, "credentials");
            return this;
        }

        /**
         * @param change derives {@link JeexDbConfig#credentials()} from the current value,
         *     for example {@code c -> c.withMigrationUser("jeex_owner")}
         * @return this builder
         * @throws IllegalArgumentException if {@code change} sets a malformed value
         * @throws NullPointerException if {@code change} is or returns null
         */
        public Builder credentials(UnaryOperator<Credentials> change) {
            return credentials(change.apply(credentials));
        }

        /**
         * @param pool see {@link JeexDbConfig#pool()}
         * @return this builder
         * @throws NullPointerException if null
         */
        public Builder pool(PoolConfig pool) {
            this.pool = requireNonNull(pool, "pool");
            return this;
        }

        /**
         * @param change derives {@link JeexDbConfig#pool()} from the current value,
         *     for example {@code p -> p.withMaxOverflow(10)}
         * @return this builder
         * @throws IllegalArgumentException if {@code change} sets a malformed value
         * @throws NullPointerException if {@code change} is or returns null
         */
        public Builder pool(UnaryOperator<PoolConfig> change) {
            return pool(change.apply(pool));
        }

        /**
         * @param retry see {@link JeexDbConfig#retry()}
         * @return this builder
         * @throws NullPointerException if null
         */
        public Builder retry(RetryConfig retry) {
            this.retry = requireNonNull(retry, "retry");
            return this;
        }

        /**
         * @param change derives {@link JeexDbConfig#retry()} from the current value,
         *     for example {@code r -> r.withMaxAttempts(3)}
         * @return this builder
         * @throws IllegalArgumentException if {@code change} sets a malformed value
         * @throws NullPointerException if {@code change} is or returns null
         */
        public Builder retry(UnaryOperator<RetryConfig> change) {
            return retry(change.apply(retry));
        }

        /**
         * @param breaker see {@link JeexDbConfig#breaker()}
         * @return this builder
         * @throws NullPointerException if null
         */
        public Builder breaker(BreakerConfig breaker) {
            this.breaker = requireNonNull(breaker, "breaker");
            return this;
        }

        /**
         * @param change derives {@link JeexDbConfig#breaker()} from the current value,
         *     for example {@code b -> b.withMinimumCalls(5)}
         * @return this builder
         * @throws IllegalArgumentException if {@code change} sets a malformed value
         * @throws NullPointerException if {@code change} is or returns null
         */
        public Builder breaker(UnaryOperator<BreakerConfig> change) {
            return breaker(change.apply(breaker));
        }

        /**
         * @param health see {@link JeexDbConfig#health()}
         * @return this builder
         * @throws NullPointerException if null
         */
        public Builder health(HealthConfig health) {
            this.health = requireNonNull(health, "health");
            return this;
        }

        /**
         * @param change derives {@link JeexDbConfig#health()} from the current value,
         *     for example {@code h -> h.withMonitorInterval(Duration.ZERO)}
         * @return this builder
         * @throws IllegalArgumentException if {@code change} sets a malformed value
         * @throws NullPointerException if {@code change} is or returns null
         */
        public Builder health(UnaryOperator<HealthConfig> change) {
            return health(change.apply(health));
        }

        /**
         * @param partitions see {@link JeexDbConfig#partitions()}
         * @return this builder
         * @throws NullPointerException if null
         */
        public Builder partitions(PartitionConfig partitions) {
            this.partitions = requireNonNull(partitions, "partitions");
            return this;
        }

        /**
         * @param change derives {@link JeexDbConfig#partitions()} from the current value,
         *     for example {@code p -> p.withRetentionMonths(12)}
         * @return this builder
         * @throws IllegalArgumentException if {@code change} sets a malformed value
         * @throws NullPointerException if {@code change} is or returns null
         */
        public Builder partitions(UnaryOperator<PartitionConfig> change) {
            return partitions(change.apply(partitions));
        }

        /**
         * @param replica see {@link JeexDbConfig#replica()}
         * @return this builder
         * @throws NullPointerException if null
         */
        public Builder replica(ReplicaConfig replica) {
            this.replica = requireNonNull(replica, "replica");
            return this;
        }

        /**
         * @param change derives {@link JeexDbConfig#replica()} from the current value,
         *     for example {@code r -> r.withUrl(replicaUrl)}
         * @return this builder
         * @throws IllegalArgumentException if {@code change} sets a malformed value
         * @throws NullPointerException if {@code change} is or returns null
         */
        public Builder replica(UnaryOperator<ReplicaConfig> change) {
            return replica(change.apply(replica));
        }

        /**
         * @param migration see {@link JeexDbConfig#migration()}
         * @return this builder
         * @throws NullPointerException if null
         */
        public Builder migration(MigrationConfig migration) {
            this.migration = requireNonNull(migration, "migration");
            return this;
        }

        /**
         * @param change derives {@link JeexDbConfig#migration()} from the current value,
         *     for example {@code m -> m.withUrl(directUrl)}
         * @return this builder
         * @throws IllegalArgumentException if {@code change} sets a malformed value
         * @throws NullPointerException if {@code change} is or returns null
         */
        public Builder migration(UnaryOperator<MigrationConfig> change) {
            return migration(change.apply(migration));
        }

        /**
         * @param drainTimeout see {@link JeexDbConfig#drainTimeout()}; zero cancels running work at once
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder drainTimeout(Duration drainTimeout) {
            this.drainTimeout = ConfigChecks.atLeast("drainTimeout", drainTimeout, Duration.ZERO);
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
         * @param jooqSettings see {@link JeexDbConfig#jooqSettings()}; copied; null for jOOQ's defaults
         * @return this builder
         */
        public Builder jooqSettings(Settings jooqSettings) {
            this.jooqSettings = jooqSettings == null ? null : (Settings) jooqSettings.clone();
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
         * Checks the combination of values and builds the configuration.
         *
         * @return the configuration
         * @throws IllegalArgumentException if values contradict each other: no URL, a pool of
         *     size 0, a backoff cap below the initial backoff, {@code pgBouncer} without a
         *     {@code migrationUrl}, {@code pgBouncerPreparedStatements} without {@code pgBouncer}
         */
        public JeexDbConfig build() {
            if (url == null) {
                throw new IllegalArgumentException("url must be a PostgreSQL JDBC URL, but was not set");
            }
            if (pool.pgBouncer() && migration.url().isEmpty()) {
                throw new IllegalArgumentException("pgBouncer is true, but migrationUrl is not set, so migrations would "
                        + "run through PgBouncer, whose transaction pooling breaks their session-level lock; set "
                        + "migrationUrl (JEEX_DB_MIGRATION_URL) to the PostgreSQL server itself, not PgBouncer");
            }
            if (pool.pgBouncerPreparedStatements() && !pool.pgBouncer()) {
                throw new IllegalArgumentException("pgBouncerPreparedStatements is true, but pgBouncer is false; it says "
                        + "how a PgBouncer in front of the server treats prepared statements, so set pgBouncer "
                        + "(JEEX_DB_PGBOUNCER) to true when the URL goes through PgBouncer, or else leave "
                        + "pgBouncerPreparedStatements false (without PgBouncer statements are always prepared)");
            }
            if (pool.maximumSize() < 1) {
                throw new IllegalArgumentException("poolSize + maxOverflow must be at least 1, but was 0 (poolSize=0, "
                        + "maxOverflow=0)");
            }
            if (retry.maxBackoff().compareTo(retry.initialBackoff()) < 0) {
                throw new IllegalArgumentException("retryMaxBackoff must be at least retryInitialBackoff ("
                        + Durations.ms(retry.initialBackoff()) + "), but was " + Durations.ms(retry.maxBackoff()));
            }
            if (pool.maximumSize() > SERVER_DEFAULT_MAX_CONNECTIONS) {
                LOG.warn("{}: poolSize + maxOverflow is {}, more than PostgreSQL's default max_connections ({}); "
                        + "make sure the server (or PgBouncer) accepts that many connections from every instance",
                        name, pool.maximumSize(), SERVER_DEFAULT_MAX_CONNECTIONS);
            }
            if (pool.statementTimeout().isZero()) {
                LOG.warn("{}: statementTimeout is 0 ms: no statement timeout is set, so a runaway query holds its "
                        + "connection until it ends", name);
            }
            if (!pool.keepaliveTime().isZero() && pool.keepaliveTime().compareTo(pool.maxLifetime()) >= 0) {
                LOG.warn("{}: keepaliveTime ({}) is not below maxLifetime ({}); using keepaliveTime=0 ms (off)",
                        name, Durations.ms(pool.keepaliveTime()), Durations.ms(pool.maxLifetime()));
                pool = pool.withKeepaliveTime(Duration.ZERO);
            }
            if (breaker.minimumCalls() > breaker.slidingWindowSize()) {
                LOG.warn("{}: breakerMinimumCalls ({}) is above breakerSlidingWindowSize ({}); using {}",
                        name, breaker.minimumCalls(), breaker.slidingWindowSize(), breaker.slidingWindowSize());
                breaker = breaker.withMinimumCalls(breaker.slidingWindowSize());
            }
            if (retry.deadline().compareTo(retry.initialBackoff()) < 0) {
                LOG.warn("{}: retryDeadline ({}) is below retryInitialBackoff ({}): transactions will rarely be retried",
                        name, Durations.ms(retry.deadline()), Durations.ms(retry.initialBackoff()));
            }
            return new JeexDbConfig(this);
        }
    }
}

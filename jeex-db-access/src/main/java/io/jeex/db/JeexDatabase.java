package io.jeex.db;

import static java.util.Objects.requireNonNull;

import io.jeex.db.error.MigrationException;
import io.jeex.db.health.HealthReport;
import io.jeex.db.repository.Repositories;
import io.jeex.db.schema.ServiceMigrations;
import io.jeex.db.tx.TransactionWork;
import io.jeex.db.tx.TxOptions;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point a JEEX service holds: a connection pool on PostgreSQL (and optionally one on a
 * read replica), resilient transactions, jOOQ for queries, and schema migration. Thread-safe;
 * create one per database and process, close it at shutdown.
 *
 * <pre>{@code
 * try (JeexDatabase db = JeexDatabase.create(JeexDbConfig.fromEnvironment())) {
 *     db.migrate();
 *     UUID id = db.transaction(TxOptions.named("create_user"), tx -> tx.dsl()
 *             .insertInto(USERS).set(USERS.EMAIL, "ada@example.com").set(USERS.NAME, "Ada")
 *             .returning(USERS.ID).fetchOne(USERS.ID));
 * }
 * }</pre>
 *
 * <h2>Transactions</h2>
 * A transaction runs as {@code Retry(CircuitBreaker(transaction))}:
 * <ul>
 *   <li>serialization failures (40001) and deadlocks (40P01) are retried, lock timeouts (55P03)
 *       when {@link RetryConfig#onLockTimeout()} is set; a connection failure only when no
 *       statement of the work had run yet, or the work is {@link TxOptions#idempotent()}; a
 *       connection lost during COMMIT never (it throws
 *       {@link io.jeex.db.error.OutcomeUnknownException});</li>
 *   <li>waits grow exponentially with full jitter, up to a cap, and no retry starts after the
 *       deadline ({@link RetryConfig#deadline()});</li>
 *   <li>the circuit breaker counts only infrastructure failures; when open, calls fail fast with
 *       {@link io.jeex.db.error.DatabaseUnavailableException}, which is never retried;</li>
 *   <li>a transaction started inside another on the same thread joins it: no savepoint, no
 *       retry of its own (the outermost transaction retries the whole work);</li>
 *   <li>isolation, read-only, a transaction's own statement timeout and acting user are set
 *       inside the transaction ({@code SET TRANSACTION}, {@code SET LOCAL},
 *       {@code set_config(..., true)}) and never outlive it, so they do not leak through the
 *       pool or PgBouncer; the configured default statement timeout is a start-up parameter of
 *       every pooled connection (behind PgBouncer, a {@code SET LOCAL} in every transaction);</li>
 *   <li>work marked {@link TxOptions#singleStatement()} runs as one auto-committed statement,
 *       saving the round trips of BEGIN and COMMIT.</li>
 * </ul>
 * Failures of the database reach the caller as subclasses of
 * {@link io.jeex.db.error.JeexDbException}. A failure is the database's only when the pool, the
 * driver or the server raised it for this transaction; what the work throws itself (an HTTP
 * call's {@code IOException}, another database's error), whatever its causes, is never retried
 * nor counted by the circuit breaker, and reaches the caller unchanged (checked exceptions in
 * {@link io.jeex.db.error.TransactionWorkException}).
 *
 * <h2>Row-level security</h2>
 * The schema's policies let a transaction reach only the rows of its acting user (their user row,
 * the projects they own and everything in them), and none without one. The repositories take the
 * acting user as a parameter of every call, given once: {@link #actingAs(UUID)},
 * {@link #actingAsNewUser()} for a sign-up; work that crosses users runs in system mode,
 * {@link #system()} or {@link TxOptions#asSystem()}, as the migration role on connections of its own.
 * A row a policy refuses is a {@link io.jeex.db.error.RowSecurityException}; a call in the wrong
 * scope a {@link io.jeex.db.error.WrongScopeException}.
 *
 * <p>While the server cannot be reached (the latest attempt to open a connection failed), calls
 * fail within the connect timeout instead of waiting out the acquire timeout. With a read
 * replica, read-only work never sees data older than this instance's committed writes
 * ({@link ReplicaConfig#readConsistency()}).
 */
public final class JeexDatabase implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JeexDatabase.class);
    private static final TxOptions READ_ONLY = TxOptions.named("read_only").withReadOnly(true);

    private final DatabaseRuntime runtime;
    private final HealthChecker health;
    private final HealthMonitor monitor;
    private final Migrations migrations;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Repositories system;

    private JeexDatabase(DatabaseRuntime runtime) {
        this.runtime = runtime;
        this.system = ScopedRepositories.system(runtime.runner(), runtime.purges());
        this.health = new HealthChecker(runtime);
        this.migrations = new Migrations(runtime.config(), runtime.migrationDataSource());
        this.monitor = runtime.config().health().monitorInterval().isZero() ? null
                : HealthMonitor.start(runtime.config().name(), health, runtime.config().health().monitorInterval());
    }

    /**
     * Creates a database handle without metrics. The pool starts at once but does not wait for
     * the database: a service may start before it, and errors surface on first use.
     *
     * @param config the configuration
     * @return the handle; close it at shutdown
     * @throws NullPointerException if {@code config} is null
     */
    public static JeexDatabase create(JeexDbConfig config) {
        return create(config, new CompositeMeterRegistry());
    }

    /**
     * Creates a database handle that publishes its meters to the registry:
     * <ul>
     *   <li>{@code hikaricp.connections.*} of the primary and replica pools (tag {@code pool}: the
     *       name; with replicas {@code <name>-replica} for the first, {@code <name>-replica-1},
     *       {@code <name>-replica-2}... for the next); migrations connect directly, without a pool;</li>
     *   <li>{@code jeex.db.transaction} (timer; tags {@code pool}, {@code name}, {@code outcome}
     *       = committed | rolled_back | failed, {@code category}) and
     *       {@code jeex.db.transaction.retries} (counter);</li>
     *   <li>Resilience4j's {@code resilience4j.retry.*} and {@code resilience4j.circuitbreaker.*};</li>
     *   <li>{@code db.client.operation.duration} (timer per statement; tags
     *       {@code db.operation.name}, {@code db.collection.name}, {@code error.type} = SQLSTATE
     *       class or {@code none}, {@code pool}, {@code db.system.name}; never SQL or values);</li>
     *   <li>{@code jeex.db.purge.rows} (counter; tags {@code pool}, {@code table} = exports |
     *       agent_executions): rows deleted by the retention purges, per committed batch;</li>
     *   <li>system mode's own {@code jeex.db.transaction}, {@code jeex.db.transaction.retries},
     *       {@code db.client.operation.duration} and breaker meters, tagged {@code <name>-system},
     *       from its first use;</li>
     *   <li>{@code jeex.db.health.status}, {@code jeex.db.health.latency},
     *       {@code jeex.db.migrations.pending}, {@code jeex.db.replica.lag} (gauges of the last
     *       health check, kept current by the monitor, see {@link HealthConfig#monitorInterval()}).</li>
     * </ul>
     *
     * @param config the configuration
     * @param registry where meters go
     * @return the handle; close it at shutdown
     * @throws NullPointerException if an argument is null
     */
    public static JeexDatabase create(JeexDbConfig config, MeterRegistry registry) {
        requireNonNull(config, "config");
        requireNonNull(registry, "registry");
        return new JeexDatabase(DatabaseRuntime.start(config, registry));
    }

    /**
     * Creates a database handle that publishes its meters to the registry and its Micrometer
     * Observations to the observation registry (with micrometer-tracing, they become spans):
     * <ul>
     *   <li>{@code jeex.db.transaction}, one per outermost transaction call, named
     *       {@code transaction <name>}: {@code jeex.db.transaction.name}, {@code jeex.db.pool},
     *       {@code jeex.db.outcome} (committed, rolled_back, failed), {@code error.type} (the
     *       failure's category) and {@code jeex.db.attempts};</li>
     *   <li>{@code jeex.db.transaction.attempt}, one child per attempt, named {@code attempt <n>}:
     *       {@code jeex.db.attempt}, {@code jeex.db.outcome} (committed, retried, failed),
     *       {@code error.type};</li>
     *   <li>{@code db.client.operation}, one client observation per statement, the child of its
     *       attempt, named after {@code db.query.summary} ({@code SELECT users}), in OpenTelemetry's
     *       database conventions: {@code db.system.name}, {@code db.operation.name},
     *       {@code db.collection.name}, {@code db.query.summary}, {@code server.address},
     *       {@code server.port}, {@code error.type} (the SQLSTATE) and the masked
     *       {@code db.query.text}; never bind values or literals.</li>
     * </ul>
     * Without an observation registry (or with a no-op one) nothing of this is made.
     *
     * @param config the configuration
     * @param registry where meters go
     * @param observations where observations go
     * @return the handle; close it at shutdown
     * @throws NullPointerException if an argument is null
     */
    public static JeexDatabase create(JeexDbConfig config, MeterRegistry registry,
                                      io.micrometer.observation.ObservationRegistry observations) {
        requireNonNull(config, "config");
        requireNonNull(registry, "registry");
        requireNonNull(observations, "observations");
        return new JeexDatabase(DatabaseRuntime.start(config, registry, observations));
    }

    /**
     * Applies pending migrations of the JEEX schema with the schema module's Flyway
     * configuration, over direct connections to {@link JeexDbConfig#migrationUrl()} as
     * {@link Credentials#effectiveMigrationUser()} (never the pool, never through PgBouncer): each
     * connection is opened when needed and its connect and login are bounded by
     * {@link PoolConfig#connectTimeout()}, so an unreachable server or a refused login fails
     * within that time, not after the acquire timeout. Before anything is applied the server is
     * checked: PostgreSQL 18 or newer with {@code uuidv7()}. Safe to call from several instances at
     * once: Flyway locks.
     *
     * <p>When something is pending, a named restore point is created first and logged with its LSN
     * ({@link MigrationConfig#restorePoint()}, default required: if the server refuses it,
     * nothing is applied). Every statement runs with {@link MigrationConfig#lockTimeout()}
     * as its {@code lock_timeout} (default 5 s), so a migration never waits long for a lock while
     * the application's queries queue behind it; a migration that failed on it was rolled back by
     * PostgreSQL and is tried again, up to {@link MigrationConfig#lockRetries()} more times.
     *
     * @return what was applied, the version now and the restore point
     * @throws io.jeex.db.error.DatabaseUnavailableException if the server cannot be reached within
     *     the connect timeout; the message gives the cause and the setting to change
     * @throws io.jeex.db.error.AuthenticationFailedException if the server refuses the login
     * @throws io.jeex.db.error.UnsupportedServerException if the server is older than PostgreSQL 18
     *     or lacks {@code uuidv7()}
     * @throws MigrationException if a migration fails (the message names the script, the line, the
     *     statement's first line, the SQLSTATE and the server's message), still waited for a lock
     *     after the retries, an applied one was changed, or the required restore point was refused
     * @throws io.jeex.db.error.DatabaseClosedException if this handle is closed
     */
    public MigrationResult migrate() {
        ensureOpen();
        // a migration that fails after the restore point names it (Flyway's failure becomes a
        // MigrationException only in Migrations.run, around the work)
        RestorePoint[] before = new RestorePoint[1];
        MigrationResult jeex = migrateSchema(before);
        try {
            return migrations.runService("migrating the migrations of " + runtime.config().serviceMigrations()
                    .map(ServiceMigrations::name).orElse(""), flyway -> {
                        before[0] = null; // a service migration that does not validate changed nothing
                        migrations.checkServiceApplied(flyway);
                        String name = runtime.config().serviceMigrations().get().name();
                        RestorePoint point = jeex.restorePoint() == null ? migrations.restorePointBefore(flyway) : null;
                        before[0] = point != null ? point : jeex.restorePoint();
                        MigrationResult result = applied(migrations.retryingOnLockTimeout("migrating the migrations of "
                                + name, flyway::migrate), flyway, name);
                        return new MigrationResult(result.migrationsApplied(), result.previousVersion(),
                                result.currentVersion(), point, null);
                    }).map(jeex::withService).orElse(jeex);
        } catch (RuntimeException e) {
            throw Migrations.naming(before[0], e);
        }
    }

    /** The JEEX schema's part of {@link #migrate()}; {@code before[0]} is its restore point once made. */
    private MigrationResult migrateSchema(RestorePoint[] before) {
        try {
            return migrations.run("migrating the JEEX schema", flyway -> {
                migrations.checkApplied(flyway);
                RestorePoint point = migrations.restorePointBefore(flyway);
                before[0] = point;
                MigrationResult result = applied(migrations.retryingOnLockTimeout("migrating the JEEX schema",
                        flyway::migrate), flyway, "schema");
                return new MigrationResult(result.migrationsApplied(), result.previousVersion(),
                        result.currentVersion(), point, null);
            });
        } catch (RuntimeException e) {
            throw Migrations.naming(before[0], e);
        }
    }

    private MigrationResult applied(MigrateResult result, Flyway flyway, String what) {
        MigrationInfo current = flyway.info().current();
        String version = current == null || current.getVersion() == null ? null : current.getVersion().getVersion();
        String previous = "0".equals(result.initialSchemaVersion) && !"schema".equals(what) ? null
                : result.initialSchemaVersion;
        LOG.info("{}: migrations: {} applied, {} version {} -> {}", runtime.config().name(),
                result.migrationsExecuted, what, previous, version);
        return new MigrationResult(result.migrationsExecuted, previous, version);
    }

    /**
     * Rolls the JEEX schema back to an earlier version: applies the rollback scripts
     * ({@code db/rollback/jeex/}, one per migration from V2 on, named like it) of every applied
     * migration above {@code toVersion}, newest first, each in its own transaction together with the
     * removal of its row from the history table, over the direct migration connections (with the
     * same server check, lock timeout and retries as {@link #migrate()}). Before the first, a named
     * restore point is created as for {@link #migrate()}. Nothing is changed when a rollback
     * script is missing or the target is ahead of the schema. Stop the services that migrate at
     * start-up first: one that starts meanwhile applies the migrations again.
     *
     * @param toVersion the version to go back to, for example {@code 1}; the current version does
     *     nothing
     * @return what was rolled back
     * @throws NullPointerException if {@code toVersion} is null
     * @throws IllegalArgumentException if {@code toVersion} is not a version
     * @throws io.jeex.db.error.DatabaseUnavailableException if the server cannot be reached (an
     *     {@link io.jeex.db.error.AuthenticationFailedException} if it refuses the login)
     * @throws io.jeex.db.error.UnsupportedServerException if the server cannot hold the schema
     * @throws MigrationException if a rollback script is missing, the target is ahead of the schema,
     *     the history holds a failed migration, a script fails (its transaction is rolled back; the
     *     versions above it stay rolled back), or the required restore point was refused
     * @throws io.jeex.db.error.DatabaseClosedException if this handle is closed
     */
    public RollbackResult rollback(String toVersion) {
        requireNonNull(toVersion, "toVersion");
        ensureOpen();
        return new Rollbacks(migrations).rollback(toVersion);
    }

    /**
     * Lists the JEEX schema's migrations as the database has them, applied and pending, read
     * with the schema module's Flyway configuration over a direct connection (as
     * {@link #migrate()}, bounded by the connect timeout, after the same server check).
     *
     * @return the migrations, oldest first
     * @throws io.jeex.db.error.DatabaseUnavailableException if the server cannot be reached (an
     *     {@link io.jeex.db.error.AuthenticationFailedException} if it refuses the login)
     * @throws io.jeex.db.error.UnsupportedServerException if the server cannot hold the schema
     * @throws MigrationException if the migration state cannot be read
     * @throws io.jeex.db.error.DatabaseClosedException if this handle is closed
     */
    public List<MigrationEntry> migrations() {
        ensureOpen();
        List<MigrationEntry> entries = new ArrayList<>(migrations.run("reading the migration state",
                flyway -> entries(flyway, MigrationEntry.JEEX)));
        migrations.runService("reading the migration state of the service", flyway -> entries(flyway,
                runtime.config().serviceMigrations().get().name())).ifPresent(entries::addAll);
        return List.copyOf(entries);
    }

    private static List<MigrationEntry> entries(Flyway flyway, String owner) {
        List<MigrationEntry> entries = new ArrayList<>();
        for (MigrationInfo m : flyway.info().all()) {
            if (m.getType() == org.flywaydb.core.api.CoreMigrationType.BASELINE) {
                continue; // the service's baseline on jeex-db's schema: not a migration of its own
            }
            entries.add(new MigrationEntry(m.getVersion() == null ? "" : m.getVersion().getVersion(),
                    m.getDescription(), m.getState().getDisplayName(), m.getState().isApplied(), owner));
        }
        return entries;
    }

    /**
     * Checks that the applied migrations match the scripts (checksums, nothing missing) and that
     * none is pending, with the schema module's Flyway configuration over a direct connection (as
     * {@link #migrate()}, bounded by the connect timeout, after the same server check).
     *
     * @throws io.jeex.db.error.DatabaseUnavailableException if the server cannot be reached (an
     *     {@link io.jeex.db.error.AuthenticationFailedException} if it refuses the login)
     * @throws io.jeex.db.error.UnsupportedServerException if the server cannot hold the schema
     * @throws MigrationException if validation fails; the message lists each migration that
     *     differs and what to do about it
     * @throws io.jeex.db.error.DatabaseClosedException if this handle is closed
     */
    public void validateMigrations() {
        ensureOpen();
        migrations.validate();
    }

    /**
     * Checks the database's health now: a round trip on a connection of its own (never from the
     * pool, so a saturated pool does not delay it), pool usage, server version, migration state,
     * circuit breakers and, with a replica, its recovery state and lag. Answers within
     * {@link HealthConfig#timeout()} (plus scheduling slack) whatever the network does:
     * a database that did not answer the round trip by then is DOWN; one that answered but
     * whose migration state, pooler or replica did not is DEGRADED (live, and not ready without a
     * migration state). Behind PgBouncer ({@link PoolConfig#pgBouncer()} with a different
     * {@link JeexDbConfig#migrationUrl()}) the round trip goes to the server directly, with the
     * migration credentials, and a second one through the pooler reports a busy pooler as
     * DEGRADED. Never throws for database failures; a closed handle reports DOWN. Also updates the
     * health gauges and logs a change of status once (an unchanged status logs nothing).
     *
     * @return the report, with liveness ({@link HealthReport#live()}) and readiness
     *     ({@link HealthReport#ready()}) as separate answers
     */
    public HealthReport health() {
        return health.check();
    }

    /**
     * Returns a jOOQ context on the pool for queries outside managed transactions: each
     * statement runs in its own auto-committed transaction, is not retried, and is bounded by a
     * client-side query timeout of {@link PoolConfig#statementTimeout()} rounded up to whole
     * seconds. Its errors are {@link io.jeex.db.error.JeexDbException}s.
     *
     * @return the context
     */
    public DSLContext dsl() {
        ensureOpen();
        return runtime.dsl();
    }

    /**
     * Runs the work in a read-write, read-committed transaction named
     * {@value TxOptions#DEFAULT_NAME}.
     *
     * @param <T> the result type
     * @param work the work; may run more than once
     * @return the work's result, after commit
     * @throws io.jeex.db.error.JeexDbException a subclass per failure category, with
     *     {@link io.jeex.db.error.JeexDbException#attempts()}; a
     *     {@link io.jeex.db.error.TransactionAbortedException} when a statement failed and the
     *     work caught its error and returned normally
     * @throws io.jeex.db.error.DatabaseClosedException if this handle is closed
     * @throws NullPointerException if {@code work} is null
     */
    public <T> T transaction(TransactionWork<T> work) {
        return transaction(TxOptions.defaults(), work);
    }

    /**
     * Runs the work in a transaction with the given options; see the class documentation for
     * retries. Inside a running transaction on this thread, joins it instead.
     *
     * @param <T> the result type
     * @param options name, isolation, timeout, acting user, idempotency, read-only
     * @param work the work; may run more than once
     * @return the work's result, after commit
     * @throws io.jeex.db.error.JeexDbException a subclass per failure category; a
     *     {@link io.jeex.db.error.TransactionAbortedException} when a statement failed and the
     *     work caught its error and returned normally (PostgreSQL rolled the transaction back).
     *     A nested call throws the typed error of a failed statement to the outer work.
     * @throws io.jeex.db.error.DatabaseClosedException if this handle is closed or closing
     * @throws IllegalStateException if a nested call asks for a
     *     stronger isolation or read-write inside a read-only transaction
     * @throws NullPointerException if an argument is null
     */
    public <T> T transaction(TxOptions options, TransactionWork<T> work) {
        requireNonNull(options, "options");
        requireNonNull(work, "work");
        return runtime.runner().run(options, RetryPolicy.Mode.CALLER, work);
    }

    /**
     * Runs the work in a read-only transaction named {@code read_only}, on the read replica when
     * one is configured.
     *
     * @param <T> the result type
     * @param work the work; may run more than once
     * @return the work's result
     * @throws io.jeex.db.error.JeexDbException a subclass per failure category
     * @throws io.jeex.db.error.DatabaseClosedException if this handle is closed
     * @throws NullPointerException if {@code work} is null
     */
    public <T> T readOnly(TransactionWork<T> work) {
        return transaction(READ_ONLY, work);
    }

    /**
     * Runs the work in a read-only transaction with the given options (their read-only flag is
     * forced on), on the read replica when one is configured.
     *
     * @param <T> the result type
     * @param options name, isolation, timeout, acting user
     * @param work the work; may run more than once
     * @return the work's result
     * @throws io.jeex.db.error.JeexDbException a subclass per failure category
     * @throws io.jeex.db.error.DatabaseClosedException if this handle is closed
     * @throws NullPointerException if an argument is null
     */
    public <T> T readOnly(TxOptions options, TransactionWork<T> work) {
        requireNonNull(options, "options");
        return transaction(options.readOnly() ? options : options.withReadOnly(true), work);
    }

    /**
     * Returns the repositories acting as one user: the user on whose behalf a service handles a
     * request. Every call is user-scoped: the row-level security policies let it reach that user's
     * rows only (their user row, the projects they own and everything in them); another user's row
     * is not found, writing one is refused ({@link io.jeex.db.error.RowSecurityException}). The
     * acting user travels with each call's statement ({@code set_config(..., true)} in the same
     * round trip, or {@code SET LOCAL} in a transaction), never on the session. A system-scoped
     * operation there throws {@link io.jeex.db.error.WrongScopeException}.
     *
     * <pre>{@code
     * Repositories ada = db.actingAs(adaId);
     * Project p = ada.projects().create(adaId, "Analytical Engine", "en");
     * }</pre>
     *
     * @param userId the acting user
     * @return the repositories; cheap, immutable, thread-safe
     * @throws NullPointerException if {@code userId} is null
     */
    public Repositories actingAs(UUID userId) {
        return ScopedRepositories.actingAs(runtime.runner(), runtime.purges(), requireNonNull(userId, "userId"));
    }

    /**
     * Returns the repositories acting as a user who does not exist yet, for a sign-up: a new,
     * time-ordered id (UUIDv7) is made, and {@code users().create(...)} on them creates that user's
     * row (the users policy lets a user insert their own row, so signing up needs no system mode).
     * The rest of the sign-up (a first project, its documents) acts as the same user, also in the
     * same transaction:
     *
     * <pre>{@code
     * Repositories newcomer = db.actingAsNewUser();
     * db.transaction(tx -> {
     *     User user = newcomer.users().create(email, name);
     *     return newcomer.projects().create(user.id(), "My idea", "en");
     * });
     * }</pre>
     *
     * @return repositories acting as a new user id
     */
    public Repositories actingAsNewUser() {
        return actingAs(Ids.next());
    }

    /**
     * Maintains the monthly partitions of {@code agent_executions} (migration V5) after
     * {@link JeexDbConfig#partitions()}: makes the partition of the current month and of the
     * {@link PartitionConfig#monthsAhead()} months after it when missing; moves the rows that
     * wait in the DEFAULT partition (a month nobody made a partition for) into partitions it
     * makes for their months; detaches and drops every partition wholly past
     * {@link PartitionConfig#retentionMonths()}, except one that still holds a pending or running
     * execution (listed in {@link PartitionMaintenance#keptLive()} and dropped by a later run).
     * Retention of agent executions is this drop, not a DELETE;
     * {@link io.jeex.db.repository.AgentExecutionRepository#purgeFinished(int)} still deletes the
     * terminal executions older than its retention in the months kept.
     *
     * <p>Idempotent, and safe to run from several instances at once: one system transaction under
     * a transaction-scoped advisory lock, so concurrent runs take turns and a second finds nothing
     * left to do. Runs in system mode (the migration role owns the table); its locks (a brief
     * ACCESS EXCLUSIVE on agent_executions and the DEFAULT partition to attach or detach) wait at
     * most the {@link MigrationConfig#lockTimeout()}. Run it daily, or at least monthly, off
     * peak; the operator command is {@code jeex-db partitions}. Call it outside any transaction:
     * inside one it is refused, since its result and log line must say what committed.
     *
     * @return what was created, moved, dropped and kept
     * @throws io.jeex.db.error.DatabaseTimeoutException if a lock was not granted within the lock
     *     timeout (nothing changed; run it again)
     * @throws io.jeex.db.error.JeexDbException a subclass per other failure category
     * @throws io.jeex.db.error.DatabaseClosedException if this handle is closed
     * @throws io.jeex.db.error.WrongScopeException if called inside a transaction
     * @throws io.jeex.db.error.MigrationException if the schema is older than migration 5 (migrate first)
     */
    public PartitionMaintenance maintainPartitions() {
        runtime.runner().requireNoTransaction("maintainPartitions", "runs a system transaction of its own under an "
                + "advisory lock and reports what it committed");
        PartitionMaintenance done = new PartitionMaintainer(runtime.runner(), runtime.config().partitions(),
                runtime.config().migration().lockTimeout()).run();
        LOG.info("{}: partitions of agent_executions maintained: created {}, {} rows moved from the default "
                + "partition, dropped {}, kept with live executions {}", runtime.config().name(), done.created(),
                done.movedFromDefault(), done.dropped(), done.keptLive());
        return done;
    }

    /**
     * Returns the repositories in system mode ({@link TxOptions#asSystem()}): every call runs on a
     * connection of its own, opened directly to {@link JeexDbConfig#migrationUrl()} as
     * {@link Credentials#effectiveMigrationUser()}, which must bypass row-level security (BYPASSRLS or a
     * superuser; checked by the first system call), so it reaches every user's rows. For the
     * system-scoped operations (the retention purges {@code exports().purgeExpired},
     * {@code agentExecutions().purgeFinished}, {@code exports().listExpired}, the sign-in lookup
     * {@code users().byEmail}) and for operators' work (erasing a user on request). Visible: its
     * meters carry {@code pool=<name>-system}, and each system transaction logs one INFO line.
     *
     * @return the system-mode repositories
     */
    public Repositories system() {
        return system;
    }

    /**
     * Direct, unpooled connections to {@link JeexDbConfig#migrationUrl()} as
     * {@link Credentials#effectiveMigrationUser()} (never through PgBouncer), the connect and login of each
     * bounded by {@link PoolConfig#connectTimeout()}: for operator work on the server itself, such
     * as a base backup, that must not go through the pool or a pooler. Nothing of the library
     * (retries, breaker, error translation) applies to them; close each connection when done.
     *
     * @return a data source opening a new connection per call
     */
    public DataSource migrationDataSource() {
        return runtime.migrationDataSource();
    }

    /**
     * The primary pool, for code that needs plain JDBC (bulk COPY, a driver feature jOOQ does
     * not reach). Work done on its connections bypasses retries, the breaker, error translation
     * and the fast failure on outages (HikariCP waits out its acquire timeout); prefer
     * {@link #transaction(TxOptions, TransactionWork)}.
     *
     * @return the HikariCP data source; closed by {@link #close()}
     */
    public DataSource dataSource() {
        ensureOpen();
        return runtime.primaryPool();
    }

    /** @return the configuration this handle was created with */
    public JeexDbConfig config() {
        return runtime.config();
    }

    /** @return the parts, for features built on this handle (repositories, health, metrics) */
    DatabaseRuntime runtime() {
        return runtime;
    }

    /** @return the health checker, whose last report the monitor keeps current */
    HealthChecker healthChecker() {
        return health;
    }

    /**
     * Closes the handle: from the start, every entry point refuses new work with
     * {@link io.jeex.db.error.DatabaseClosedException} (never retried; {@link #health()} reports
     * DOWN); running work may finish within {@link JeexDbConfig#drainTimeout()} (default 10 s);
     * statements still running after it are cancelled on the server and their callers get
     * {@code DatabaseClosedException}; then the health monitor stops, the pools close and the
     * instance's meters are removed. Calling it again does nothing.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            runtime.lifecycle().refuseNewWork();
            try {
                if (monitor != null) {
                    monitor.close();
                }
                health.close();
            } finally {
                runtime.close();
            }
        }
    }

    private void ensureOpen() {
        if (closed.get() || runtime.lifecycle().closing()) {
            throw runtime.lifecycle().closedError();
        }
    }

    @Override
    public String toString() {
        return "JeexDatabase[" + runtime.config().name() + ", breaker=" + runtime.breaker().getState()
                + (closed.get() ? ", closed" : "") + "]";
    }
}

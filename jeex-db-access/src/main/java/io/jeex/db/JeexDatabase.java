package io.jeex.db;

import static java.util.Objects.requireNonNull;

import io.jeex.db.error.MigrationException;
import io.jeex.db.error.ErrorContext;
import io.jeex.db.internal.DatabaseRuntime;
import io.jeex.db.repository.AgentExecutionRepository;
import io.jeex.db.repository.DocumentRepository;
import io.jeex.db.repository.ExportRepository;
import io.jeex.db.repository.ProjectRepository;
import io.jeex.db.repository.UserRepository;
import io.jeex.db.schema.JeexSchema;
import io.jeex.db.tx.TransactionWork;
import io.jeex.db.tx.TxOptions;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
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
 *       when {@link JeexDbConfig#retryOnLockTimeout()} is set; a connection failure only when no
 *       statement of the work had run yet, or the work is {@link TxOptions#idempotent()}; a
 *       connection lost during COMMIT never (it throws
 *       {@link io.jeex.db.error.OutcomeUnknownException});</li>
 *   <li>waits grow exponentially with full jitter, up to a cap, and no retry starts after the
 *       deadline ({@link JeexDbConfig#retryDeadline()});</li>
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
 * Failures reach the caller as subclasses of {@link io.jeex.db.error.JeexDbException}; unchecked
 * exceptions of the work itself reach it unchanged.
 */
public final class JeexDatabase implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JeexDatabase.class);
    private static final TxOptions READ_ONLY = TxOptions.named("read_only").withReadOnly(true);

    private final DatabaseRuntime runtime;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final UserRepository users = new UserRepository(this);
    private final ProjectRepository projects = new ProjectRepository(this);
    private final DocumentRepository documents = new DocumentRepository(this);
    private final AgentExecutionRepository agentExecutions = new AgentExecutionRepository(this);
    private final ExportRepository exports = new ExportRepository(this);

    private JeexDatabase(DatabaseRuntime runtime) {
        this.runtime = runtime;
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
     * Creates a database handle that publishes pool and transaction meters to the registry.
     *
     * @param config the configuration
     * @param registry where meters go
     * @return the handle; close it at shutdown
     * @throws NullPointerException if an argument is null
     */
    public static JeexDatabase create(JeexDbConfig config, MeterRegistry registry) {
        requireNonNull(config, "config");
        requireNonNull(registry, "registry");
        return new JeexDatabase(DatabaseRuntime.start(config, config.password().orElse(null), registry));
    }

    /**
     * Applies pending migrations of the JEEX schema with the schema module's Flyway
     * configuration, over a direct connection to {@link JeexDbConfig#migrationUrl()} (never the
     * pool, never through PgBouncer). Safe to call from several instances at once: Flyway locks.
     *
     * @return what was applied and the version now
     * @throws MigrationException if a migration fails or an applied one was changed
     * @throws IllegalStateException if this handle is closed
     */
    public MigrationResult migrate() {
        ensureOpen();
        Flyway flyway = JeexSchema.flywayConfiguration(
                runtime.migrationDataSource(runtime.config().migrationPassword().orElse(null))).load();
        try {
            MigrateResult result = flyway.migrate();
            MigrationInfo current = flyway.info().current();
            String version = current == null || current.getVersion() == null ? null : current.getVersion().getVersion();
            LOG.info("{}: migrations: {} applied, schema version {} -> {}", runtime.config().name(),
                    result.migrationsExecuted, result.initialSchemaVersion, version);
            return new MigrationResult(result.migrationsExecuted, result.initialSchemaVersion, version);
        } catch (FlywayException e) {
            throw new MigrationException(runtime.config().name() + ": migrating the JEEX schema failed: "
                    + e.getMessage(), new ErrorContext(null, null, null, null, 1), e);
        }
    }

    /**
     * Returns a jOOQ context on the pool for queries outside managed transactions: each
     * statement runs in its own auto-committed transaction, is not retried, and is bounded by a
     * client-side query timeout of {@link JeexDbConfig#statementTimeout()} rounded up to whole
     * seconds. Its errors are {@link io.jeex.db.error.JeexDbException}s.
     *
     * @return the context
     */
    public DSLContext dsl() {
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
     *     {@link io.jeex.db.error.JeexDbException#attempts()}
     * @throws IllegalStateException if this handle is closed
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
     * @throws io.jeex.db.error.JeexDbException a subclass per failure category
     * @throws IllegalStateException if this handle is closed, or a nested call asks for a
     *     stronger isolation or read-write inside a read-only transaction
     * @throws NullPointerException if an argument is null
     */
    public <T> T transaction(TxOptions options, TransactionWork<T> work) {
        requireNonNull(options, "options");
        requireNonNull(work, "work");
        ensureOpen();
        return runtime.runner().run(options, work);
    }

    /**
     * Runs the work in a read-only transaction named {@code read_only}, on the read replica when
     * one is configured.
     *
     * @param <T> the result type
     * @param work the work; may run more than once
     * @return the work's result
     * @throws io.jeex.db.error.JeexDbException a subclass per failure category
     * @throws IllegalStateException if this handle is closed
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
     * @throws IllegalStateException if this handle is closed
     * @throws NullPointerException if an argument is null
     */
    public <T> T readOnly(TxOptions options, TransactionWork<T> work) {
        requireNonNull(options, "options");
        return transaction(options.withReadOnly(true), work);
    }

    /** @return the users repository */
    public UserRepository users() {
        return users;
    }

    /** @return the projects repository */
    public ProjectRepository projects() {
        return projects;
    }

    /** @return the document versions repository */
    public DocumentRepository documents() {
        return documents;
    }

    /** @return the agent executions repository */
    public AgentExecutionRepository agentExecutions() {
        return agentExecutions;
    }

    /** @return the exports repository */
    public ExportRepository exports() {
        return exports;
    }

    /**
     * The primary pool, for code that needs plain JDBC (bulk COPY, a driver feature jOOQ does
     * not reach). Work done on its connections bypasses retries, the breaker and error
     * translation; prefer {@link #transaction(TxOptions, TransactionWork)}.
     *
     * @return the HikariCP data source; closed by {@link #close()}
     */
    public DataSource dataSource() {
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

    /** Closes the pools. Running transactions fail; calling it again does nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            runtime.close();
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException(runtime.config().name() + ": this JeexDatabase is closed");
        }
    }

    @Override
    public String toString() {
        return "JeexDatabase[" + runtime.config().name() + ", breaker=" + runtime.breaker().getState()
                + (closed.get() ? ", closed" : "") + "]";
    }
}

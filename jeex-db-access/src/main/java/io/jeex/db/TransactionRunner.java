package io.jeex.db;

import static java.util.Objects.requireNonNull;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.core.functions.CheckedSupplier;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.jeex.db.error.DatabaseUnavailableException;
import io.jeex.db.error.ErrorContext;
import io.jeex.db.error.JeexDbException;
import io.jeex.db.error.SerializationFailureException;
import io.jeex.db.error.TransactionWorkException;
import io.jeex.db.error.WrongScopeException;
import io.jeex.db.tx.IsolationLevel;
import io.jeex.db.tx.TransactionWork;
import io.jeex.db.tx.TxOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;
import org.jooq.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs transactions as {@code Retry(CircuitBreaker(attempt))}:
 * <ol>
 *   <li>the attempt borrows a connection (failing at once when the server cannot be reached,
 *       see {@link Acquirer}), begins the transaction with its options as the first statement
 *       ({@code SET TRANSACTION ...; SET LOCAL ...}), runs the work and commits;</li>
 *   <li>a failure is categorised by where it came from (the pool, the driver, the server, or
 *       the work itself) and handed to the pure {@link RetryPolicy}, which says whether to run
 *       again, what the circuit breaker records and whether the outcome is unknown; an open
 *       breaker refuses the attempt without running it;</li>
 *   <li>Resilience4j's {@link Retry} runs the attempts, waiting what the runner chose
 *       (exponential backoff with full jitter, within the deadline).</li>
 * </ol>
 * Only the outermost call on a thread does this; a nested call joins the running transaction, if
 * it is in the same mode (system or not) and acts as the same user, or the transaction has none yet.
 *
 * <p>Routes: the primary pool, the read replica for read-only work, and system mode
 * ({@link TxOptions#system()}): a new direct connection per attempt as the migration role, checked
 * once to bypass row-level security, with its own breaker and meters ({@code <name>-system}), built
 * on first use. The acting user is set inside the transaction ({@code SET LOCAL}); the library's own
 * single statements run auto-committed with it in the same round trip ({@link Jdbc#query}), or
 * become a transaction right before a statement that cannot carry it.
 */
final class TransactionRunner implements Transactions {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionRunner.class);

    /**
     * Resilience4j's own attempt limit: a safety net only. The runner counts attempts itself,
     * because the library's restarts (waiting for a lock its snapshot must see) are no failures.
     */
    static final int RESILIENCE4J_MAX_ATTEMPTS = 10_000;

    /**
     * A route to a database: the primary, or the read replica.
     *
     * @param name the pool name (the {@code pool} tag of the meters)
     * @param acquirer borrows its connections
     * @param breaker its circuit breaker
     * @param metrics its transaction meters
     * @param jooq the jOOQ configuration of its transactions (dialect, settings, its statement meters)
     * @param observer sees the statements run with plain JDBC ({@link Jdbc})
     * @param replica whether it is the read replica
     * @param system whether it is the system mode's route: a new direct connection per attempt as
     *     the migration role, without the pool's start-up statement timeout
     * @param observations its Micrometer Observations (off when the service gave no registry)
     */
    public record Route(String name, ConnectionSource acquirer, CircuitBreaker breaker, TransactionMetrics metrics,
                        Configuration jooq, StatementObserver observer, boolean replica, boolean system,
                        Observations observations) {
    }

    private final JeexDbConfig config;
    private final Route primary;
    private final Route replica;
    /** Builds the system mode's route on first use: a service that never uses system mode gets none of its meters. */
    private final Supplier<Route> systemRoute;
    private volatile Route system;
    /** Whether the system route's role was found to bypass row-level security (checked once). */
    private volatile boolean systemRoleChecked;
    private final ReplicaReads replicaReads;
    private final Retry retry;
    private final RetryPolicy policy;
    private final ErrorTranslator translator;
    private final Lifecycle lifecycle;
    private final ThreadLocal<TransactionImpl> current = new ThreadLocal<>();

    /**
     * @param config the configuration (retry and timeout settings)
     * @param primary the primary route
     * @param replica the replica route, or null
     * @param system builds the route of system mode ({@link TxOptions#system()}), called once, on first use
     * @param retry the retry, from {@link #retryConfig(JeexDbConfig)}
     * @param translator translates final failures
     * @param lifecycle open or closing, and the work in flight
     */
    public TransactionRunner(JeexDbConfig config, Route primary, Route replica, Supplier<Route> system,
                             Retry retry,
                             ErrorTranslator translator, Lifecycle lifecycle) {
        this.config = requireNonNull(config, "config");
        this.primary = requireNonNull(primary, "primary");
        this.replica = replica;
        this.systemRoute = requireNonNull(system, "system");
        this.replicaReads = replica == null ? null
                : new ReplicaReads(config.replica().readConsistency(), config.replica().waitTimeout());
        this.retry = requireNonNull(retry, "retry");
        this.policy = new RetryPolicy(config.retry().onLockTimeout());
        this.translator = requireNonNull(translator, "translator");
        this.lifecycle = requireNonNull(lifecycle, "lifecycle");
    }

    /**
     * The retry configuration: retries only failures that the runner marked retryable, waiting
     * what the runner chose. The runner enforces {@link io.jeex.db.RetryConfig#maxAttempts()} itself.
     *
     * @param config the configuration
     * @return the Resilience4j retry configuration
     */
    public static RetryConfig retryConfig(JeexDbConfig config) {
        return RetryConfig.custom()
                .maxAttempts(RESILIENCE4J_MAX_ATTEMPTS)
                .retryOnException(t -> t instanceof RetryableFailure)
                .intervalBiFunction((attempt, either) -> either.isLeft() && either.getLeft() instanceof RetryableFailure r
                        ? r.waitMillis() : 0L)
                .failAfterMaxAttempts(false)
                .build();
    }

    /** @return whether the current thread runs inside a transaction of this runner */
    public boolean inTransaction() {
        return current.get() != null;
    }

    @Override
    public <T> T run(TxOptions options, RetryPolicy.Mode mode, TransactionWork<T> work) {
        requireNonNull(options, "options");
        requireNonNull(mode, "mode");
        requireNonNull(work, "work");
        TransactionImpl outer = current.get();
        if (outer != null) {
            return join(outer, options, work);
        }
        long start = System.nanoTime();
        try {
            lifecycle.enter();
        } catch (JeexDbException closed) {
            primary.metrics().record(options.name(), TransactionMetrics.FAILED, Category.CLOSED.tag(), 1,
                    System.nanoTime() - start);
            throw closed;
        }
        try {
            return outermost(options, mode, work, start);
        } finally {
            lifecycle.exit();
        }
    }

    private <T> T outermost(TxOptions options, RetryPolicy.Mode mode, TransactionWork<T> work, long start) {
        Backoff backoff = new Backoff(config.retry(), start);
        CallState call = new CallState();
        Route[] used = {primary};
        Observations.Running observed = (options.system() ? systemRoute() : primary).observations()
                .transaction(options.name());
        CheckedSupplier<T> attempt = () -> {
            Route route = route(options);
            used[0] = route;
            return guarded(route, options, mode, work, call, backoff);
        };
        try {
            T result = Retry.decorateCheckedSupplier(retry, attempt).get();
            used[0].metrics().committed(options.name(), call.attempts(), System.nanoTime() - start);
            if (observed != null) {
                observed.end(TransactionMetrics.COMMITTED, null, call.attempts(), null);
            }
            logSystem(used[0], options, TransactionMetrics.COMMITTED, start);
            return result;
        } catch (Throwable t) {
            Final outcome = finalFailure(t, call, options);
            String result = outcome.category() == Category.WORK_EXCEPTION
                    ? TransactionMetrics.ROLLED_BACK : TransactionMetrics.FAILED;
            used[0].metrics().record(options.name(), result, outcome.tag(),
                    Math.max(1, call.attempts()), System.nanoTime() - start);
            if (observed != null) {
                observed.end(result, outcome.tag(), Math.max(1, call.attempts()),
                        outcome.exception() != null ? outcome.exception() : outcome.error());
            }
            logSystem(used[0], options, result + " (" + outcome.tag() + ")", start);
            if (outcome.exception() != null) {
                throw outcome.exception();
            }
            throw (Error) outcome.error();
        }
    }

    /**
     * System mode is visible: besides its meters ({@code pool=<name>-system}), every system
     * transaction says in one line what ran, as which role, and how it ended.
     */
    private Route systemRoute() {
        Route route = system;
        if (route == null) {
            synchronized (systemRoute) {
                route = system;
                if (route == null) {
                    route = requireNonNull(systemRoute.get(), "system route");
                    system = route;
                }
            }
        }
        return route;
    }

    private void logSystem(Route route, TxOptions options, String outcome, long start) {
        if (route.system()) {
            LOG.info("{}: system mode: transaction '{}' {} as role {} (row-level security bypassed) in {} ms",
                    config.name(), options.name(), outcome, config.credentials().effectiveMigrationUser().orElse("<from migrationUrl>"),
                    (System.nanoTime() - start) / 1_000_000);
        }
    }

    /**
     * The route of the next attempt: system mode has its own; read-only work goes to the replica
     * when there is one, its breaker lets calls through, and (with read-your-writes) it has
     * replayed this instance's writes; everything else goes to the primary.
     */
    private Route route(TxOptions options) {
        if (options.system()) {
            return systemRoute();
        }
        if (replica == null || !options.readOnly() || replica.breaker().getState() == CircuitBreaker.State.OPEN) {
            return primary;
        }
        if (replicaReads.knownCaughtUp()) {
            return replica;
        }
        try (Connection c = replica.acquirer().acquire()) {
            return replicaReads.caughtUp(c) ? replica : primary;
        } catch (SQLException | RuntimeException e) {
            return primary; // the replica's health is the health check's business; the read goes on
        }
    }

    /** One attempt through the route's circuit breaker, and the retry decision on its failure. */
    private <T> T guarded(Route route, TxOptions options, RetryPolicy.Mode mode, TransactionWork<T> work,
                          CallState call, Backoff backoff) {
        if (lifecycle.cancelled()) {
            throw new AttemptFailure(lifecycle.closedError(), Category.CLOSED, Phase.CONNECT,
                    RetryPolicy.Stage.BEFORE_STATEMENT, false, false);
        }
        CircuitBreaker breaker = route.breaker();
        if (!breaker.tryAcquirePermission()) {
            throw new CircuitOpen(route, call.attempts());
        }
        int number = call.nextAttempt();
        long started = breaker.getCurrentTimestamp();
        Observations.Running observed = route.observations().attempt(number);
        try {
            T result = attempt(route, options, mode, work, number, call);
            breaker.onSuccess(breaker.getCurrentTimestamp() - started, breaker.getTimestampUnit());
            if (observed != null) {
                observed.end(TransactionMetrics.COMMITTED, null, 0, null);
            }
            return result;
        } catch (AttemptFailure f) {
            RetryPolicy.Decision decision = policy.decide(new RetryPolicy.Situation(f.category(), f.stage(),
                    options.idempotent(), options.readOnly(), false, options.singleStatement(), mode));
            long took = breaker.getCurrentTimestamp() - started;
            switch (decision.breaker()) {
                case FAILURE -> breaker.onError(took, breaker.getTimestampUnit(), f.getCause());
                case SUCCESS -> breaker.onSuccess(took, breaker.getTimestampUnit());
                default -> breaker.releasePermission();
            }
            if (f.restart()) {
                call.restarted();
            }
            RuntimeException next = retryOrNot(f, decision, route, options, call, backoff);
            if (observed != null) {
                observed.end(next instanceof RetryableFailure ? "retried" : TransactionMetrics.FAILED,
                        f.category().tag(), 0, f.getCause());
            }
            throw next;
        }
    }

    private RuntimeException retryOrNot(AttemptFailure f, RetryPolicy.Decision decision, Route route,
                                        TxOptions options, CallState call, Backoff backoff) {
        if (!decision.retry() || lifecycle.cancelled()) {
            return new Refused(f, decision);
        }
        if (f.restart()) {
            // The library's own write must see a concurrent commit: no backoff, the next attempt
            // first waits for the lock that commit held. Bounded by the deadline alone.
            return backoff.allows(0) ? new RetryableFailure(f, 0) : new Refused(f, decision);
        }
        int counted = call.countedAttempts();
        if (counted >= config.retry().maxAttempts()) {
            return new Refused(f, decision);
        }
        long wait = backoff.nextWaitMillis(counted);
        if (!backoff.allows(wait)) {
            LOG.debug("{}: transaction '{}' attempt {} failed ({}); not retried, the retry deadline ({}) would pass",
                    route.name(), options.name(), call.attempts(), f.category().tag(),
                    Durations.ms(config.retry().deadline()));
            return new Refused(f, decision);
        }
        route.metrics().retried(f.category());
        if (f.category().isContention()) {
            LOG.debug("{}: transaction '{}' attempt {} failed with SQLSTATE {}; retrying in {} ms",
                    route.name(), options.name(), call.attempts(), SqlStates.sqlState(f.getCause()), wait);
        } else {
            LOG.info("{}: transaction '{}' attempt {} failed ({}, SQLSTATE {}, {}); retrying in {} ms",
                    route.name(), options.name(), call.attempts(), f.category().tag(),
                    SqlStates.sqlState(f.getCause()), f.stage().name().toLowerCase(Locale.ROOT), wait);
        }
        return new RetryableFailure(f, wait);
    }

    private <T> T join(TransactionImpl outer, TxOptions options, TransactionWork<T> work) {
        TxOptions running = outer.options();
        if (options.system() != running.system()) {
            throw new WrongScopeException(options.system()
                    ? "'" + options.name() + "' runs in system mode, which has a connection of its own, so it cannot "
                    + "join the transaction '" + running.name() + "' of the pool; call it outside that transaction, or "
                    + "run the outer one in system mode (TxOptions.asSystem())"
                    : "'" + options.name() + "' acts as a user, so it cannot join the system-mode transaction '"
                    + running.name() + "' (system mode acts as no user); use db.system() for the call, or run it "
                    + "outside that transaction");
        }
        if (options.isolation().compareTo(running.isolation()) > 0) {
            throw new IllegalStateException("a nested transaction asked for " + options.isolation()
                    + " isolation inside a " + running.isolation() + " transaction ('" + running.name()
                    + "'); a nested call joins the outer transaction, so give the outer one the stronger level");
        }
        if (!options.readOnly() && running.readOnly()) {
            throw new IllegalStateException("a nested read-write transaction ('" + options.name()
                    + "') cannot join the read-only transaction '" + running.name() + "'; make the outer one read-write");
        }
        try {
            if (options.actingUserId() != null) {
                outer.actAs(options.actingUserId(), options.name());
            }
            return work.execute(outer);
        } catch (Exception e) {
            throw nestedFailure(outer, e);
        }
    }

    /**
     * What a nested call throws to the outer work: a failure of a statement of the transaction
     * translated (so the outer work can catch {@code UniqueViolationException} around a
     * repository call) and remembered, so the outer call still knows it came from the database;
     * anything else as it is (a checked exception as {@link TransactionWorkException}).
     */
    private RuntimeException nestedFailure(TransactionImpl outer, Exception e) {
        if (e instanceof Transactions.RestartSignal restart) {
            return restart;
        }
        if (outer.translatedHere(e) || !outer.fromDatabase(e)) {
            if (e instanceof RuntimeException re) {
                return re;
            }
            return translator.translate(e, Category.WORK_EXCEPTION, outer.attempt(), outer.options().name(), false);
        }
        outer.statementFailed(e);
        JeexDbException translated = translator.translate(e, outer.attempt(), outer.options().name());
        outer.translated(translated, e);
        return translated;
    }

    private <T> T attempt(Route route, TxOptions options, RetryPolicy.Mode mode, TransactionWork<T> work,
                          int number, CallState call) {
        Connection connection;
        try {
            connection = route.acquirer().acquire();
        } catch (SQLException | RuntimeException e) {
            Category category = lifecycle.closing() && String.valueOf(e.getMessage()).contains("has been closed")
                    ? Category.CLOSED : connectCategory(e);
            throw new AttemptFailure(e, category, Phase.CONNECT, RetryPolicy.Stage.BEFORE_STATEMENT, false, false);
        }
        // The library's own single statements may carry an acting user (it travels with the
        // statement, see Jdbc.query); a caller's work with one always runs in a transaction.
        boolean settingsFit = options.isolation() == IsolationLevel.READ_COMMITTED && options.timeout() == null;
        boolean autoCommit = switch (mode) {
            case LIBRARY_READ -> options.singleStatement() && settingsFit;
            // a later attempt of the library's own write resolves the outcome with more than one statement
            case LIBRARY_WRITE -> options.singleStatement() && !options.readOnly() && settingsFit && number == 1;
            case CALLER -> options.autoCommits();
        };
        // Behind PgBouncer, and on the system route's direct connections, the start-up
        // statement_timeout does not reach the server, and single-statement work has no transaction
        // to SET LOCAL it in: the driver's query timeout (a cancel request, in whole seconds) stands in.
        int queryTimeout = autoCommit && (config.pool().pgBouncer() || route.system())
                ? queryTimeoutSeconds(config.pool().statementTimeout()) : 0;
        TransactionImpl tx = new TransactionImpl(connection, options, number, route.jooq(), autoCommit,
                route.observer(), queryTimeout, call);
        lifecycle.started(tx);
        Phase phase = Phase.BEGIN;
        try {
            if (route.system() && !systemRoleChecked) {
                checkSystemRole(connection);
            }
            waitForLocks(connection, call);
            if (!autoCommit) {
                connection.setAutoCommit(false);
                begin(connection, options, route);
            }
            phase = Phase.WORK;
            T result;
            current.set(tx);
            try {
                result = work.execute(tx);
            } finally {
                current.remove();
            }
            if (tx.restartReason() != null) {
                throw new Transactions.RestartSignal(tx.restartReason());
            }
            if (!tx.autoCommit()) { // also when auto-committed work became a transaction for its acting user
                if (tx.aborted()) {
                    // COMMIT would answer ROLLBACK without an error: the work caught a failure.
                    throw new Aborted(tx.failure());
                }
                phase = Phase.COMMIT;
                connection.commit();
            }
            if (replicaReads != null && !route.replica() && !route.system() && !options.readOnly()
                    && replicaReads.tracksWrites()) {
                if (!tx.autoCommit()) {
                    connection.setAutoCommit(true);
                }
                replicaReads.committed(connection);
            }
            return result;
        } catch (Throwable thrown) {
            throw failed(thrown, tx, phase, tx.autoCommit(), connection);
        } finally {
            lifecycle.ended(tx);
            closeQuietly(connection);
        }
    }

    private AttemptFailure failed(Throwable thrown, TransactionImpl tx, Phase phase, boolean autoCommit,
                                  Connection connection) {
        if (!autoCommit) {
            rollbackQuietly(connection);
        }
        if (thrown instanceof Aborted aborted) {
            Category category = aborted.getCause() == null ? Category.OTHER_SQL : SqlStates.classify(aborted.getCause());
            return new AttemptFailure(aborted, category, phase, stage(tx, phase), true, false);
        }
        Throwable e = tx.untranslated(thrown);
        if (e instanceof Transactions.RestartSignal || (tx.restartReason() != null && phase == Phase.WORK)) {
            return new AttemptFailure(new Transactions.RestartSignal(tx.restartReason()), Category.SERIALIZATION_FAILURE,
                    phase, stage(tx, phase), false, true);
        }
        Category category = tx.categorize(e, phase, lifecycle.closing());
        if (!autoCommit && tx.failure() != null && category != Category.WORK_EXCEPTION
                && "25P02".equals(SqlStates.sqlState(e))) {
            // "current transaction is aborted": the work went on after catching a failure, which
            // is the real error.
            Aborted aborted = new Aborted(tx.failure());
            return new AttemptFailure(aborted, SqlStates.classify(tx.failure()), phase, stage(tx, phase), true, false);
        }
        return new AttemptFailure(e, category, phase, stage(tx, phase), false, false);
    }

    /**
     * Where the attempt was, for the retry decision: in auto-commit mode a sent statement commits
     * as it runs, so its failure is reported as after a statement of single-statement work.
     */
    private static RetryPolicy.Stage stage(TransactionImpl tx, Phase phase) {
        if (phase == Phase.COMMIT) {
            return RetryPolicy.Stage.COMMIT;
        }
        boolean after = tx.autoCommit() ? tx.statementStarted() : tx.workMayHaveRun();
        return phase == Phase.WORK && after ? RetryPolicy.Stage.AFTER_STATEMENT : RetryPolicy.Stage.BEFORE_STATEMENT;
    }

    /** A connection that could not be borrowed: a refused login, the pool's timeout, or a failure to connect. */
    private static Category connectCategory(Throwable e) {
        String state = SqlStates.sqlState(e);
        if (state != null && state.startsWith("28")) {
            return Category.AUTHENTICATION_FAILED;
        }
        if (e instanceof java.sql.SQLTransientConnectionException && e.getCause() == null) {
            return Category.POOL_TIMEOUT;
        }
        Category c = SqlStates.classify(e);
        return c == Category.POOL_TIMEOUT || c == Category.AUTHENTICATION_FAILED ? c : Category.CONNECTION_FAILURE;
    }

    /**
     * Refuses system mode on a role that row-level security restricts: its work would silently see
     * no rows of any user. Checked on the first system attempt; a role does not change under a
     * running instance.
     */
    private void checkSystemRole(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT current_user, rolsuper OR rolbypassrls FROM pg_roles "
                     + "WHERE rolname = current_user")) {
            if (rs.next() && rs.getBoolean(2)) {
                systemRoleChecked = true;
                return;
            }
            throw new SQLException("system mode needs a role that bypasses row-level security (BYPASSRLS, or a "
                    + "superuser), but " + (rs.getRow() > 0 ? rs.getString(1) : "the migration role") + " does not: "
                    + "set migrationUser (JEEX_DB_MIGRATION_USER) to such a role, for example the schema owner "
                    + "(docker/postgres/initdb/10-roles.sql gives jeex_owner BYPASSRLS)", "42501");
        }
    }

    /**
     * Waits, outside any transaction, for the advisory locks an earlier attempt of this call found
     * held: each is taken and released at once (auto-committed), so the transaction that begins
     * next takes its snapshot after their holders committed.
     */
    private static void waitForLocks(Connection connection, CallState call) throws SQLException {
        if (call.lockWaits().isEmpty()) {
            return;
        }
        for (String key : call.lockWaits()) {
            try (PreparedStatement ps = connection.prepareStatement("select pg_advisory_xact_lock(hashtextextended(?, 0))")) {
                ps.setString(1, key);
                ps.execute();
            }
        }
        call.lockWaits().clear();
    }

    /**
     * Begins the transaction: with auto-commit off, pgjdbc sends BEGIN together with this first
     * statement, so every setting below is inside the transaction and ends with it. Nothing is
     * set on the session (no {@code Connection.setTransactionIsolation}, which pgjdbc sends as
     * session characteristics), so nothing leaks to the next borrower or through PgBouncer. Only
     * utility statements: a REPEATABLE READ or SERIALIZABLE transaction takes its snapshot at
     * the work's first statement, not here.
     */
    private void begin(Connection connection, TxOptions options, Route route) throws SQLException {
        StringBuilder sql = new StringBuilder();
        if (options.isolation() != IsolationLevel.READ_COMMITTED || options.readOnly()) {
            sql.append("SET TRANSACTION ISOLATION LEVEL ").append(options.isolation().sql())
                    .append(options.readOnly() ? " READ ONLY" : " READ WRITE");
        }
        // Without PgBouncer every pooled connection starts with the configured statement_timeout (a
        // start-up parameter), so only a transaction's own timeout needs a statement. Behind
        // PgBouncer start-up parameters do not reach the server, and the system route's direct
        // connections have none: every transaction sets it.
        Duration timeout = options.timeout() != null ? options.timeout() : config.pool().statementTimeout();
        if (options.timeout() != null || ((config.pool().pgBouncer() || route.system()) && !timeout.isZero())) {
            separate(sql).append("SET LOCAL statement_timeout = ").append(timeout.toMillis());
        }
        if (options.actingUserId() != null) {
            separate(sql).append(ActingUser.setLocal(options.actingUserId()));
        }
        if (sql.length() == 0) {
            return; // the defaults: BEGIN goes out with the work's first statement, no extra round trip
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql.toString());
        }
    }

    /**
     * @param timeout a statement timeout, zero for none
     * @return it in whole seconds, rounded up, for {@code Statement.setQueryTimeout}; 0 for none
     */
    public static int queryTimeoutSeconds(Duration timeout) {
        long ms = timeout.toMillis();
        return ms == 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, Math.max(1, (ms + 999) / 1000));
    }

    private static StringBuilder separate(StringBuilder sql) {
        return sql.length() == 0 ? sql : sql.append(";\n");
    }

    private record Final(RuntimeException exception, Throwable error, Category category, String tag) {
    }

    private Final finalFailure(Throwable t, CallState call, TxOptions options) {
        int attempts = Math.max(1, call.attempts());
        if (t instanceof CircuitOpen open) {
            CircuitBreaker breaker = open.route.breaker();
            return new Final(new DatabaseUnavailableException("the database is unavailable: circuit breaker '"
                    + breaker.getName() + "' is " + breaker.getState() + " after repeated connection "
                    + "failures; calls fail fast for " + Durations.ms(config.breaker().waitInOpenState())
                    + " before trial calls are let through [transaction " + options.name()
                    + (attempts > 1 ? ", after " + attempts + " attempts" : "") + "]",
                    new ErrorContext(null, null, null, null, attempts),
                    CallNotPermittedException.createCallNotPermittedException(breaker)), null,
                    Category.CONNECTION_FAILURE, TransactionMetrics.CIRCUIT_OPEN);
        }
        AttemptFailure f;
        RetryPolicy.Outcome outcome;
        if (t instanceof Refused refused) {
            f = refused.failure;
            outcome = refused.decision.outcome();
        } else if (t instanceof RetryableFailure r) {
            f = r.failure(); // Resilience4j's safety net ran out
            outcome = RetryPolicy.Outcome.NOT_COMMITTED;
        } else if (t instanceof AttemptFailure a) {
            f = a;
            outcome = RetryPolicy.Outcome.NOT_COMMITTED;
        } else {
            return new Final(t instanceof RuntimeException re ? re : null, t, Category.WORK_EXCEPTION,
                    TransactionMetrics.WORK_EXCEPTION);
        }
        Throwable cause = f.getCause();
        if (cause instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        Category category = f.category();
        if (category == Category.WORK_EXCEPTION) {
            if (cause instanceof RuntimeException re) {
                return new Final(re, cause, category, TransactionMetrics.WORK_EXCEPTION);
            }
            if (cause instanceof Error) {
                return new Final(null, cause, category, TransactionMetrics.WORK_EXCEPTION);
            }
            return new Final(translator.translate(cause, category, attempts, options.name(), false), cause, category,
                    TransactionMetrics.WORK_EXCEPTION);
        }
        if (f.restart()) {
            return new Final(new SerializationFailureException("the transaction could not be completed before the "
                    + "retry deadline (" + Durations.ms(config.retry().deadline()) + "): " + cause.getMessage()
                    + " [transaction " + options.name() + ", after " + attempts + " attempts]",
                    new ErrorContext(null, null, null, null, attempts), null), cause, category,
                    category.tag());
        }
        if (f.aborted()) {
            return new Final(translator.aborted(cause.getCause(), attempts, options.name()), cause, category,
                    TransactionMetrics.TRANSACTION_ABORTED);
        }
        boolean unknown = outcome == RetryPolicy.Outcome.UNKNOWN;
        JeexDbException translated = translator.translate(cause, category, attempts, options.name(), unknown);
        String tag = unknown && category == Category.CONNECTION_FAILURE ? TransactionMetrics.OUTCOME_UNKNOWN
                : category.tag();
        return new Final(translated, cause, category, tag);
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException | RuntimeException e) {
            LOG.trace("rollback failed (the connection is probably broken): {}", e.toString());
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException | RuntimeException e) {
            LOG.trace("closing a connection failed: {}", e.toString());
        }
    }

    /** The attempt's failure was final: the decision refused a retry, or the limit was reached. */
    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient AttemptFailure failure;
        private final transient RetryPolicy.Decision decision;

        Refused(AttemptFailure failure, RetryPolicy.Decision decision) {
            super(failure.getMessage(), failure.getCause(), false, false);
            this.failure = failure;
            this.decision = decision;
        }
    }

    /** The route's circuit breaker refused the attempt. */
    private static final class CircuitOpen extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Route route;

        CircuitOpen(Route route, int attempts) {
            super("circuit open after " + attempts + " attempts", null, false, false);
            this.route = route;
        }
    }

    /** PostgreSQL aborted the transaction at a statement whose error the work caught; the cause is that error. */
    private static final class Aborted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Aborted(Throwable failure) {
            super("aborted", failure, false, false);
        }
    }
}

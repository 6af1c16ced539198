package io.jeex.db.internal.tx;

import static java.util.Objects.requireNonNull;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.core.functions.CheckedSupplier;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.error.DatabaseUnavailableException;
import io.jeex.db.error.ErrorContext;
import io.jeex.db.error.JeexDbException;
import io.jeex.db.error.TransactionAbortedException;
import io.jeex.db.internal.Durations;
import io.jeex.db.internal.error.Category;
import io.jeex.db.internal.error.ErrorTranslator;
import io.jeex.db.internal.error.SqlStates;
import io.jeex.db.tx.IsolationLevel;
import io.jeex.db.tx.TransactionWork;
import io.jeex.db.tx.TxOptions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jooq.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs transactions as {@code Retry(CircuitBreaker(attempt))}:
 * <ol>
 *   <li>the attempt borrows a connection, begins the transaction with its options as the first
 *       statement ({@code SET TRANSACTION ...; SET LOCAL statement_timeout ...;
 *       set_config('jeex.acting_user_id', ..., true)}), runs the work and commits;</li>
 *   <li>the circuit breaker records only infrastructure failures of the attempt (connection
 *       failures, pool timeouts) and, when open, refuses the attempt without running it;</li>
 *   <li>between the breaker and the retry, the failure is classified: contention (40001,
 *       40P01, and 55P03 if configured) is retried; a connection failure only when no statement
 *       of the work had run or the work is idempotent, and never during COMMIT; an open breaker
 *       never. The wait is chosen here (full jitter) and the overall deadline checked;</li>
 *   <li>Resilience4j's {@link Retry} retries what was marked retryable, up to the maximum
 *       number of attempts.</li>
 * </ol>
 * Only the outermost call on a thread does this; a nested call joins the running transaction.
 */
public final class TransactionRunner {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionRunner.class);

    /** A route to a database: the primary, or the read replica. */
    public record Route(String name, DataSource dataSource, CircuitBreaker breaker) {
    }

    private final JeexDbConfig config;
    private final Route primary;
    private final Route replica;
    private final Retry retry;
    private final ErrorTranslator translator;
    private final TransactionMetrics metrics;
    private final Configuration jooq;
    private final StatementObserver observer;
    private final ThreadLocal<TransactionImpl> current = new ThreadLocal<>();

    /**
     * @param config the configuration (retry and timeout settings)
     * @param primary the primary route
     * @param replica the replica route, or null
     * @param retry the retry, from {@link #retryConfig(JeexDbConfig)}
     * @param translator translates final failures
     * @param metrics the metrics seam
     * @param jooq the jOOQ configuration (dialect, settings) that transactions derive from
     * @param observer sees the statements run with plain JDBC ({@link Jdbc})
     */
    public TransactionRunner(JeexDbConfig config, Route primary, Route replica, Retry retry,
                             ErrorTranslator translator, TransactionMetrics metrics, Configuration jooq,
                             StatementObserver observer) {
        this.config = requireNonNull(config, "config");
        this.primary = requireNonNull(primary, "primary");
        this.replica = replica;
        this.retry = requireNonNull(retry, "retry");
        this.translator = requireNonNull(translator, "translator");
        this.metrics = requireNonNull(metrics, "metrics");
        this.jooq = requireNonNull(jooq, "jooq");
        this.observer = requireNonNull(observer, "observer");
    }

    /**
     * The retry configuration: at most {@link JeexDbConfig#retryMaxAttempts()} attempts,
     * retrying only failures that the runner marked retryable, waiting what the runner chose.
     *
     * @param config the configuration
     * @return the Resilience4j retry configuration
     */
    public static RetryConfig retryConfig(JeexDbConfig config) {
        return RetryConfig.custom()
                .maxAttempts(config.retryMaxAttempts())
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

    /**
     * Runs the work in a transaction, or in the running one when called inside a transaction.
     *
     * @param <T> the result type
     * @param options the options
     * @param work the work
     * @return the work's result after commit
     */
    public <T> T run(TxOptions options, TransactionWork<T> work) {
        TransactionImpl outer = current.get();
        if (outer != null) {
            return join(outer, options, work);
        }
        Route route = options.readOnly() && replica != null ? replica : primary;
        long start = System.nanoTime();
        Backoff backoff = new Backoff(config, start);
        AtomicInteger attempts = new AtomicInteger();
        CheckedSupplier<T> attempt = () -> attempt(route, options, work, attempts.incrementAndGet());
        CheckedSupplier<T> guarded = CircuitBreaker.decorateCheckedSupplier(route.breaker(), attempt);
        CheckedSupplier<T> classified = () -> {
            try {
                return guarded.get();
            } catch (Throwable t) {
                throw decide(t, route, options, backoff, attempts.get());
            }
        };
        try {
            T result = Retry.decorateCheckedSupplier(retry, classified).get();
            metrics.committed(options.name(), attempts.get(), System.nanoTime() - start);
            return result;
        } catch (Throwable t) {
            int made = Math.max(1, attempts.get());
            Outcome outcome = finalFailure(t, made, route, options);
            metrics.record(options.name(), outcome.tag.equals(TransactionMetrics.WORK_EXCEPTION)
                    ? TransactionMetrics.ROLLED_BACK : TransactionMetrics.FAILED, outcome.tag, made,
                    System.nanoTime() - start);
            if (outcome.exception() != null) {
                throw outcome.exception();
            }
            throw (Error) outcome.error();
        }
    }

    private <T> T join(TransactionImpl outer, TxOptions options, TransactionWork<T> work) {
        TxOptions running = outer.options();
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
            return work.execute(outer);
        } catch (Exception e) {
            throw nestedFailure(outer, e);
        }
    }

    /**
     * What a nested call throws to the outer work: a database error translated (so the outer
     * work can catch {@code UniqueViolationException} around a repository call), and recorded as
     * the outer transaction's failure; anything else as it is (a checked exception wrapped, and
     * unwrapped again at the end).
     */
    private RuntimeException nestedFailure(TransactionImpl outer, Exception e) {
        if (e instanceof JeexDbException j) {
            return j;
        }
        if (SqlStates.classify(e) == Category.NOT_SQL) {
            return e instanceof RuntimeException re ? re : new NestedCheckedFailure(e);
        }
        outer.statementFailed(e);
        RuntimeException translated = translator.translate(e, outer.attempt(), outer.options().name(), false);
        outer.translated(translated, e);
        return translated;
    }

    private <T> T attempt(Route route, TxOptions options, TransactionWork<T> work, int attempt) {
        Connection connection;
        try {
            connection = route.dataSource().getConnection();
        } catch (SQLException | RuntimeException e) {
            throw new AttemptFailure(e, Phase.CONNECT, false);
        }
        boolean autoCommit = options.autoCommits() || LibraryReads.isLibraryRead(options);
        // Behind PgBouncer the start-up statement_timeout does not reach the server, and
        // single-statement work has no transaction to SET LOCAL it in: the driver's query timeout
        // (a cancel request, in whole seconds) stands in for it.
        int queryTimeout = autoCommit && config.pgBouncer() ? queryTimeoutSeconds(config.statementTimeout()) : 0;
        TransactionImpl tx = new TransactionImpl(connection, options, attempt, jooq, autoCommit, observer,
                queryTimeout);
        Phase phase = Phase.BEGIN;
        try {
            if (!autoCommit) {
                connection.setAutoCommit(false);
                begin(connection, options);
            }
            phase = Phase.WORK;
            T result;
            current.set(tx);
            try {
                result = work.execute(tx);
            } finally {
                current.remove();
            }
            if (!autoCommit) {
                if (tx.aborted()) {
                    // COMMIT would answer ROLLBACK without an error: the work caught a failure.
                    throw translator.aborted(tx.failure(), attempt, options.name());
                }
                phase = Phase.COMMIT;
                connection.commit();
            }
            return result;
        } catch (Throwable thrown) {
            Throwable e = tx.untranslated(thrown);
            if (!autoCommit && tx.failure() != null && "25P02".equals(SqlStates.sqlState(e))) {
                // "current transaction is aborted": the work went on after catching a failure,
                // which is the real error.
                e = translator.aborted(tx.failure(), attempt, options.name());
            }
            if (autoCommit) {
                // In auto-commit mode the statement commits as it runs: a failure once it was sent
                // has the uncertainty of a failure during COMMIT.
                throw new AttemptFailure(e, tx.statementStarted() ? Phase.COMMIT : phase, tx.workMayHaveRun());
            }
            rollbackQuietly(connection);
            throw new AttemptFailure(e, phase, tx.workMayHaveRun());
        } finally {
            closeQuietly(connection);
        }
    }

    /**
     * Begins the transaction: with auto-commit off, pgjdbc sends BEGIN together with this first
     * statement, so every setting below is inside the transaction and ends with it. Nothing is
     * set on the session (no {@code Connection.setTransactionIsolation}, which pgjdbc sends as
     * session characteristics), so nothing leaks to the next borrower or through PgBouncer.
     */
    private void begin(Connection connection, TxOptions options) throws SQLException {
        StringBuilder sql = new StringBuilder();
        if (options.isolation() != IsolationLevel.READ_COMMITTED || options.readOnly()) {
            sql.append("SET TRANSACTION ISOLATION LEVEL ").append(options.isolation().sql())
                    .append(options.readOnly() ? " READ ONLY" : " READ WRITE");
        }
        // Without PgBouncer every connection starts with the configured statement_timeout (a
        // start-up parameter), so only a transaction's own timeout needs a statement. Behind
        // PgBouncer start-up parameters do not reach the server: every transaction sets it.
        Duration timeout = options.timeout() != null ? options.timeout() : config.statementTimeout();
        if (options.timeout() != null || (config.pgBouncer() && !timeout.isZero())) {
            separate(sql).append("SET LOCAL statement_timeout = ").append(timeout.toMillis());
        }
        if (options.actingUserId() != null) {
            // A UUID's text is hex digits and dashes: safe to inline.
            separate(sql).append("SELECT set_config('jeex.acting_user_id', '").append(options.actingUserId())
                    .append("', true)");
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

    private Throwable decide(Throwable t, Route route, TxOptions options, Backoff backoff, int attempt) {
        if (!(t instanceof AttemptFailure f)) {
            return t; // CallNotPermittedException: the breaker is open; never retried
        }
        if (!retryable(f, options)) {
            return f;
        }
        if (attempt >= config.retryMaxAttempts()) {
            return f;
        }
        long wait = backoff.nextWaitMillis(attempt);
        if (!backoff.allows(wait)) {
            LOG.debug("{}: transaction '{}' attempt {} failed ({}); not retried, the retry deadline ({}) would pass",
                    route.name(), options.name(), attempt, f.category().tag(), Durations.ms(config.retryDeadline()));
            return f;
        }
        if (f.category().isContention()) {
            LOG.debug("{}: transaction '{}' attempt {} failed with SQLSTATE {}; retrying in {} ms",
                    route.name(), options.name(), attempt, SqlStates.sqlState(f.getCause()), wait);
        } else {
            LOG.info("{}: transaction '{}' attempt {} failed ({}, SQLSTATE {}, in {}); retrying in {} ms",
                    route.name(), options.name(), attempt, f.category().tag(), SqlStates.sqlState(f.getCause()),
                    f.phase().name().toLowerCase(java.util.Locale.ROOT), wait);
        }
        return new RetryableFailure(f, wait);
    }

    private boolean retryable(AttemptFailure f, TxOptions options) {
        return switch (f.category()) {
            case SERIALIZATION_FAILURE, DEADLOCK -> true;
            case LOCK_NOT_AVAILABLE -> config.retryOnLockTimeout();
            // Lost during COMMIT: the outcome is unknown, so never repeat. Otherwise repeat only
            // what cannot have had an effect, or what the caller says may be repeated.
            // A read-only transaction has nothing to commit: repeating it is always safe.
            case CONNECTION_FAILURE, POOL_TIMEOUT -> options.readOnly()
                    || (f.phase() != Phase.COMMIT && (!f.workMayHaveRun() || options.idempotent()));
            default -> false;
        };
    }

    private record Outcome(RuntimeException exception, Throwable error, String tag) {
    }

    private Outcome finalFailure(Throwable t, int attempts, Route route, TxOptions options) {
        if (t instanceof RetryableFailure r) {
            t = r.failure();
        }
        if (t instanceof CallNotPermittedException open) {
            return new Outcome(new DatabaseUnavailableException("the database is unavailable: circuit breaker '"
                    + route.breaker().getName() + "' is " + route.breaker().getState() + " after repeated connection "
                    + "failures; calls fail fast for " + Durations.ms(config.breakerWaitInOpenState())
                    + " before trial calls are let through [transaction " + options.name()
                    + (attempts > 1 ? ", after " + attempts + " attempts" : "") + "]",
                    new ErrorContext(null, null, null, null, attempts), open), null, "circuit_open");
        }
        Throwable cause = t;
        boolean duringCommit = false;
        if (t instanceof AttemptFailure f) {
            cause = f.getCause();
            duringCommit = f.phase() == Phase.COMMIT && !options.readOnly();
        }
        if (cause instanceof NestedCheckedFailure nested) {
            cause = nested.getCause();
        }
        if (cause instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        RuntimeException translated = translator.translate(cause, attempts, options.name(), duringCommit);
        if (translated == null) {
            return new Outcome(cause instanceof RuntimeException re ? re : null, cause, TransactionMetrics.WORK_EXCEPTION);
        }
        String tag = translated instanceof JeexDbException && !(cause instanceof JeexDbException)
                ? SqlStates.classify(cause).tag() : TransactionMetrics.WORK_EXCEPTION;
        if (cause instanceof TransactionAbortedException) {
            tag = TransactionMetrics.TRANSACTION_ABORTED;
        }
        if (duringCommit && SqlStates.classify(cause) == Category.CONNECTION_FAILURE) {
            tag = "outcome_unknown";
        }
        return new Outcome(translated, cause, tag);
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
}

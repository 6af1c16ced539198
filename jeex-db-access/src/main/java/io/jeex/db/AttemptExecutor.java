package io.jeex.db;

import io.jeex.db.tx.IsolationLevel;
import io.jeex.db.tx.TransactionWork;
import io.jeex.db.tx.TxOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one attempt of a transaction on a route: borrows the connection (failing at once when the
 * server cannot be reached, see {@link Acquirer}), begins the transaction with its options as the
 * first statement ({@code SET TRANSACTION ...; SET LOCAL ...}), runs the work and commits, or leaves
 * single-statement work auto-committed. Whatever goes wrong becomes an {@link AttemptFailure} that
 * says what it was ({@link Category}: by where it came from, the pool, the driver, the server or the
 * work itself) and where the attempt was ({@link Phase}, {@link RetryPolicy.Stage}); whether to run
 * again is the {@link TransactionRunner}'s decision.
 */
final class AttemptExecutor {

    private static final Logger LOG = LoggerFactory.getLogger(AttemptExecutor.class);

    private final PoolConfig pool;
    private final ReplicaReads replicaReads;
    private final Lifecycle lifecycle;
    private final ThreadLocal<TransactionImpl> current;
    /** Whether the system route's role was found to bypass row-level security (checked once). */
    private volatile boolean systemRoleChecked;

    /**
     * @param pool the pool settings (PgBouncer, the statement timeout)
     * @param replicaReads records the primary's WAL position after writes, or null without a replica
     * @param lifecycle open or closing, and the work in flight
     * @param current the runner's transaction of each thread, set while the work runs
     */
    AttemptExecutor(PoolConfig pool, ReplicaReads replicaReads, Lifecycle lifecycle,
                    ThreadLocal<TransactionImpl> current) {
        this.pool = pool;
        this.replicaReads = replicaReads;
        this.lifecycle = lifecycle;
        this.current = current;
    }

    /**
     * Runs one attempt.
     *
     * @param <T> the result type
     * @param route where it runs
     * @param options the transaction's options
     * @param mode who wrote the work
     * @param work the work
     * @param number the attempt's number, from 1
     * @param call the state of the whole call
     * @return the work's result, committed
     * @throws AttemptFailure for any failure, with where it happened
     */
    <T> T run(Route route, TxOptions options, RetryPolicy.Mode mode, TransactionWork<T> work,
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
        int queryTimeout = autoCommit && (pool.pgBouncer() || route.system())
                ? queryTimeoutSeconds(pool.statementTimeout()) : 0;
        TransactionImpl tx = new TransactionImpl(connection, options, number, route.jooq(), autoCommit,
                route.observer(), queryTimeout, call);
        int slot = lifecycle.started(tx);
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
            // a system-mode write (an operator's rename or erasure) is this instance's write too:
            // its connection reaches the same primary, so its position counts for read-your-writes
            if (replicaReads != null && !route.replica() && !options.readOnly() && replicaReads.tracksWrites()) {
                if (!tx.autoCommit()) {
                    connection.setAutoCommit(true);
                }
                replicaReads.committed(connection);
            }
            return result;
        } catch (Throwable thrown) {
            AttemptFailure f = failed(thrown, tx, phase, tx.autoCommit(), connection);
            if (f.category() == Category.NOT_PRIMARY && route.acquirer() instanceof Acquirer pooled) {
                evictAll(pooled, connection, route);
            }
            throw f;
        } finally {
            lifecycle.ended(tx, slot);
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
        if (category == Category.NOT_PRIMARY && tx.options().readOnly()) {
            category = Category.OTHER_SQL; // by origin: the work's own write in its read-only transaction
        }
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
     * After a write reached a standby: this connection and every other of the pool go (idle ones
     * now, borrowed ones when returned), so the next attempt opens a new connection, which a
     * multi-host URL sends to the server that is the primary now.
     */
    private static void evictAll(Acquirer pooled, Connection connection, Route route) {
        try {
            pooled.pool().evictConnection(connection);
            var mx = pooled.pool().getHikariPoolMXBean();
            if (mx != null) {
                mx.softEvictConnections();
            }
            LOG.warn("{}: a write reached a server that is not the primary (SQLSTATE 25006): the pool's connections "
                    + "are replaced", route.name());
        } catch (RuntimeException e) {
            // the pool is closing: nothing to replace
        }
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
        Duration timeout = options.timeout() != null ? options.timeout() : pool.statementTimeout();
        if (options.timeout() != null || ((pool.pgBouncer() || route.system()) && !timeout.isZero())) {
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
    static int queryTimeoutSeconds(Duration timeout) {
        long ms = timeout.toMillis();
        return ms == 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, Math.max(1, (ms + 999) / 1000));
    }

    private static StringBuilder separate(StringBuilder sql) {
        return sql.length() == 0 ? sql : sql.append(";\n");
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

    /** PostgreSQL aborted the transaction at a statement whose error the work caught; the cause is that error. */
    private static final class Aborted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Aborted(Throwable failure) {
            super("aborted", failure, false, false);
        }
    }
}

package io.jeex.db.internal.tx;

import io.jeex.db.internal.error.SqlStates;
import io.jeex.db.tx.Transaction;
import io.jeex.db.tx.TxOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.IdentityHashMap;
import java.util.Map;
import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConnectionProvider;
import org.jooq.impl.DefaultExecuteListenerProvider;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/**
 * One attempt's transaction. Records whether a statement of the work may have run: every
 * statement that completed through {@link #dsl()} counts, and handing out the raw connection
 * counts as "may have run". A statement that failed (for example because the connection died)
 * does not count: it returned nothing the work could have acted on, and its transaction was
 * never committed.
 *
 * <p>Also records the first statement that failed with a database error, seen through
 * {@link #dsl()}, {@link #run} or a nested call: PostgreSQL aborts the transaction there, and
 * the runner must not report work that caught that failure as committed.
 */
final class TransactionImpl implements Transaction {

    private final Connection connection;
    private final TxOptions options;
    private final int attempt;
    private final Configuration base;
    private final boolean autoCommit;
    private final StatementObserver observer;
    private final int queryTimeoutSeconds;
    private DSLContext dsl;
    private Throwable failure;
    private Map<Throwable, Throwable> translations;
    private int started;
    private int statements;
    private boolean connectionHandedOut;

    TransactionImpl(Connection connection, TxOptions options, int attempt, Configuration base, boolean autoCommit,
                    StatementObserver observer, int queryTimeoutSeconds) {
        this.connection = connection;
        this.options = options;
        this.attempt = attempt;
        this.base = base;
        this.autoCommit = autoCommit;
        this.observer = observer;
        this.queryTimeoutSeconds = queryTimeoutSeconds;
    }

    /** Runs one statement with plain JDBC, counted and observed like a jOOQ statement. */
    <T> T run(String sql, JdbcStatement<T> statement) throws SQLException {
        beforeStatement();
        long start = System.nanoTime();
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            if (queryTimeoutSeconds > 0) {
                ps.setQueryTimeout(queryTimeoutSeconds);
            }
            T result = statement.run(ps);
            statements++;
            observer.statement(sql, System.nanoTime() - start, null);
            return result;
        } catch (SQLException | RuntimeException e) {
            observer.statement(sql, System.nanoTime() - start, e);
            statementFailed(e);
            throw e;
        }
    }

    private void beforeStatement() {
        if (autoCommit && started > 0) {
            throw new IllegalStateException("work '" + options.name() + "' is marked singleStatement but runs a "
                    + "second statement, which would commit separately; remove withSingleStatement(true)");
        }
        started++;
    }

    @Override
    public DSLContext dsl() {
        if (dsl == null) {
            Configuration configuration = base.derive(new DefaultConnectionProvider(connection));
            if (queryTimeoutSeconds > 0) {
                configuration.set(((Settings) base.settings().clone()).withQueryTimeout(queryTimeoutSeconds));
            }
            // The base configuration's listeners (query metrics, slow-query log) first, then the counter.
            org.jooq.ExecuteListenerProvider[] inherited = base.executeListenerProviders();
            org.jooq.ExecuteListenerProvider[] providers = java.util.Arrays.copyOf(inherited, inherited.length + 1);
            providers[inherited.length] = new DefaultExecuteListenerProvider(new Counter());
            configuration.set(providers);
            dsl = DSL.using(configuration);
        }
        return dsl;
    }

    /** Counts the work's statements; in auto-commit mode, refuses a second one. */
    private final class Counter implements ExecuteListener {
        private static final long serialVersionUID = 1L;

        @Override
        public void executeStart(ExecuteContext ctx) {
            beforeStatement();
        }

        @Override
        public void executeEnd(ExecuteContext ctx) {
            statements++;
        }

        @Override
        public void exception(ExecuteContext ctx) {
            statementFailed(ctx.sqlException() != null ? ctx.sqlException() : ctx.exception());
        }
    }

    /** Remembers the first statement that failed with a database error (it aborted the transaction). */
    void statementFailed(Throwable e) {
        if (failure == null && e != null && SqlStates.sqlState(e) != null) {
            failure = e;
        }
    }

    /** @return the first database error of a statement of this transaction, or null */
    Throwable failure() {
        return failure;
    }

    /**
     * Whether PostgreSQL aborted this transaction, so that COMMIT would silently roll it back.
     * The driver's view of the transaction state (from the server's last ReadyForQuery) decides:
     * it also sees statements run on the raw connection, and a failure undone by rolling back to
     * a savepoint. Only if it cannot be read does a recorded failure decide.
     */
    boolean aborted() {
        try {
            return connection.unwrap(BaseConnection.class).getTransactionState() == TransactionState.FAILED;
        } catch (SQLException | RuntimeException e) {
            return failure != null;
        }
    }

    /** Remembers that a nested call translated {@code raw} into {@code translated}. */
    void translated(Throwable translated, Throwable raw) {
        if (translations == null) {
            translations = new IdentityHashMap<>();
        }
        translations.put(translated, raw);
    }

    /**
     * @return the untranslated failure behind {@code e} when a nested call translated it (the
     *     runner translates it again at the end, with the attempt count), else {@code e}
     */
    Throwable untranslated(Throwable e) {
        Throwable raw = translations == null ? null : translations.get(e);
        return raw != null ? raw : e;
    }

    @Override
    public Connection connection() {
        if (autoCommit) {
            throw new IllegalStateException("work '" + options.name() + "' is marked singleStatement, which runs it "
                    + "through dsl() only; remove withSingleStatement(true) to use the raw connection");
        }
        connectionHandedOut = true;
        return connection;
    }

    /** @return whether a statement of the work was sent (it may have committed in auto-commit mode) */
    boolean statementStarted() {
        return started > 0;
    }

    @Override
    public TxOptions options() {
        return options;
    }

    @Override
    public int attempt() {
        return attempt;
    }

    /** @return how many statements completed through {@link #dsl()} */
    int statements() {
        return statements;
    }

    /** @return whether a statement of the work may have run */
    boolean workMayHaveRun() {
        return statements > 0 || connectionHandedOut;
    }
}

package io.jeex.db;

import io.jeex.db.error.JeexDbException;
import io.jeex.db.error.WrongScopeException;
import io.jeex.db.tx.Transaction;
import io.jeex.db.tx.TxOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.conf.Settings;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConnectionProvider;
import org.jooq.impl.DefaultExecuteListenerProvider;
import org.postgresql.PGConnection;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/**
 * One attempt's transaction. Records whether a statement of the work may have run: every
 * statement that completed through {@link #dsl()} counts, and handing out the raw connection
 * counts as "may have run". A statement that failed (for example because the connection died)
 * does not count: it returned nothing the work could have acted on, and its transaction was
 * never committed.
 *
 * <p>Records, by identity, every failure that a statement of this transaction raised (through
 * {@link #dsl()}, {@link #run} or a nested call's translation): only those are the database's.
 * Anything else the work throws is the work's own, whatever its type or causes.
 *
 * <p>Also records the first statement that failed with a database error: PostgreSQL aborts the
 * transaction there, and the runner must not report work that caught that failure as committed.
 */
final class TransactionImpl implements Transaction {

    private final Connection connection;
    private final TxOptions options;
    private final int attempt;
    private final Configuration base;
    private boolean autoCommit;
    /** The user this transaction acts as: from its options, or taken from the first call that joined it. */
    private UUID actingUser;
    /** In auto-commit mode, the acting user still to be set with the work's statement (see {@link #query}). */
    private UUID pending;
    private final StatementObserver observer;
    private final int queryTimeoutSeconds;
    private final CallState call;
    private DSLContext dsl;
    private Throwable failure;
    private Map<Throwable, Throwable> translations;
    /** What the database raised in this transaction, by identity; made on the first failure (guarded by {@code this}). */
    private Set<Throwable> observed;
    private int started;
    private int statements;
    private boolean connectionHandedOut;
    private volatile boolean cancelled;
    private String restart;

    TransactionImpl(Connection connection, TxOptions options, int attempt, Configuration base, boolean autoCommit,
                    StatementObserver observer, int queryTimeoutSeconds, CallState call) {
        this.connection = connection;
        this.options = options;
        this.attempt = attempt;
        this.base = base;
        this.autoCommit = autoCommit;
        this.observer = observer;
        this.queryTimeoutSeconds = queryTimeoutSeconds;
        this.call = call;
        this.actingUser = options.actingUserId();
        this.pending = autoCommit ? actingUser : null;
    }

    /**
     * @param tx a transaction of this library
     * @return its implementation
     * @throws IllegalArgumentException if it is not one
     */
    static TransactionImpl of(Transaction tx) {
        if (tx instanceof TransactionImpl impl) {
            return impl;
        }
        throw new IllegalArgumentException("not a transaction of this library: " + tx);
    }

    /** Runs one statement with plain JDBC, counted and observed like a jOOQ statement. */
    <T> T run(String sql, JdbcStatement<T> statement) throws SQLException {
        if (pending != null) {
            beginForActingUser();
        }
        return execute(sql, sql, SqlShape.of(sql), statement);
    }

    /**
     * Runs one statement that returns rows. As the single statement of auto-committed work with
     * an acting user, it travels behind {@link ActingUser#prefix}: both statements go in one round
     * trip with one Sync, so PostgreSQL runs them in one implicit transaction, and the setting ends
     * with it.
     */
    <T> T query(String sql, int shape, Jdbc.Binder binder, Jdbc.Reader<T> reader) throws SQLException {
        UUID acting = pending;
        if (acting == null) {
            return execute(sql, sql, shape, ps -> {
                binder.bind(new Jdbc.Parameters(ps, 0));
                try (ResultSet rs = ps.executeQuery()) {
                    return reader.read(rs);
                }
            });
        }
        pending = null;
        return execute(ActingUser.PREFIX + sql, sql, shape, ps -> {
            ps.setString(1, acting.toString());
            binder.bind(new Jdbc.Parameters(ps, 1));
            ps.execute();       // the result of set_config(...)
            ps.getMoreResults(); // then the statement's
            try (ResultSet rs = ps.getResultSet()) {
                return reader.read(rs);
            }
        });
    }

    /**
     * Runs one statement that returns a row count (DML without RETURNING), carried like
     * {@link #query}: as the single statement of auto-committed work with an acting user, behind
     * {@link ActingUser#prefix} in the same round trip.
     */
    int update(String sql, int shape, Jdbc.Binder binder) throws SQLException {
        UUID acting = pending;
        if (acting == null) {
            return execute(sql, sql, shape, ps -> {
                binder.bind(new Jdbc.Parameters(ps, 0));
                return ps.executeUpdate();
            });
        }
        pending = null;
        return execute(ActingUser.PREFIX + sql, sql, shape, ps -> {
            ps.setString(1, acting.toString());
            binder.bind(new Jdbc.Parameters(ps, 1));
            ps.execute();       // the result of set_config(...)
            ps.getMoreResults(); // then the statement's count
            return ps.getUpdateCount();
        });
    }

    private <T> T execute(String sent, String sql, int shape, JdbcStatement<T> statement) throws SQLException {
        beforeStatement();
        Object token = observer.begin(sql, shape);
        long start = System.nanoTime();
        try (PreparedStatement ps = connection.prepareStatement(sent)) {
            if (queryTimeoutSeconds > 0) {
                ps.setQueryTimeout(queryTimeoutSeconds);
            }
            T result = statement.run(ps);
            statements++;
            observer.end(token, sql, shape, System.nanoTime() - start, null);
            return result;
        } catch (SQLException | RuntimeException e) {
            observer.end(token, sql, shape, System.nanoTime() - start, e);
            observe(e);
            statementFailed(e);
            throw e;
        }
    }

    /**
     * Auto-committed work with an acting user whose statement cannot carry it (jOOQ's, which reads
     * the first result of a statement, or {@link #run}): it becomes a transaction here, right
     * before that statement is sent, with the acting user set in it; the runner commits it.
     */
    private void beginForActingUser() {
        UUID acting = pending;
        pending = null;
        try {
            connection.setAutoCommit(false);
            autoCommit = false;
            try (Statement s = connection.createStatement()) {
                s.execute(ActingUser.setLocal(acting));
            }
        } catch (SQLException e) {
            observe(e);
            statementFailed(e);
            DataAccessException wrapped = new DataAccessException("setting the acting user failed", e);
            observe(wrapped);
            throw wrapped;
        }
    }

    /**
     * A call acting as {@code user} joins this transaction. A transaction acts as one user: the
     * one of its options, or else the first that a call joining it acts as (set now, for the rest
     * of the transaction).
     *
     * @param user the user the joining call acts as
     * @param call the joining call's name, for the message
     * @throws WrongScopeException if this transaction acts as another user
     * @throws SQLException if setting it failed
     */
    void actAs(UUID user, String call) throws SQLException {
        if (user.equals(actingUser)) {
            return;
        }
        if (actingUser != null) {
            throw new WrongScopeException("'" + call + "' acts as another user than the transaction '" + options.name()
                    + "' it joins: a transaction acts as one user only; run the other user's work in a transaction of "
                    + "its own, outside this one");
        }
        actingUser = user;
        if (autoCommit) {
            pending = user; // sent with the statement
            return;
        }
        try (Statement s = connection.createStatement()) {
            s.execute(ActingUser.setLocal(user));
        } catch (SQLException e) {
            observe(e);
            statementFailed(e);
            throw e;
        }
    }

    /** @return the user this transaction acts as, or null */
    UUID actingUser() {
        return actingUser;
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
            if (pending != null) {
                // as late as possible: the transaction opens right before the statement is sent
                beginForActingUser();
            }
        }

        @Override
        public void executeEnd(ExecuteContext ctx) {
            statements++;
        }

        @Override
        public void exception(ExecuteContext ctx) {
            // Only a failure of the driver or the server is the database's: jOOQ also passes on
            // what its listeners or the work's own code threw, which stays the work's.
            if (ctx.sqlException() != null) {
                observe(ctx.sqlException());
                observe(ctx.exception());
            }
            statementFailed(ctx.sqlException() != null ? ctx.sqlException() : ctx.exception());
        }
    }

    private void observe(Throwable e) {
        if (e != null) {
            synchronized (this) {
                if (observed == null) {
                    observed = Collections.newSetFromMap(new IdentityHashMap<>());
                }
                observed.add(e);
            }
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
        observe(raw);
    }

    /**
     * @return the untranslated failure behind {@code e} when a nested call translated it (the
     *     runner translates it again at the end, with the attempt count), else {@code e}
     */
    Throwable untranslated(Throwable e) {
        Throwable raw = translations == null ? null : translations.get(e);
        return raw != null ? raw : e;
    }

    /**
     * Whether a failure thrown out of the work came from the database: it is (by identity) what
     * a statement of this transaction raised, or, once the raw connection was handed out, a
     * {@link SQLException} with a SQLSTATE (the work used JDBC on this transaction's
     * connection). Everything else is the work's own.
     *
     * @param thrown what the work threw, untranslated
     * @return whether the database raised it
     */
    boolean fromDatabase(Throwable thrown) {
        synchronized (this) {
            if (observed != null && observed.contains(thrown)) {
                return true;
            }
        }
        return connectionHandedOut && thrown instanceof SQLException s && s.getSQLState() != null
                && !(thrown instanceof java.sql.SQLTransientConnectionException);
    }

    /**
     * The category of what ended this attempt, decided by origin first.
     *
     * @param thrown what was thrown, untranslated
     * @param phase where the attempt was
     * @param closing whether the handle is closing
     * @return the category
     */
    Category categorize(Throwable thrown, Phase phase, boolean closing) {
        if (cancelled) {
            return Category.CLOSED;
        }
        if (restart != null && phase == Phase.WORK) {
            return Category.SERIALIZATION_FAILURE;
        }
        boolean database = phase != Phase.WORK || fromDatabase(thrown);
        if (!database) {
            return Category.WORK_EXCEPTION;
        }
        if (closing && thrown instanceof SQLException && String.valueOf(thrown.getMessage()).contains("has been closed")) {
            return Category.CLOSED;
        }
        return SqlStates.classify(thrown);
    }

    /**
     * Asks the runner to roll this attempt back and run the call again, after waiting for the
     * given advisory lock outside any transaction: the library's own write found that the
     * transaction's snapshot predates a concurrent write it must see (see
     * {@link CallState#lockWaits()}).
     *
     * @param why what was found, for the final error if the call runs out of time
     * @param lockKey the text whose {@code hashtextextended} is the advisory lock to wait for
     */
    void restart(String why, String lockKey) {
        restart = why;
        call.waitForLock(lockKey);
    }

    /** @return why the library asked to run this call again, or null */
    String restartReason() {
        return restart;
    }

    /** Cancels the statement running on this transaction's connection (close() after its drain timeout). */
    void cancel() {
        cancelled = true;
        try {
            connection.unwrap(PGConnection.class).cancelQuery();
        } catch (SQLException | RuntimeException e) {
            // the connection is closed or broken: nothing runs on it
        }
    }

    /** @return whether closing cancelled this transaction */
    boolean cancelled() {
        return cancelled;
    }

    /** @return the state of the whole call, across attempts */
    CallState call() {
        return call;
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

    /** @return whether this attempt runs auto-committed */
    boolean autoCommit() {
        return autoCommit;
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

    /** @return whether {@code e} is a typed error a nested call made from a failure of this transaction */
    boolean translatedHere(Throwable e) {
        return e instanceof JeexDbException && translations != null && translations.containsKey(e);
    }
}

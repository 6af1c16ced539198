package io.jeex.db.tx;

import java.sql.Connection;
import org.jooq.DSLContext;

/**
 * A running transaction, handed to {@link TransactionWork}. Valid only during that call and
 * on its thread; the library begins, commits and rolls back, so the work must not.
 */
public interface Transaction {

    /**
     * Returns a jOOQ context bound to this transaction's connection. Statements that complete
     * through it are counted: a connection failure after the first of them is retried only for
     * {@link TxOptions#idempotent() idempotent} work. Statements throw jOOQ's
     * {@code DataAccessException}; the transaction translates the failure into a
     * {@link io.jeex.db.error.JeexDbException} when it ends. A failed statement aborts the
     * transaction (PostgreSQL refuses every later statement and turns COMMIT into ROLLBACK): if
     * the work catches the error and returns normally, the transaction is rolled back and the
     * caller gets a {@link io.jeex.db.error.TransactionAbortedException}.
     *
     * @return the context; do not call its {@code transaction(...)} methods
     */
    DSLContext dsl();

    /**
     * Returns the raw JDBC connection of this transaction, for what jOOQ cannot do. Once it was
     * handed out, the library assumes statements may have run: a later connection failure is
     * retried only for {@link TxOptions#idempotent() idempotent} work. Do not commit, roll back,
     * close it or change its auto-commit, isolation or read-only state.
     *
     * @return the connection
     */
    Connection connection();

    /** @return the options this transaction runs with (a nested call sees the outer's) */
    TxOptions options();

    /** @return which attempt this is: 1 for the first run, 2 for the first retry... */
    int attempt();
}

package io.jeex.db.internal.tx;

import io.jeex.db.tx.Transaction;
import java.sql.SQLException;

/**
 * Runs a statement of the library's own (repositories' hot paths) with plain JDBC inside a
 * managed transaction: counted like a jOOQ statement for the retry rules (and refused as a
 * second statement of single-statement work), observed for metrics and the slow-query log.
 * jOOQ stays the way the SQL is written; this only skips jOOQ's per-execution machinery, which
 * on a small machine costs about as much CPU as the database spends on a primary-key lookup.
 */
public final class Jdbc {

    private Jdbc() {
    }

    /**
     * @param <T> the result type
     * @param tx the running transaction
     * @param sql the SQL, with {@code ?} placeholders
     * @param statement binds, executes and reads
     * @return what {@code statement} returned
     * @throws SQLException from the driver (translated by the transaction runner)
     * @throws IllegalStateException if single-statement work runs a second statement
     */
    public static <T> T run(Transaction tx, String sql, JdbcStatement<T> statement) throws SQLException {
        return TransactionImpl.of(tx).run(sql, statement);
    }
}

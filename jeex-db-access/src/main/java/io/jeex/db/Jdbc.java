package io.jeex.db;

import io.jeex.db.tx.Transaction;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Runs a statement of the library's own (repositories' hot paths) with plain JDBC inside a
 * managed transaction: counted like a jOOQ statement for the retry rules (and refused as a
 * second statement of single-statement work), observed for metrics and the slow-query log.
 * jOOQ stays the way the SQL is written; this only skips jOOQ's per-execution machinery, which
 * on a small machine costs about as much CPU as the database spends on a primary-key lookup.
 */
final class Jdbc {

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

    /**
     * Runs a statement that returns rows (a SELECT, or DML with RETURNING), like
     * {@link #run(Transaction, String, JdbcStatement)}, and lets the library choose how it travels:
     * as the single statement of auto-committed work with an acting user, the acting user is set
     * in the same round trip ({@code SELECT set_config(...); <sql>}, one implicit transaction), so
     * row-level security costs no extra round trip.
     *
     * @param <T> the result type
     * @param tx the running transaction
     * @param sql the SQL, with {@code ?} placeholders; one statement
     * @param shape its operation and table ({@link SqlShape}), computed once by the caller
     * @param binder binds the values
     * @param reader reads the statement's rows
     * @return what {@code reader} returned
     * @throws SQLException from the driver (translated by the transaction runner)
     * @throws IllegalStateException if single-statement work runs a second statement
     */
    public static <T> T query(Transaction tx, String sql, int shape, Binder binder, Reader<T> reader)
            throws SQLException {
        return TransactionImpl.of(tx).query(sql, shape, binder, reader);
    }

    /**
     * Runs a statement that returns a row count (DML without RETURNING), carried like
     * {@link #query}: as the single statement of auto-committed work with an acting user, the
     * acting user travels in the same round trip.
     *
     * @param tx the running transaction
     * @param sql the SQL, with {@code ?} placeholders; one statement
     * @param shape its operation and table ({@link SqlShape}), computed once by the caller
     * @param binder binds the values
     * @return the statement's row count
     * @throws SQLException from the driver (translated by the transaction runner)
     * @throws IllegalStateException if single-statement work runs a second statement
     */
    public static int update(Transaction tx, String sql, int shape, Binder binder) throws SQLException {
        return TransactionImpl.of(tx).update(sql, shape, binder);
    }

    /** Binds the values of one execution. */
    @FunctionalInterface
    public interface Binder {
        /**
         * @param parameters the statement's parameters, numbered from 1 as in its SQL
         * @throws SQLException from the driver
         */
        void bind(Parameters parameters) throws SQLException;
    }

    /**
     * The parameters of one statement, numbered from 1 as in its SQL, whatever the library sends
     * before it in the same round trip (the acting user, which takes a parameter of its own, so
     * that the text of the whole stays the same for every user and its plan is prepared once).
     */
    public static final class Parameters {
        private final PreparedStatement statement;
        private final int offset;

        Parameters(PreparedStatement statement, int offset) {
            this.statement = statement;
            this.offset = offset;
        }

        /**
         * @param index the parameter's number in the statement's SQL, from 1
         * @param value its value
         * @throws SQLException from the driver
         */
        public void setObject(int index, Object value) throws SQLException {
            statement.setObject(index + offset, value);
        }

        /**
         * @param index the parameter's number in the statement's SQL, from 1
         * @param value its value
         * @throws SQLException from the driver
         */
        public void setString(int index, String value) throws SQLException {
            statement.setString(index + offset, value);
        }

        /**
         * @param index the parameter's number in the statement's SQL, from 1
         * @param type the SQL name of the elements' type, for example {@code text}
         * @param values the array's elements
         * @throws SQLException from the driver
         */
        public void setArray(int index, String type, Object[] values) throws SQLException {
            statement.setArray(index + offset, statement.getConnection().createArrayOf(type, values));
        }
    }

    /**
     * Reads the rows of one execution.
     *
     * @param <T> the result type
     */
    @FunctionalInterface
    public interface Reader<T> {
        /**
         * @param rows the statement's result, positioned before its first row
         * @return the result
         * @throws SQLException from the driver
         */
        T read(ResultSet rows) throws SQLException;
    }
}

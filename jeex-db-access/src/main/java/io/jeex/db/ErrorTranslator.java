package io.jeex.db;

import static java.util.Objects.requireNonNull;

import io.jeex.db.error.AuthenticationFailedException;
import io.jeex.db.error.CheckViolationException;
import io.jeex.db.error.ConstraintViolationException;
import io.jeex.db.error.DatabaseClosedException;
import io.jeex.db.error.DatabaseTimeoutException;
import io.jeex.db.error.DatabaseUnavailableException;
import io.jeex.db.error.ErrorContext;
import io.jeex.db.error.ForeignKeyViolationException;
import io.jeex.db.error.JeexDbException;
import io.jeex.db.error.NotNullViolationException;
import io.jeex.db.error.OutcomeUnknownException;
import io.jeex.db.error.PermissionDeniedException;
import io.jeex.db.error.SerializationFailureException;
import io.jeex.db.error.TransactionAbortedException;
import io.jeex.db.error.TransactionWorkException;
import io.jeex.db.error.UncategorizedDatabaseException;
import io.jeex.db.error.UniqueViolationException;
import io.jeex.db.schema.JdbcUrlMask;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Turns a failure into the typed error the caller sees. PostgreSQL's DETAIL (row values, often
 * personal data) and the text of data errors (class 22, which echo the rejected value) enter
 * the printed error, its causes included, only when {@code includeErrorDetail} is set: the
 * driver leaves DETAIL out of its messages ({@code logServerErrorDetail=false}), and a data
 * error's cause chain (whose driver and jOOQ messages hold the value) is replaced by one
 * {@link SQLException} with the SQLSTATE, the original's stack trace and no server text.
 */
final class ErrorTranslator {

    private final boolean includeDetail;

    /**
     * @param includeDetail whether messages may hold PostgreSQL's DETAIL and rejected values
     */
    public ErrorTranslator(boolean includeDetail) {
        this.includeDetail = includeDetail;
    }

    /**
     * Translates a failure that came from the database (the pool, the driver or the server),
     * classified by its SQLSTATEs.
     *
     * @param failure what was thrown
     * @param attempts how many attempts were made
     * @param txName the transaction's name, for the message
     * @return the typed error; a {@link JeexDbException} is returned unchanged
     */
    public JeexDbException translate(Throwable failure, int attempts, String txName) {
        requireNonNull(failure, "failure");
        if (failure instanceof JeexDbException j) {
            return j;
        }
        return translate(failure, SqlStates.classify(failure), attempts, txName, false);
    }

    /**
     * Translates the final failure of a transaction (or of a statement outside one) whose
     * category was decided by its origin. Never fails for a chain without SQLSTATE, with cycles,
     * or with nulls in it.
     *
     * @param failure what was thrown
     * @param category its category; {@link Category#WORK_EXCEPTION} wraps the failure in
     *     {@link TransactionWorkException}
     * @param attempts how many attempts were made
     * @param txName the transaction's name, for the message
     * @param outcomeUnknown whether the transaction may have committed (a connection lost during
     *     COMMIT, or while an auto-committed statement ran)
     * @return the typed error; a {@link JeexDbException} of a database category is returned unchanged
     */
    public JeexDbException translate(Throwable failure, Category category, int attempts, String txName,
                                     boolean outcomeUnknown) {
        requireNonNull(failure, "failure");
        requireNonNull(category, "category");
        int tries = Math.max(1, attempts);
        if (category == Category.WORK_EXCEPTION) {
            return new TransactionWorkException("transaction '" + txName + "' failed: its work threw "
                    + failure.getClass().getName(), new ErrorContext(null, null, null, null, tries), failure);
        }
        if (category == Category.CLOSED) {
            return failure instanceof DatabaseClosedException closed ? closed
                    : new DatabaseClosedException("the database handle was closed while transaction '" + txName
                    + "' ran; it was stopped and not committed", new ErrorContext(null, null, null, null, tries),
                    failure);
        }
        if (failure instanceof JeexDbException j && !(outcomeUnknown && category == Category.CONNECTION_FAILURE)) {
            return j;
        }
        ServerErrorMessage server = SqlStates.serverError(failure);
        String state = SqlStates.sqlState(failure);
        String constraint = server == null ? null : PartitionNames.constraint(server.getConstraint());
        String table = server == null ? null : PartitionNames.table(server.getTable());
        String column = server == null ? null : server.getColumn();
        ErrorContext context = new ErrorContext(state, constraint, table, column, tries);
        if (outcomeUnknown && category == Category.CONNECTION_FAILURE) {
            return new OutcomeUnknownException(message("the connection was lost while committing: the transaction "
                    + "may or may not have been committed; check before repeating it", context, txName, null), context, failure);
        }
        boolean dataError = state != null && state.startsWith("22");
        if (dataError && !includeDetail) {
            failure = withheld(failure, state);
        }
        String detail = includeDetail && server != null ? server.getDetail() : null;
        String sentence = ConstraintMessages.sentence(constraint);
        return switch (category) {
            case UNIQUE_VIOLATION -> new UniqueViolationException(message(or(sentence,
                    "a row with the same unique key already exists"), context, txName, detail), context, failure);
            case FOREIGN_KEY_VIOLATION -> new ForeignKeyViolationException(message(or(sentence,
                    "a row refers to a row that does not exist, or is still referred to"), context, txName, detail),
                    context, failure);
            case CHECK_VIOLATION -> new CheckViolationException(message(or(sentence,
                    "a value breaks a check constraint"), context, txName, detail), context, failure);
            case NOT_NULL_VIOLATION -> new NotNullViolationException(message((table != null ? table + "." : "")
                    + (column != null ? column : "a column") + " must have a value", context, txName, detail),
                    context, failure);
            case OTHER_CONSTRAINT_VIOLATION -> new ConstraintViolationException(message(or(sentence,
                    "a constraint was violated"), context, txName, detail), context, failure);
            case SERIALIZATION_FAILURE, DEADLOCK -> new SerializationFailureException(message(
                    (category == Category.DEADLOCK ? "the transaction was chosen as the victim of a deadlock"
                            : "the transaction lost a race with a concurrent one (serialization failure)")
                            + " and was rolled back", context, txName, null), context, failure);
            case LOCK_NOT_AVAILABLE -> new DatabaseTimeoutException(message("a row or table lock could not be "
                    + "taken in time (lock_timeout or NOWAIT)", context, txName, null), context, failure);
            case STATEMENT_TIMEOUT -> new DatabaseTimeoutException(message("a statement was cancelled: it ran longer "
                    + "than the statement timeout, or was cancelled", context, txName, null), context, failure);
            case POOL_TIMEOUT -> new DatabaseTimeoutException(message("no pooled connection became free within the "
                    + "acquire timeout: " + clientMessage(failure), context, txName, null), context, failure);
            case NOT_PRIMARY -> new DatabaseUnavailableException(message("the server is not the primary: it refused "
                    + "a write as a standby does (read_only_sql_transaction); JEEX_DB_URL must reach the primary: point "
                    + "it at the primary, or list every host in a multi-host URL (jdbc:postgresql://host1:5432,"
                    + "host2:5432/jeex), for which the library asks for targetServerType=primary", context, txName,
                    null), context, failure);
            case CONNECTION_FAILURE -> new DatabaseUnavailableException(message("the database is unavailable: "
                    + clientMessage(failure), context, txName, null), context, failure);
            case AUTHENTICATION_FAILED -> new AuthenticationFailedException(message("the database refused the login: "
                    + clientMessage(failure) + "; check the user and password (JEEX_DB_USER, JEEX_DB_PASSWORD or "
                    + "JEEX_DB_PASSWORD_FILE) and the server's pg_hba.conf", context, txName, null), context, failure);
            case ROW_SECURITY -> new io.jeex.db.error.RowSecurityException(message(rowSecuritySentence(server, failure),
                    context, txName, null), context, failure);
            case PERMISSION_DENIED -> new PermissionDeniedException(message("the database role lacks a privilege: "
                    + serverText(server, failure), context, txName, null), context, failure);
            default -> new UncategorizedDatabaseException(message(otherSentence(state, server, failure), context,
                    txName, detail), context, failure);
        };
    }

    /**
     * The error of a transaction that PostgreSQL aborted at a failed statement while its work
     * went on (it caught that statement's error) and returned normally: it was rolled back.
     *
     * @param failure the failed statement's error, or null when the library did not see it
     *     (a statement on the raw connection)
     * @param attempts how many attempts were made
     * @param txName the transaction's name, for the message
     * @return the typed error, with the translated failure as its cause
     */
    public TransactionAbortedException aborted(Throwable failure, int attempts, String txName) {
        RuntimeException cause = failure == null ? null : translate(failure, attempts, txName);
        ErrorContext context = cause instanceof JeexDbException j
                ? new ErrorContext(j.sqlState(), j.constraint(), j.table(), j.column(), attempts)
                : new ErrorContext(null, null, null, null, attempts);
        String what = cause instanceof JeexDbException && context.sqlState() != null
                ? "a statement failed (" + SqlStates.classify(failure).tag().replace('_', ' ') + ")"
                : "a statement failed";
        return new TransactionAbortedException(message("the transaction was rolled back, not committed: " + what
                + " and the work went on and returned normally; PostgreSQL aborts a transaction at its first failed "
                + "statement, so nothing of it was stored. Let the error leave the work, or avoid it in SQL "
                + "(for example ON CONFLICT), or undo it with a savepoint", context, txName, null), context, cause);
    }

    /**
     * A failure as it may be shown outside the caller's error (on a trace's span): unchanged,
     * except a data error (SQLSTATE class 22, whose server text quotes the rejected value) without
     * {@code includeErrorDetail}, which is replaced by the same stand-in the caller's error holds as
     * its cause: the SQLSTATE, the original's class and stack trace, no server text.
     *
     * @param failure what was thrown
     * @param includeDetail whether rejected values may be shown
     * @return the failure, or its stand-in
     */
    static Throwable shown(Throwable failure, boolean includeDetail) {
        if (includeDetail || failure instanceof JeexDbException) {
            return failure;
        }
        String state = SqlStates.sqlState(failure);
        return state != null && state.startsWith("22") ? withheld(failure, state) : failure;
    }

    /** A stand-in for a data error's cause chain: the SQLSTATE and where it was thrown, not the value. */
    private static SQLException withheld(Throwable failure, String state) {
        SQLException original = SqlStates.find(failure, SQLException.class);
        Throwable source = original != null ? original : failure;
        SQLException e = new SQLException("ERROR: the server's text of this data exception is withheld because it "
                + "echoes the rejected value; set includeErrorDetail to see it (" + source.getClass().getName()
                + ", SQLSTATE " + state + ")", state, original != null ? original.getErrorCode() : 0);
        e.setStackTrace(source.getStackTrace());
        return e;
    }

    /**
     * What a policy refused, and the usual cause. The server's text names the table only (never a
     * value): "new row violates row-level security policy for table ...", or with row_security
     * off "query would be affected by row-level security policy for table ...".
     */
    private static String rowSecuritySentence(ServerErrorMessage server, Throwable failure) {
        String text = serverText(server, failure);
        if (server != null && "check_enable_rls".equals(server.getRoutine())) {
            return "row-level security cannot be switched off for this role: " + text + "; leave row_security on";
        }
        return "a row-level security policy refused the row: it would not belong to the acting user of the "
                + "transaction (another user's project or row, or no acting user): " + text;
    }

    private String otherSentence(String state, ServerErrorMessage server, Throwable failure) {
        if (state != null && state.startsWith("22") && !includeDetail) {
            return "the database rejected a value (data exception); the value is not shown, set includeErrorDetail "
                    + "to see it";
        }
        return "the database rejected the statement: " + serverText(server, failure);
    }

    private static String serverText(ServerErrorMessage server, Throwable failure) {
        return server != null && server.getMessage() != null ? server.getMessage() : clientMessage(failure);
    }

    /**
     * The driver's or pool's own message (host and port, pool counters; no row values). When the
     * pool gave up waiting, HikariCP's message only counts connections; the reason no connection
     * could be opened (TLS, pg_hba.conf, authentication) is its cause, which is appended.
     */
    private static String clientMessage(Throwable failure) {
        SQLException e = SqlStates.find(failure, SQLException.class);
        Throwable t = e != null ? e : failure;
        String text = t.getMessage() != null ? JdbcUrlMask.mask(t.getMessage()) : t.getClass().getName();
        Throwable cause = t.getCause();
        if (t instanceof SQLTransientConnectionException && cause != null && cause != t && cause.getMessage() != null
                && !text.contains(cause.getMessage())) {
            text += "; the last attempt to connect failed: " + JdbcUrlMask.mask(cause.getMessage());
        }
        return text;
    }

    private static String or(String sentence, String fallback) {
        return sentence != null ? sentence : fallback;
    }

    private static String message(String sentence, ErrorContext c, String txName, String detail) {
        java.util.StringJoiner facts = new java.util.StringJoiner(", ", " [", "]");
        if (c.sqlState() != null) {
            facts.add("SQLSTATE " + c.sqlState());
        }
        if (c.constraint() != null) {
            facts.add("constraint " + c.constraint());
        }
        if (c.table() != null) {
            facts.add("table " + c.table());
        }
        if (c.column() != null) {
            facts.add("column " + c.column());
        }
        facts.add("transaction " + txName);
        if (c.attempts() > 1) {
            facts.add("after " + c.attempts() + " attempts");
        }
        return sentence + facts + (detail != null ? " DETAIL: " + detail : "");
    }
}

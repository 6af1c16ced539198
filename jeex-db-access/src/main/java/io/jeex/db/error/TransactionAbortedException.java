package io.jeex.db.error;

/**
 * A statement of the transaction failed, the work caught that failure and returned normally,
 * and the transaction was therefore rolled back instead of committed. PostgreSQL aborts a
 * transaction at its first failed statement: every later statement is refused and COMMIT
 * silently becomes ROLLBACK, so nothing the work did is stored. The cause is the failed
 * statement's own (translated) error when the library saw it, for example a
 * {@link UniqueViolationException}; {@link #sqlState()} and the other context are taken from it.
 *
 * <p>To go on after an expected failure inside one transaction, let the exception leave the
 * work (and run the next step in a new transaction), or avoid the failure in SQL
 * ({@code INSERT ... ON CONFLICT DO NOTHING}), or use a savepoint on the raw connection.
 */
public class TransactionAbortedException extends JeexDbException {

    /**
     * Creates an exception.
     *
     * @param message what went wrong, in words a person understands
     * @param context SQLSTATE, constraint, table of the failed statement, and attempts
     * @param cause the failed statement's error, or null when it was not seen
     * @throws NullPointerException if {@code message} or {@code context} is null
     */
    public TransactionAbortedException(String message, ErrorContext context, Throwable cause) {
        super(message, context, cause);
    }
}

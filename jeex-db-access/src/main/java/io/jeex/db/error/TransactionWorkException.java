package io.jeex.db.error;

/**
 * The work of a transaction threw a checked exception that is not a database error; it is the cause. The transaction was rolled back and not retried.
 */
public class TransactionWorkException extends JeexDbException {

    /**
     * Creates an exception.
     *
     * @param message what went wrong, in words a person understands
     * @param context SQLSTATE, constraint, table, attempts
     * @param cause the underlying exception, or null
     * @throws NullPointerException if {@code message} or {@code context} is null
     */
    public TransactionWorkException(String message, ErrorContext context, Throwable cause) {
        super(message, context, cause);
    }
}

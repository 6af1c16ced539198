package io.jeex.db.error;

/**
 * A database error of no other category, for example a syntax error or invalid input; {@link #sqlState()} says which.
 */
public class UncategorizedDatabaseException extends JeexDbException {

    /**
     * Creates an exception.
     *
     * @param message what went wrong, in words a person understands
     * @param context SQLSTATE, constraint, table, attempts
     * @param cause the underlying exception, or null
     * @throws NullPointerException if {@code message} or {@code context} is null
     */
    public UncategorizedDatabaseException(String message, ErrorContext context, Throwable cause) {
        super(message, context, cause);
    }
}

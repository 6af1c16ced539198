package io.jeex.db.error;

/**
 * The database could not be reached: the connection failed or was lost (SQLSTATE classes 08 and 53, 57P01-57P03), or the circuit breaker is open and calls fail fast without trying. Never retried once thrown; retry later, at a higher level.
 */
public class DatabaseUnavailableException extends JeexDbException {

    /**
     * Creates an exception.
     *
     * @param message what went wrong, in words a person understands
     * @param context SQLSTATE, constraint, table, attempts
     * @param cause the underlying exception, or null
     * @throws NullPointerException if {@code message} or {@code context} is null
     */
    public DatabaseUnavailableException(String message, ErrorContext context, Throwable cause) {
        super(message, context, cause);
    }
}

package io.jeex.db.error;

/**
 * Something took too long: a statement timeout (57014), a lock that could not be taken (55P03, for example with NOWAIT or lock_timeout), or no pooled connection became free within the acquire timeout.
 */
public class DatabaseTimeoutException extends JeexDbException {

    /**
     * Creates an exception.
     *
     * @param message what went wrong, in words a person understands
     * @param context SQLSTATE, constraint, table, attempts
     * @param cause the underlying exception, or null
     * @throws NullPointerException if {@code message} or {@code context} is null
     */
    public DatabaseTimeoutException(String message, ErrorContext context, Throwable cause) {
        super(message, context, cause);
    }
}

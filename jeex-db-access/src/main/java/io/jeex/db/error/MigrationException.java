package io.jeex.db.error;

/**
 * Applying the schema migrations failed; the message says which migration and why.
 */
public class MigrationException extends JeexDbException {

    /**
     * Creates an exception.
     *
     * @param message what went wrong, in words a person understands
     * @param context SQLSTATE, constraint, table, attempts
     * @param cause the underlying exception, or null
     * @throws NullPointerException if {@code message} or {@code context} is null
     */
    public MigrationException(String message, ErrorContext context, Throwable cause) {
        super(message, context, cause);
    }
}

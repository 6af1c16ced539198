package io.jeex.db.error;

/**
 * The connection was lost while committing (or while the single statement of auto-committed work
 * ran): the transaction may or may not have been committed. Never retried, because retrying could
 * apply the caller's work twice; check the data (or make the work idempotent) before trying again.
 * The repositories' own writes never throw it: they resolve the outcome on their next attempt.
 */
public class OutcomeUnknownException extends JeexDbException {

    /**
     * Creates an exception.
     *
     * @param message what went wrong, in words a person understands
     * @param context SQLSTATE, constraint, table, attempts
     * @param cause the underlying exception, or null
     * @throws NullPointerException if {@code message} or {@code context} is null
     */
    public OutcomeUnknownException(String message, ErrorContext context, Throwable cause) {
        super(message, context, cause);
    }
}

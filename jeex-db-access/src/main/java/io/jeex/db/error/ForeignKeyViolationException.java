package io.jeex.db.error;

/**
 * A row refers to a row that does not exist, or a referenced row is still in use (SQLSTATE 23503).
 */
public class ForeignKeyViolationException extends ConstraintViolationException {

    /**
     * Creates an exception.
     *
     * @param message what went wrong, in words a person understands
     * @param context SQLSTATE, constraint, table, attempts
     * @param cause the underlying exception, or null
     * @throws NullPointerException if {@code message} or {@code context} is null
     */
    public ForeignKeyViolationException(String message, ErrorContext context, Throwable cause) {
        super(message, context, cause);
    }
}

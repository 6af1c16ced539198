package io.jeex.db.error;

/**
 * A required column was given no value (SQLSTATE 23502); {@link #column()} names it.
 */
public class NotNullViolationException extends ConstraintViolationException {

    /**
     * Creates an exception.
     *
     * @param message what went wrong, in words a person understands
     * @param context SQLSTATE, constraint, table, attempts
     * @param cause the underlying exception, or null
     * @throws NullPointerException if {@code message} or {@code context} is null
     */
    public NotNullViolationException(String message, ErrorContext context, Throwable cause) {
        super(message, context, cause);
    }
}

package io.jeex.db.error;

/**
 * A value broke a CHECK constraint (SQLSTATE 23514), for example a project step outside 1 to 4.
 */
public class CheckViolationException extends ConstraintViolationException {

    /**
     * Creates an exception.
     *
     * @param message what went wrong, in words a person understands
     * @param context SQLSTATE, constraint, table, attempts
     * @param cause the underlying exception, or null
     * @throws NullPointerException if {@code message} or {@code context} is null
     */
    public CheckViolationException(String message, ErrorContext context, Throwable cause) {
        super(message, context, cause);
    }
}

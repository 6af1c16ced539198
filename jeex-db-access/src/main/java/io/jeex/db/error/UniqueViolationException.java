package io.jeex.db.error;

/**
 * A row with the same unique key already exists (SQLSTATE 23505), for example a user with the same email; {@link #constraint()} names the key.
 */
public class UniqueViolationException extends ConstraintViolationException {

    /**
     * Creates an exception.
     *
     * @param message what went wrong, in words a person understands
     * @param context SQLSTATE, constraint, table, attempts
     * @param cause the underlying exception, or null
     * @throws NullPointerException if {@code message} or {@code context} is null
     */
    public UniqueViolationException(String message, ErrorContext context, Throwable cause) {
        super(message, context, cause);
    }
}

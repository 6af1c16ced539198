package io.jeex.db.error;

/**
 * A statement broke one of the schema's rules (SQLSTATE class 23). Never retried: running it again breaks the same rule. The subclasses say which kind of rule.
 */
public class ConstraintViolationException extends JeexDbException {

    /**
     * Creates an exception.
     *
     * @param message what went wrong, in words a person understands
     * @param context SQLSTATE, constraint, table, attempts
     * @param cause the underlying exception, or null
     * @throws NullPointerException if {@code message} or {@code context} is null
     */
    public ConstraintViolationException(String message, ErrorContext context, Throwable cause) {
        super(message, context, cause);
    }
}

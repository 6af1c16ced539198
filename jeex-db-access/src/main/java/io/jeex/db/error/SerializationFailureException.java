package io.jeex.db.error;

/**
 * The transaction lost a race with a concurrent one and was rolled back: a serialization failure (40001) or a deadlock (40P01). Thrown only after the retries ran out; {@link #attempts()} says how many were made.
 */
public class SerializationFailureException extends JeexDbException {

    /**
     * Creates an exception.
     *
     * @param message what went wrong, in words a person understands
     * @param context SQLSTATE, constraint, table, attempts
     * @param cause the underlying exception, or null
     * @throws NullPointerException if {@code message} or {@code context} is null
     */
    public SerializationFailureException(String message, ErrorContext context, Throwable cause) {
        super(message, context, cause);
    }
}

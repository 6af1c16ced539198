package io.jeex.db.error;

/**
 * The {@code JeexDatabase} was closed: work is refused from the moment {@code close()} begins,
 * and work still running when its drain timeout ends is cancelled with this error. Never
 * retried; a closed handle stays closed, so create a new one.
 */
public class DatabaseClosedException extends DatabaseUnavailableException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception.
     *
     * @param message what happened and which instance
     * @param context attempts, no SQLSTATE
     * @param cause what the closing interrupted, or null
     */
    public DatabaseClosedException(String message, ErrorContext context, Throwable cause) {
        super(message, context, cause);
    }
}

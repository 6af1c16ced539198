package io.jeex.db.error;

/**
 * The server cannot hold the JEEX schema: it is older than PostgreSQL 18 or lacks
 * {@code uuidv7()}. Thrown by {@code migrate()}, {@code migrations()} and
 * {@code validateMigrations()} before Flyway touches the database; the message says what the
 * server is and which setting to point at a PostgreSQL 18 server. Never retried: it does not pass
 * by itself.
 */
public class UnsupportedServerException extends MigrationException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception.
     *
     * @param message what the server lacks and what to change
     * @param context no SQLSTATE; one attempt
     * @throws NullPointerException if {@code message} or {@code context} is null
     */
    public UnsupportedServerException(String message, ErrorContext context) {
        super(message, context, null);
    }
}

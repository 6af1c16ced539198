package io.jeex.db.error;

import static java.util.Objects.requireNonNull;

/**
 * The root of all jeex-db errors: unchecked, with the {@link ErrorContext} attached. Catch a
 * subclass to react to one category (for example {@link UniqueViolationException}); catch this
 * class to handle every database error in one place.
 */
public class JeexDbException extends RuntimeException {

    private final ErrorContext context;

    /**
     * Creates an exception.
     *
     * @param message what went wrong, in words a person understands; never row values unless
     *     configured
     * @param context SQLSTATE, constraint, table, attempts
     * @param cause the underlying exception, or null
     * @throws NullPointerException if {@code message} or {@code context} is null
     */
    public JeexDbException(String message, ErrorContext context, Throwable cause) {
        super(requireNonNull(message, "message"), cause);
        this.context = requireNonNull(context, "context");
    }

    /** @return the full context of this error */
    public ErrorContext context() {
        return context;
    }

    /** @return the SQLSTATE reported by PostgreSQL or the driver, or null */
    public String sqlState() {
        return context.sqlState();
    }

    /** @return the name of the violated constraint, or null */
    public String constraint() {
        return context.constraint();
    }

    /** @return the table involved, or null */
    public String table() {
        return context.table();
    }

    /** @return the column involved, or null */
    public String column() {
        return context.column();
    }

    /** @return how many times the transaction ran before this error was thrown; at least 1 */
    public int attempts() {
        return context.attempts();
    }
}

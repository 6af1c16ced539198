package io.jeex.db.error;

/**
 * The database role may not do what was asked (SQLSTATE 42501 for a missing privilege: a table, a
 * schema, DDL, ownership). A deployment problem: grant the privilege or use the right role. A row
 * refused by a row-level security policy (also 42501) is a {@link RowSecurityException} instead.
 */
public class PermissionDeniedException extends JeexDbException {

    /**
     * Creates an exception.
     *
     * @param message what went wrong, in words a person understands
     * @param context SQLSTATE, constraint, table, attempts
     * @param cause the underlying exception, or null
     * @throws NullPointerException if {@code message} or {@code context} is null
     */
    public PermissionDeniedException(String message, ErrorContext context, Throwable cause) {
        super(message, context, cause);
    }
}

package io.jeex.db.error;

/**
 * A row-level security policy refused a row (SQLSTATE 42501 raised by a policy, not by a missing
 * privilege): a statement tried to write a row that would not belong to the acting user ("new row
 * violates row-level security policy": a project for another owner, a version in another user's
 * project, an update that moves a row away), or, with {@code row_security} switched off, to read
 * rows that a policy would filter. A bug of the caller (the wrong user, or no acting user), never a
 * deployment problem, so deliberately not a {@link PermissionDeniedException}; never retried.
 *
 * <p>Reads are not refused: rows of other users are simply not visible, so reading or updating one
 * by id finds nothing ({@link NotFoundException} where the repository reports it).
 */
public class RowSecurityException extends JeexDbException {

    /**
     * Creates an exception.
     *
     * @param message what went wrong, in words a person understands
     * @param context SQLSTATE (42501), table, attempts
     * @param cause the underlying exception, or null
     * @throws NullPointerException if {@code message} or {@code context} is null
     */
    public RowSecurityException(String message, ErrorContext context, Throwable cause) {
        super(message, context, cause);
    }
}

package io.jeex.db.error;

import static java.util.Objects.requireNonNull;

/**
 * An optimistic update found the row changed (or deleted) since it was read: the update's
 * condition on the row's version or {@code updated_at} matched nothing. Never retried by the
 * library: the caller must read the row again and decide.
 */
public class ConcurrentUpdateException extends JeexDbException {

    /**
     * Creates an exception.
     *
     * @param message which row changed, in words a person understands
     * @param context the table, usually from {@link ErrorContext#ofTable(String)}
     * @param cause the underlying exception, or null
     * @throws NullPointerException if {@code message} or {@code context} is null
     */
    public ConcurrentUpdateException(String message, ErrorContext context, Throwable cause) {
        super(message, context, cause);
    }

    /**
     * Checks the row count of an optimistic update ({@code UPDATE ... WHERE id = ? AND
     * updated_at = ?}).
     *
     * @param updatedRows what the update returned
     * @param table the updated table, for {@link #table()}
     * @param what the row, for the message, for example {@code "project 0190..."}; must not
     *     hold personal data
     * @throws ConcurrentUpdateException if {@code updatedRows} is 0: the row was changed or
     *     deleted by someone else since it was read
     * @throws IllegalStateException if {@code updatedRows} is more than 1 (the condition did not
     *     name one row: a bug in the caller)
     * @throws NullPointerException if {@code table} or {@code what} is null
     */
    public static void requireUpdated(int updatedRows, String table, String what) {
        requireNonNull(table, "table");
        requireNonNull(what, "what");
        if (updatedRows == 0) {
            throw new ConcurrentUpdateException(what + " was changed or deleted by someone else since it was read;"
                    + " read it again and retry", ErrorContext.ofTable(table), null);
        }
        if (updatedRows > 1) {
            throw new IllegalStateException("an optimistic update of " + what + " must change exactly 1 row, but changed "
                    + updatedRows);
        }
    }
}

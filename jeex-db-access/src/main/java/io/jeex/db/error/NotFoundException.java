package io.jeex.db.error;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A row that had to exist does not. Thrown by repositories through
 * {@link #requireFound(Optional, String, String)}; never retried.
 */
public class NotFoundException extends JeexDbException {

    /**
     * Creates an exception.
     *
     * @param message what was not found, in words a person understands
     * @param context the table, usually from {@link ErrorContext#ofTable(String)}
     * @param cause the underlying exception, or null
     * @throws NullPointerException if {@code message} or {@code context} is null
     */
    public NotFoundException(String message, ErrorContext context, Throwable cause) {
        super(message, context, cause);
    }

    /**
     * Returns the value, or throws when there is none.
     *
     * <pre>{@code
     * User user = NotFoundException.requireFound(users.find(id), "users", "user " + id);
     * }</pre>
     *
     * @param <T> the value's type
     * @param value the result of a lookup
     * @param table the table that was searched, for {@link #table()}
     * @param what what was looked for, for the message, for example {@code "user 0190..."}; must
     *     not hold personal data (use ids, not emails)
     * @return the value
     * @throws NotFoundException if {@code value} is empty; its message is {@code <what> was not found}
     * @throws NullPointerException if an argument is null
     */
    public static <T> T requireFound(Optional<T> value, String table, String what) {
        requireNonNull(value, "value");
        requireNonNull(table, "table");
        requireNonNull(what, "what");
        return value.orElseThrow(() -> new NotFoundException(what + " was not found", ErrorContext.ofTable(table), null));
    }
}

package io.jeex.db.error;

/**
 * A repository call or transaction in the wrong scope, refused by the library before anything ran
 * (the message names the fix): a system-scoped operation on a user's repositories
 * ({@code db.actingAs(id).exports().purgeExpired(...)}: use {@code db.system()}), a call for one
 * user inside a transaction that acts as another (a transaction never acts as two users), or a
 * system-mode call inside a transaction of the pool, or the reverse (system mode runs on a
 * connection of its own). A bug of the caller; never retried.
 */
public class WrongScopeException extends JeexDbException {

    /**
     * Creates an exception.
     *
     * @param message what went wrong and how to fix it
     * @throws NullPointerException if {@code message} is null
     */
    public WrongScopeException(String message) {
        super(message, new ErrorContext(null, null, null, null, 1), null);
    }
}

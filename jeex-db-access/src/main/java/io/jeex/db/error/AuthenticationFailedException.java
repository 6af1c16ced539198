package io.jeex.db.error;

/**
 * The server refused the login (SQLSTATE class 28: wrong password, unknown role, no matching
 * pg_hba.conf entry). It does not pass by itself, so it is never retried; the message names
 * the settings to check and never the password.
 */
public class AuthenticationFailedException extends DatabaseUnavailableException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception.
     *
     * @param message what went wrong and what to check
     * @param context SQLSTATE and attempts
     * @param cause the underlying exception
     * @throws NullPointerException if {@code message} or {@code context} is null
     */
    public AuthenticationFailedException(String message, ErrorContext context, Throwable cause) {
        super(message, context, cause);
    }
}

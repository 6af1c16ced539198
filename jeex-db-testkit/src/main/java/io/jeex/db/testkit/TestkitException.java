package io.jeex.db.testkit;

/** The testkit could not provide a database; the message says why and how to fix it. */
public final class TestkitException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what failed and the fix
     * @param cause the underlying failure
     */
    public TestkitException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Creates the exception.
     *
     * @param message what failed and the fix
     */
    public TestkitException(String message) {
        super(message);
    }
}

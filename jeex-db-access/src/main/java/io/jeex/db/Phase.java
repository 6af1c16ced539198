package io.jeex.db;

/** Where in an attempt a failure happened. */
enum Phase {
    /** Borrowing a connection from the pool. */
    CONNECT,
    /** Beginning the transaction and applying its options (before any statement of the work). */
    BEGIN,
    /** Running the work. */
    WORK,
    /** {@code Connection.commit()}. */
    COMMIT
}

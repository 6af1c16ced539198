package io.jeex.db;

/**
 * What kind of failure an attempt ended with. Decided by where the failure came from first
 * (the pool, the driver, the server, or the work itself), then, for the database's own
 * failures, by the SQLSTATEs in the cause chain.
 */
enum Category {
    /** 23505. */
    UNIQUE_VIOLATION,
    /** 23503. */
    FOREIGN_KEY_VIOLATION,
    /** 23514. */
    CHECK_VIOLATION,
    /** 23502. */
    NOT_NULL_VIOLATION,
    /** Other class 23 states (exclusion, restrict). */
    OTHER_CONSTRAINT_VIOLATION,
    /** 40001, or the library's own finding that the transaction's snapshot was too old for its write. */
    SERIALIZATION_FAILURE,
    /** 40P01. */
    DEADLOCK,
    /** 55P03. */
    LOCK_NOT_AVAILABLE,
    /** 57014. */
    STATEMENT_TIMEOUT,
    /** No pooled connection became free within the acquire timeout, and none failed to open. */
    POOL_TIMEOUT,
    /**
     * Classes 08 and 53, 57P01-57P03, an I/O failure of the driver, or a connection that could
     * not be opened.
     */
    CONNECTION_FAILURE,
    /**
     * 25006 (read_only_sql_transaction) in a read-write transaction: the server it reached is a
     * standby (or read-only), not the primary, typically just after a failover. Nothing of the
     * attempt can have been written, so it is handled like a connection lost before any
     * statement: retried on a new connection, the pool's other connections evicted. In a
     * read-only transaction a 25006 is the work's own write, {@link #OTHER_SQL}.
     */
    NOT_PRIMARY,
    /** 42501 for a missing privilege. */
    PERMISSION_DENIED,
    /** 42501 raised by a row-level security policy (a refused row, or row_security off where a policy applies). */
    ROW_SECURITY,
    /**
     * Class 28: the server refused the login (wrong password, unknown role, no pg_hba.conf entry).
     */
    AUTHENTICATION_FAILED,
    /** Any other SQLSTATE, or a failure of the driver without one. */
    OTHER_SQL,
    /**
     * The work threw an exception of its own: not from a statement of this transaction, whatever
     * its type or causes (an HTTP call's {@code IOException}, another database's error).
     */
    WORK_EXCEPTION,
    /** The handle was closed, or closing cancelled the work. */
    CLOSED;

    /**
     * @return whether the failure says something about the database's availability, the only
     *     failures the circuit breaker records
     */
    public boolean isInfrastructure() {
        return this == CONNECTION_FAILURE || this == POOL_TIMEOUT || this == AUTHENTICATION_FAILED
                || this == NOT_PRIMARY;
    }

    /** @return whether the failure is a lost race that a retry can win */
    public boolean isContention() {
        return this == SERIALIZATION_FAILURE || this == DEADLOCK;
    }

    /** @return whether the database itself reported or caused the failure (not the work, not closing) */
    public boolean isDatabase() {
        return this != WORK_EXCEPTION && this != CLOSED;
    }

    /** @return a short, bounded tag value for metrics */
    public String tag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

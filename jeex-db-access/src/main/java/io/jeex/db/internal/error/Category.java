package io.jeex.db.internal.error;

/** What kind of failure an exception is, decided from the SQLSTATEs in its cause chain. */
public enum Category {
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
    /** 40001. */
    SERIALIZATION_FAILURE,
    /** 40P01. */
    DEADLOCK,
    /** 55P03. */
    LOCK_NOT_AVAILABLE,
    /** 57014. */
    STATEMENT_TIMEOUT,
    /** No pooled connection became free within the acquire timeout, and none failed to open. */
    POOL_TIMEOUT,
    /** Classes 08 and 53, 57P01-57P03, an I/O failure, or a pool timeout caused by failing connects. */
    CONNECTION_FAILURE,
    /** 42501. */
    PERMISSION_DENIED,
    /**
     * Class 28: the server refused the login (wrong password, unknown role, no pg_hba.conf entry),
     * usually seen as a pool acquire timeout whose last connect failed so.
     */
    AUTHENTICATION_FAILED,
    /** Any other SQLSTATE. */
    OTHER_SQL,
    /** No SQLSTATE in the chain: not a database error. */
    NOT_SQL;

    /**
     * @return whether the failure says something about the database's availability, the only
     *     failures the circuit breaker records
     */
    public boolean isInfrastructure() {
        return this == CONNECTION_FAILURE || this == POOL_TIMEOUT || this == AUTHENTICATION_FAILED;
    }

    /** @return whether the failure is a lost race that a retry can win */
    public boolean isContention() {
        return this == SERIALIZATION_FAILURE || this == DEADLOCK;
    }

    /** @return a short, bounded tag value for metrics */
    public String tag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

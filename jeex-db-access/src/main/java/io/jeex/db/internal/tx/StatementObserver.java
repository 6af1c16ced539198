package io.jeex.db.internal.tx;

/** Sees every statement that the library runs with plain JDBC (query metrics, slow-query log). */
@FunctionalInterface
public interface StatementObserver {

    /** Observes nothing. */
    StatementObserver NONE = (sql, nanos, failure) -> { };

    /**
     * @param sql the statement's SQL with {@code ?} placeholders (never bind values)
     * @param nanos how long it ran, fetching included
     * @param failure why it failed, or null
     */
    void statement(String sql, long nanos, Throwable failure);
}

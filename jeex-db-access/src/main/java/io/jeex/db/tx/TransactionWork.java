package io.jeex.db.tx;

/**
 * The work of one transaction. It may run more than once when the transaction is retried, so
 * it must not have effects outside the database that cannot be repeated (or it must be safe to
 * repeat them); it receives a new {@link Transaction} each time.
 *
 * @param <T> what the work returns
 */
@FunctionalInterface
public interface TransactionWork<T> {

    /**
     * Does the work inside the transaction. Throwing rolls the transaction back.
     *
     * @param tx the running transaction: its jOOQ context and connection
     * @return the result handed to the caller after a successful commit
     * @throws Exception anything. A failure of one of this transaction's statements (through
     *     {@code tx.dsl()}, or JDBC on {@code tx.connection()}) is the database's: classified by its
     *     SQLSTATE, maybe retried. Anything else is the work's own, whatever its type or causes (an
     *     {@code IOException}, another database's error): the transaction rolls back, nothing is
     *     retried or counted by the circuit breaker, and it reaches the caller unchanged (checked
     *     ones wrapped in {@link io.jeex.db.error.TransactionWorkException})
     */
    T execute(Transaction tx) throws Exception;
}

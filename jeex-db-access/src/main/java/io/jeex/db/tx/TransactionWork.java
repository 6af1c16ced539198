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
     * @throws Exception anything; database errors are classified (and maybe retried), others
     *     roll back and reach the caller (checked ones wrapped in
     *     {@link io.jeex.db.error.TransactionWorkException})
     */
    T execute(Transaction tx) throws Exception;
}

package io.jeex.db;

import io.jeex.db.error.WrongScopeException;
import io.jeex.db.tx.Transaction;
import io.jeex.db.tx.TransactionWork;
import io.jeex.db.tx.TxOptions;

/**
 * The engine's one port for work: the public facade and the repositories both run through it,
 * stating who wrote the work ({@link RetryPolicy.Mode}). The repositories never call the facade.
 */
interface Transactions {

    /**
     * Runs the work in a transaction, or joins the running one on this thread.
     *
     * @param <T> the result type
     * @param options the options
     * @param mode who wrote the work: the caller's work follows the documented public rules; the
     *     library's reads run auto-committed although read-only; the library's writes may run
     *     again after a lost connection, because their next attempt resolves the outcome
     * @param work the work
     * @return the work's result after commit
     */
    <T> T run(TxOptions options, RetryPolicy.Mode mode, TransactionWork<T> work);

    /** @return whether the current thread runs inside a transaction of this engine */
    boolean inTransaction();

    /**
     * Refuses, inside a running transaction, an operation that commits on its own: joined to
     * the caller's transaction it would commit nothing itself, and what it reports as done (its
     * meters, its log line, what it hands to the caller) could still roll back.
     *
     * @param operation the operation, for example {@code exports.purgeExpired}
     * @param what what the operation does that a transaction around it would break
     * @throws WrongScopeException if the current thread runs inside a transaction of this engine
     */
    default void requireNoTransaction(String operation, String what) {
        if (inTransaction()) {
            throw new WrongScopeException(operation + " " + what + ", so it cannot run inside a transaction: call it "
                    + "outside any transaction (from a scheduler, for example)");
        }
    }

    /**
     * Lets the library's own write (a repository method) ask for its whole call to run again,
     * after waiting outside any transaction for an advisory lock: its transaction's snapshot was
     * taken before a concurrent write that it must see (REPEATABLE READ or SERIALIZABLE). The
     * caller then throws the returned error out of the work.
     *
     * @param tx the running transaction
     * @param why what was found
     * @param lockKey the text whose {@code hashtextextended(key, 0)} is the advisory lock
     * @return the error to throw
     */
    static RuntimeException restart(Transaction tx, String why, String lockKey) {
        TransactionImpl.of(tx).restart(why, lockKey);
        return new RestartSignal(why);
    }

    /** Thrown out of the work when the library asked for its call to run again. */
    final class RestartSignal extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RestartSignal(String why) {
            super(why, null, false, false);
        }
    }
}

/**
 * Transactions: the work a caller hands to {@code JeexDatabase.transaction(...)}, the
 * {@link io.jeex.db.tx.Transaction} it receives, and the per-transaction
 * {@link io.jeex.db.tx.TxOptions} (name, isolation, timeout, acting user, idempotency,
 * read-only). Parameters and return values in this package are non-null unless documented
 * otherwise.
 */
package io.jeex.db.tx;

/**
 * Not API: the transaction runner, {@code Retry(CircuitBreaker(transaction))}, and what it
 * needs per attempt.
 */
package io.jeex.db.internal.tx;

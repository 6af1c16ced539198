package io.jeex.db.internal.tx;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * The transaction runner's metrics seam: one timer per transaction name and outcome and a
 * counter of retries. Tags are bounded: the pool, the transaction's fixed name, and the outcome
 * ({@code success} or a failure category).
 */
public final class TransactionMetrics {

    /** Timer of outermost transaction calls, retries included. */
    public static final String TRANSACTION_TIMER = "jeex.db.transaction";
    /** Counter of retries (attempts beyond the first). */
    public static final String RETRY_COUNTER = "jeex.db.transaction.retries";

    private final MeterRegistry registry;
    private final String pool;
    private final java.util.concurrent.ConcurrentMap<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param registry where the meters go
     * @param pool the pool (instance) name tag
     */
    public TransactionMetrics(MeterRegistry registry, String pool) {
        this.registry = registry;
        this.pool = pool;
    }

    void record(String name, String outcome, int attempts, long nanos) {
        // Looked up once per (name, outcome): registering on every call costs more than the timing.
        timers.computeIfAbsent(name + '\u0000' + outcome, key -> Timer.builder(TRANSACTION_TIMER)
                .description("Outermost transaction calls, from the first attempt to the last, retries included")
                .tag("pool", pool).tag("name", name).tag("outcome", outcome)
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
        if (attempts > 1) {
            Counter.builder(RETRY_COUNTER)
                    .description("Attempts beyond the first, by the outcome of the transaction call")
                    .tag("pool", pool).tag("name", name).tag("outcome", outcome)
                    .register(registry).increment(attempts - 1);
        }
    }
}

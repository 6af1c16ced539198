package io.jeex.db.internal.tx;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * The transaction runner's metrics seam: a timer of outermost transaction calls and a counter of
 * their retries. Tags are bounded: {@code pool} (the instance name, or its replica), {@code name}
 * (the transaction's fixed name from {@code TxOptions}), {@code outcome} ({@value #COMMITTED},
 * {@value #ROLLED_BACK} when the work threw an exception of its own, {@value #FAILED} for a
 * database failure) and {@code category} ({@code none}, {@code work_exception}, or the failure
 * category such as {@code unique_violation}, {@code serialization_failure},
 * {@code connection_failure}, {@code circuit_open}, {@code outcome_unknown}, and
 * {@value #TRANSACTION_ABORTED} when a statement failed, the work caught the error and returned
 * normally, and the transaction was rolled back instead of committed).
 */
public final class TransactionMetrics {

    /** Timer of outermost transaction calls, retries included. */
    public static final String TRANSACTION_TIMER = "jeex.db.transaction";
    /** Counter of retries (attempts beyond the first). */
    public static final String RETRY_COUNTER = "jeex.db.transaction.retries";
    /** Outcome: the transaction committed (or its single statement ran). */
    public static final String COMMITTED = "committed";
    /** Outcome: the work threw an exception of its own, so the transaction was rolled back. */
    public static final String ROLLED_BACK = "rolled_back";
    /** Outcome: the database refused or failed the transaction; the category says how. */
    public static final String FAILED = "failed";
    /** Category of a committed transaction. */
    public static final String NONE = "none";
    /** Category of a transaction rolled back because its work threw. */
    public static final String WORK_EXCEPTION = "work_exception";

    /** Category of a transaction that PostgreSQL aborted at a failed statement whose error the work caught. */
    public static final String TRANSACTION_ABORTED = "transaction_aborted";

    private final MeterRegistry registry;
    private final String pool;
    private final ConcurrentMap<String, Timer> timers = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> retries = new ConcurrentHashMap<>();

    /**
     * @param registry where the meters go
     * @param pool the pool (instance) name tag
     */
    public TransactionMetrics(MeterRegistry registry, String pool) {
        this.registry = registry;
        this.pool = pool;
    }

    void committed(String name, int attempts, long nanos) {
        record(name, COMMITTED, NONE, attempts, nanos);
    }

    void record(String name, String outcome, String category, int attempts, long nanos) {
        // Looked up once per tag tuple: registering on every call costs more than the timing.
        String key = name + '\u0000' + outcome + '\u0000' + category;
        timers.computeIfAbsent(key, k -> Timer.builder(TRANSACTION_TIMER)
                .description("Outermost transaction calls, from the first attempt to the last, retries included")
                .tag("pool", pool).tag("name", name).tag("outcome", outcome).tag("category", category)
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
        if (attempts > 1) {
            retries.computeIfAbsent(key, k -> Counter.builder(RETRY_COUNTER)
                    .description("Attempts beyond the first, by the outcome of the transaction call")
                    .tag("pool", pool).tag("name", name).tag("outcome", outcome).tag("category", category)
                    .register(registry)).increment(attempts - 1);
        }
    }
}

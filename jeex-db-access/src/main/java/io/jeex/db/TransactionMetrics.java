package io.jeex.db;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * The transaction runner's metrics seam, one per route (pool): a timer of outermost transaction
 * calls and a counter of their retries. Tags are bounded: {@code pool} (the instance name, or
 * its replica's), {@code name} (the transaction's fixed name from {@code TxOptions}),
 * {@code outcome} ({@value #COMMITTED}, {@value #ROLLED_BACK} when the work threw an exception
 * of its own, {@value #FAILED} for a database failure) and {@code category} ({@code none},
 * {@code work_exception}, or the failure category such as {@code unique_violation},
 * {@code serialization_failure}, {@code connection_failure}, {@code circuit_open},
 * {@code outcome_unknown}, {@code closed}, and {@value #TRANSACTION_ABORTED} when a statement
 * failed, the work caught the error and returned normally, and the transaction was rolled back
 * instead of committed).
 *
 * <p>The retry counter is tagged by {@code pool} and {@code category}, the category of the
 * failure that was retried; its series for every retryable category exist from the start, at 0.
 */
final class TransactionMetrics {

    /** Timer of outermost transaction calls, retries included. */
    public static final String TRANSACTION_TIMER = "jeex.db.transaction";
    /** Counter of retries (attempts beyond the first), by the category of the failure retried. */
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
    /** Category of a call refused by the open circuit breaker. */
    public static final String CIRCUIT_OPEN = "circuit_open";
    /** Category of a transaction whose connection was lost while it committed. */
    public static final String OUTCOME_UNKNOWN = "outcome_unknown";

    /** The categories a retry can be made for; their counters exist from the start. */
    static final Category[] RETRYABLE = {Category.SERIALIZATION_FAILURE, Category.DEADLOCK,
            Category.LOCK_NOT_AVAILABLE, Category.CONNECTION_FAILURE, Category.POOL_TIMEOUT, Category.NOT_PRIMARY};

    private final MeterRegistry registry;
    private final String pool;
    private final ConcurrentMap<String, Timer> timers = new ConcurrentHashMap<>();
    /** The committed calls' timers, by transaction name alone: the common case builds no key. */
    private final ConcurrentMap<String, Timer> committed = new ConcurrentHashMap<>();
    private final Map<Category, Counter> retries = new EnumMap<>(Category.class);

    /**
     * @param registry where the meters go
     * @param pool the pool name tag
     */
    public TransactionMetrics(MeterRegistry registry, String pool) {
        this.registry = registry;
        this.pool = pool;
        for (Category c : RETRYABLE) {
            retries.put(c, Counter.builder(RETRY_COUNTER)
                    .description("Attempts beyond the first, by the category of the failure that was retried")
                    .tag("pool", pool).tag("category", c.tag())
                    .register(registry));
        }
    }

    void committed(String name, int attempts, long nanos) {
        Timer timer = committed.get(name);
        if (timer == null) {
            timer = committed.computeIfAbsent(name, n -> timer(n, COMMITTED, NONE));
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    void record(String name, String outcome, String category, int attempts, long nanos) {
        // Looked up once per tag tuple: registering on every call costs more than the timing.
        String key = name + '\u0000' + outcome + '\u0000' + category;
        timers.computeIfAbsent(key, k -> timer(name, outcome, category)).record(nanos, TimeUnit.NANOSECONDS);
    }

    private Timer timer(String name, String outcome, String category) {
        return Timer.builder(TRANSACTION_TIMER)
                .description("Outermost transaction calls, from the first attempt to the last, retries included")
                .tag("pool", pool).tag("name", name).tag("outcome", outcome).tag("category", category)
                .register(registry);
    }

    /** Counts one retry made for a failure of this category. */
    void retried(Category category) {
        Counter c = retries.get(category);
        if (c != null) {
            c.increment();
        }
    }
}

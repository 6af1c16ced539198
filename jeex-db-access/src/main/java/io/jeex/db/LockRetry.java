package io.jeex.db;

import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a schema change again when it failed on the migration {@code lock_timeout} (SQLSTATE
 * 55P03), a bounded number of times: PostgreSQL rolled the change back, so nothing of it is left,
 * and between tries the application's queries, which queued behind the lock the migration asked
 * for, run. The waits are the lock timeout, then twice, four times that...: a long transaction gets
 * time to end. Any other failure, and the last lock timeout, go to the caller unchanged.
 */
final class LockRetry {

    /** SQLSTATE lock_not_available: {@code lock_timeout} expired (or {@code NOWAIT}). */
    static final String LOCK_NOT_AVAILABLE = "55P03";

    private static final Logger LOG = LoggerFactory.getLogger(LockRetry.class);

    private final String instance;
    private final Duration lockTimeout;
    private final int retries;

    /**
     * @param instance the instance name, first word of the log lines
     * @param lockTimeout the migration lock timeout
     * @param retries how many more tries after the first
     */
    LockRetry(String instance, Duration lockTimeout, int retries) {
        this.instance = instance;
        this.lockTimeout = lockTimeout;
        this.retries = retries;
    }

    /** @return whether the failure is a lock timeout, anywhere in its cause chain */
    static boolean isLockTimeout(Throwable failure) {
        return LOCK_NOT_AVAILABLE.equals(SqlStates.sqlState(failure));
    }

    /**
     * @param retry the retry, 1 for the first
     * @param lockTimeout the lock timeout
     * @return the wait before it: the lock timeout times 2^(retry - 1), at most 2 minutes
     */
    static Duration waitBefore(int retry, Duration lockTimeout) {
        long ms = lockTimeout.toMillis() << Math.min(retry - 1, 20);
        return Duration.ofMillis(Math.min(ms, Duration.ofMinutes(2).toMillis()));
    }

    /** @return how many tries in all */
    int attempts() {
        return retries + 1;
    }

    /**
     * @param <T> the result type
     * @param what the change, for the log ("migrating the JEEX schema")
     * @param change one try of the change
     * @return its result
     * @throws RuntimeException the change's failure: the last lock timeout, or any other at once
     */
    <T> T run(String what, Supplier<T> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                return change.get();
            } catch (RuntimeException e) {
                if (!isLockTimeout(e) || attempt > retries) {
                    throw e;
                }
                Duration wait = waitBefore(attempt, lockTimeout);
                LOG.warn("{}: {}: a statement waited the migration lock timeout ({}) for a lock that another "
                                + "transaction holds (SQLSTATE 55P03); PostgreSQL rolled it back; trying again in {} "
                                + "(try {} of {})", instance, what, Durations.ms(lockTimeout), Durations.ms(wait),
                        attempt + 1, attempts());
                sleep(wait);
            }
        }
    }

    private static void sleep(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to try the migration again", e);
        }
    }
}

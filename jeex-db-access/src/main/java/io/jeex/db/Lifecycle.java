package io.jeex.db;

import io.jeex.db.error.DatabaseClosedException;
import io.jeex.db.error.ErrorContext;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Open or closing, and the work in flight: {@code close()} refuses new calls at once, waits for
 * the running ones up to the drain timeout, then cancels the statements still running on the
 * server so that the pools can close without leaving a backend busy.
 *
 * <p>The hot path ({@link #enter()}, {@link #exit()}) takes no lock: a call counts itself, then
 * reads the closing flag; {@code close()} sets the flag, then reads the count (both volatile, so
 * one of the two sees the other: a call that started is awaited, a call that sees the flag backs
 * out). The lock is {@code close()}'s only, with the last call to leave while closing signalling
 * it.
 */
final class Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

    private final String name;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private final Set<TransactionImpl> running = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;
    private volatile boolean cancelled;
    /** The calls entered and not yet left, including a refused one backing out. */
    private final AtomicInteger calls = new AtomicInteger();

    /**
     * @param name the instance name, for messages
     */
    public Lifecycle(String name) {
        this.name = name;
    }

    /** @return whether {@code close()} has begun */
    public boolean closing() {
        return closing;
    }

    /** @return whether closing cancelled the work still running: no attempt may start */
    boolean cancelled() {
        return cancelled;
    }

    /**
     * @return the error of a call that came too late, or of work that closing stopped
     */
    public DatabaseClosedException closedError() {
        return new DatabaseClosedException(name + ": this JeexDatabase is closed; create a new one",
                new ErrorContext(null, null, null, null, 1), null);
    }

    /**
     * Enters a call.
     *
     * @throws DatabaseClosedException if closing has begun
     */
    void enter() {
        calls.incrementAndGet();
        if (closing) {
            exit();
            throw closedError();
        }
    }

    /** Leaves a call entered with {@link #enter()}. */
    void exit() {
        if (calls.decrementAndGet() == 0 && closing) {
            lock.lock();
            try {
                idle.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    void started(TransactionImpl tx) {
        running.add(tx);
        if (cancelled) {
            tx.cancel();
        }
    }

    void ended(TransactionImpl tx) {
        running.remove(tx);
    }

    /** Refuses new calls from now on; running calls go on. */
    public void refuseNewWork() {
        lock.lock();
        try {
            closing = true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Refuses new calls from now on, waits for running calls up to {@code drain}, then cancels
     * the statements of those still running and waits up to {@code afterCancel} for them to end.
     *
     * @param drain how long running work may go on
     * @param afterCancel how long cancelled work may take to notice
     * @return how many calls were still running when the drain timeout ended
     */
    public int close(Duration drain, Duration afterCancel) {
        lock.lock();
        try {
            closing = true;
            if (!await(drain)) {
                int left = calls.get();
                cancelled = true;
                for (TransactionImpl tx : running) {
                    tx.cancel();
                }
                LOG.warn("{}: closing: {} call(s) still running after the drain timeout of {} ms; their statements "
                        + "were cancelled", name, left, drain.toMillis());
                await(afterCancel);
                return left;
            }
            return 0;
        } finally {
            lock.unlock();
        }
    }

    private boolean await(Duration timeout) {
        long nanos = timeout.toNanos();
        while (calls.get() > 0) {
            if (nanos <= 0) {
                return false;
            }
            try {
                nanos = idle.awaitNanos(nanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "Lifecycle[" + name + (closing ? ", closing" : "") + ", calls=" + calls.get() + "]";
    }
}

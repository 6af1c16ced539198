package io.jeex.db;

import io.jeex.db.error.DatabaseClosedException;
import io.jeex.db.error.ErrorContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
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
 * it. The attempts in flight, which closing cancels, sit in a fixed array of slots, claimed with
 * one compare-and-set from a slot chosen by the thread and freed with one write: no allocation
 * and no shared counter per attempt (a concurrent set cost 3 % of a primary-key lookup's client
 * CPU). Attempts beyond the slots, more than {@value #SLOTS} at once, go to a concurrent set.
 */
final class Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

    private final String name;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    /** Slots for attempts in flight: more than any one pool's connections, by default. */
    static final int SLOTS = 64;
    /** The slot {@link #started} returns for an attempt that found every slot taken. */
    static final int OVERFLOW = -1;

    private final AtomicReferenceArray<TransactionImpl> running = new AtomicReferenceArray<>(SLOTS);
    private final Set<TransactionImpl> overflow = ConcurrentHashMap.newKeySet();
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

    /**
     * Registers an attempt in flight, so that closing can cancel it; cancels it at once if closing
     * already did.
     *
     * @param tx the attempt's transaction
     * @return its slot, to give back to {@link #ended}
     */
    int started(TransactionImpl tx) {
        int slot = claim(tx);
        // the claim (a compare-and-set) comes before this read, and close() sets the flag before
        // it reads the slots: one of the two sees the other
        if (cancelled) {
            tx.cancel();
        }
        return slot;
    }

    /**
     * Unregisters an attempt.
     *
     * @param tx the attempt's transaction
     * @param slot what {@link #started} returned for it
     */
    void ended(TransactionImpl tx, int slot) {
        if (slot == OVERFLOW) {
            overflow.remove(tx);
        } else {
            running.set(slot, null);
        }
    }

    private int claim(TransactionImpl tx) {
        int h = System.identityHashCode(Thread.currentThread());
        int first = (h ^ (h >>> 16)) & (SLOTS - 1);
        for (int i = 0; i < SLOTS; i++) {
            int slot = (first + i) & (SLOTS - 1);
            if (running.get(slot) == null && running.compareAndSet(slot, null, tx)) {
                return slot;
            }
        }
        overflow.add(tx);
        return OVERFLOW;
    }

    /** @return the attempts in flight now */
    private List<TransactionImpl> inFlight() {
        List<TransactionImpl> all = new ArrayList<>(overflow);
        for (int slot = 0; slot < SLOTS; slot++) {
            TransactionImpl tx = running.get(slot);
            if (tx != null) {
                all.add(tx);
            }
        }
        return all;
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
                for (TransactionImpl tx : inFlight()) {
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

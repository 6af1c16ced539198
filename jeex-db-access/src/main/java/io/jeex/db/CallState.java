package io.jeex.db;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What one outermost call learns across its attempts: advisory locks that the next attempt
 * waits for before it begins (so that its snapshot is taken after their holders committed),
 * and how many attempts were made, counted and uncounted.
 */
final class CallState {

    /** Made on the first lock to wait for: most calls have none. */
    private Set<String> lockWaits;
    private int attempts;
    private int restarts;

    /** Remembers a lock to wait for before the next attempt. */
    void waitForLock(String key) {
        if (lockWaits == null) {
            lockWaits = new LinkedHashSet<>();
        }
        lockWaits.add(key);
    }

    /** @return the locks to wait for before the next attempt begins (empty, unmodifiable, when none) */
    Set<String> lockWaits() {
        return lockWaits == null ? Set.of() : lockWaits;
    }

    /** @return the number of the attempt that starts now */
    int nextAttempt() {
        return ++attempts;
    }

    /** @return attempts made so far */
    int attempts() {
        return attempts;
    }

    /** Counts an attempt that ended in a restart of the library's own (not a failure). */
    void restarted() {
        restarts++;
    }

    /** @return attempts that count towards the maximum: all but the library's restarts */
    int countedAttempts() {
        return attempts - restarts;
    }
}

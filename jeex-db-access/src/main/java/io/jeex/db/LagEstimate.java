package io.jeex.db;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * A replica's replay lag, from the primary's WAL positions sampled by its probe and what the
 * replica has replayed. The lag is an upper bound of how stale the replica's data is: the time
 * since the primary was last seen at a position the replica has replayed, or since the last
 * transaction the replica replayed committed ({@code pg_last_xact_replay_timestamp()}), whichever
 * is less; zero when the replica has replayed the primary's position read just before it.
 *
 * <p>Why both: with an idle primary the last replayed commit may be hours old while the replica
 * is fully caught up (the position comparison says zero); under steady writes the sampled positions
 * only bound the lag to the probe interval, while the commit timestamp gives it to the millisecond.
 * A replica behind every kept sample is at least as stale as the oldest, which is more than the lag
 * bound because samples are kept for longer than it (just after start, the age of its last replayed
 * commit, if larger). Not thread-safe: one per probe.
 */
final class LagEstimate {

    private record Sample(long nanos, long lsn) {
    }

    private final Deque<Sample> samples = new ArrayDeque<>();
    private final long keepNanos;

    /** @param keep how long samples of the primary's position are kept: more than the lag bound */
    LagEstimate(Duration keep) {
        this.keepNanos = keep.toNanos();
    }

    /**
     * Records the primary's WAL position.
     *
     * @param nanos when it was read ({@link System#nanoTime()})
     * @param lsn the primary's {@code pg_current_wal_lsn()}
     */
    void primaryAt(long nanos, long lsn) {
        samples.addLast(new Sample(nanos, lsn));
        while (samples.size() > 2 && nanos - samples.peekFirst().nanos() > keepNanos) {
            samples.removeFirst();
        }
    }

    /**
     * @param nanos now ({@link System#nanoTime()}), after the replica was read
     * @param replayed the replica's {@code pg_last_wal_replay_lsn()}
     * @param sinceLastReplayedCommit {@code now() - pg_last_xact_replay_timestamp()} on the
     *     replica, or null when it replayed no transaction yet
     * @return the lag bound; null when there is nothing to compare with (no sample and no commit)
     */
    Duration lag(long nanos, long replayed, Duration sinceLastReplayedCommit) {
        if (samples.isEmpty()) {
            return sinceLastReplayedCommit;
        }
        if (replayed >= samples.peekLast().lsn()) {
            return Duration.ZERO;
        }
        Duration bySamples = null;
        for (Iterator<Sample> it = samples.descendingIterator(); it.hasNext(); ) {
            Sample s = it.next();
            if (s.lsn() <= replayed) {
                bySamples = Duration.ofNanos(nanos - s.nanos());
                break;
            }
        }
        if (bySamples == null) {
            // behind the oldest kept sample: at least that stale, and (just after start, when the
            // samples span little time) the age of its last replayed commit, the safe side
            bySamples = Duration.ofNanos(nanos - samples.peekFirst().nanos());
            return sinceLastReplayedCommit == null ? bySamples : max(bySamples, sinceLastReplayedCommit);
        }
        return sinceLastReplayedCommit == null ? bySamples : min(bySamples, max(Duration.ZERO, sinceLastReplayedCommit));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}

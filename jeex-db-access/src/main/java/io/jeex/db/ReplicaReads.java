package io.jeex.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.postgresql.replication.LogSequenceNumber;

/**
 * Read-your-writes on a read replica. After a read-write transaction commits on the primary, the
 * primary's WAL insert position is remembered (it is at or past the commit's record); a read sent
 * to the replica first makes sure the replica has replayed that far ({@code
 * pg_last_wal_replay_lsn()}), waiting up to the configured bound, else it runs on the primary. The
 * replica's replayed position is remembered too, so reads after it caught up cost nothing extra.
 *
 * <p>One watermark per {@code JeexDatabase}: a read never returns data older than any write
 * this instance committed before the read began, whichever thread made it, whichever replica
 * serves it: each replica's replayed position is remembered on its own (by the reads and by its
 * lag probe).
 */
final class ReplicaReads {

    private static final long FIRST_POLL_MILLIS = 2;
    private static final long MAX_POLL_MILLIS = 20;

    private final ReadConsistency consistency;
    private final long waitNanos;
    private final AtomicLong written = new AtomicLong();
    /** When a position could not be read after a commit ({@link System#nanoTime()}), or {@link #KNOWN}. */
    private final AtomicLong unknownSince = new AtomicLong(KNOWN);
    private static final long KNOWN = Long.MIN_VALUE;
    private final AtomicLongArray replayed;

    /**
     * @param consistency the rule
     * @param wait how long a read waits for its replica
     * @param replicas how many replicas
     */
    ReplicaReads(ReadConsistency consistency, Duration wait, int replicas) {
        this.consistency = consistency;
        this.waitNanos = wait.toNanos();
        this.replayed = new AtomicLongArray(replicas);
    }

    /**
     * Records a replayed position seen by the replica's probe.
     *
     * @param replica its index
     * @param lsn its {@code pg_last_wal_replay_lsn()}
     */
    void observed(int replica, long lsn) {
        replayed.accumulateAndGet(replica, lsn, Math::max);
    }

    /** @return whether writes must record their position (read-your-writes is on) */
    boolean tracksWrites() {
        return consistency == ReadConsistency.READ_YOUR_WRITES;
    }

    /**
     * Records the primary's WAL insert position after a commit, on the connection that committed.
     *
     * @param primary the connection, auto-committed or between transactions
     */
    void committed(Connection primary) {
        long asked = System.nanoTime();
        try (Statement s = primary.createStatement();
             ResultSet rs = s.executeQuery("select pg_current_wal_insert_lsn()::text")) {
            if (rs.next()) {
                long lsn = LogSequenceNumber.valueOf(rs.getString(1)).asLong();
                written.accumulateAndGet(lsn, Math::max);
                // a position read after a failed one covers the commit that one missed
                unknownSince.getAndUpdate(since -> since != KNOWN && since - asked < 0 ? KNOWN : since);
            }
        } catch (SQLException | RuntimeException e) {
            // Not known: later reads go to the primary until a position is read again after a commit.
            long now = System.nanoTime();
            unknownSince.set(now == KNOWN ? now + 1 : now);
        }
    }

    /** @return the position a replica must have replayed: every commit's, or all when one is unknown */
    private long target() {
        return unknownSince.get() != KNOWN ? Long.MAX_VALUE : written.get();
    }

    /**
     * @param replica its index
     * @return whether a read may go to the replica without checking it
     */
    boolean knownCaughtUp(int replica) {
        return consistency == ReadConsistency.REPLICA || replayed.get(replica) >= target();
    }

    /**
     * Checks, on a replica connection, that the replica replayed every write of this instance,
     * waiting up to the bound.
     *
     * @param index the replica's index
     * @param replica a connection to the replica
     * @return whether it did; false sends the read to the primary
     */
    boolean caughtUp(int index, Connection replica) {
        long target = target();
        long deadline = System.nanoTime() + waitNanos;
        long poll = FIRST_POLL_MILLIS;
        try (Statement s = replica.createStatement()) {
            while (true) {
                try (ResultSet rs = s.executeQuery("select pg_last_wal_replay_lsn()::text")) {
                    String text = rs.next() ? rs.getString(1) : null;
                    if (text == null) {
                        return false; // not a standby (or not replaying): nothing to wait for
                    }
                    long lsn = LogSequenceNumber.valueOf(text).asLong();
                    replayed.accumulateAndGet(index, lsn, Math::max);
                    if (lsn >= target) {
                        return true;
                    }
                }
                if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(poll) > deadline) {
                    return false;
                }
                TimeUnit.MILLISECONDS.sleep(poll);
                poll = Math.min(MAX_POLL_MILLIS, poll * 2);
            }
        } catch (SQLException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

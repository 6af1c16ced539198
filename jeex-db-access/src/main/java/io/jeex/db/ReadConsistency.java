package io.jeex.db;

/**
 * What reads sent to the read replica may return ({@link ReplicaConfig#readConsistency()}).
 * Only read-only work goes to the replica: the repositories' reads, {@code readOnly(...)} and
 * transactions marked read-only.
 */
public enum ReadConsistency {
    /**
     * The default: a read never returns data older than the writes this {@code JeexDatabase}
     * committed before the read began. Each read-write transaction records the primary's WAL
     * position after its commit (one more round trip, only when a replica is configured); a read
     * checks that the replica has replayed that far, waits for it up to
     * {@link ReplicaConfig#waitTimeout()}, and otherwise runs on the primary.
     */
    READ_YOUR_WRITES,
    /**
     * Reads go to the replica whatever it has replayed: they may miss recent writes, including
     * this instance's own. No extra round trips.
     */
    REPLICA
}

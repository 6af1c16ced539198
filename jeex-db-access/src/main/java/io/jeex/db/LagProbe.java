package io.jeex.db;

import io.jeex.db.ReplicaNode.Reading;
import io.jeex.db.ReplicaNode.State;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.postgresql.replication.LogSequenceNumber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background probe of one replica, run every {@link ReplicaConfig#lagProbeInterval()}: reads
 * the primary's {@code pg_current_wal_lsn()}, then on the replica whether it is in recovery, its
 * replayed position and the age of its last replayed commit, and stores the lag
 * ({@link LagEstimate}) in the node. Each side on one connection of the probe's own (never a pooled
 * one), reopened after a failure; connect and socket timeouts are the pool's connect timeout. When
 * the primary does not answer, the replica is still measured (its lag against the last sample and
 * its last commit): reads may go on while the primary is away. Logs each change of state once.
 */
final class LagProbe implements Runnable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LagProbe.class);

    private static final String REPLICA_QUERY = "select pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, "
            + "extract(epoch from now() - pg_last_xact_replay_timestamp())";

    private final String name;
    private final ReplicaNode node;
    private final DirectDataSource primary;
    private final DirectDataSource replica;
    private final ReplicaReads reads;
    private final LagEstimate estimate;
    private volatile Connection primaryConnection;
    private volatile Connection replicaConnection;
    private volatile boolean closed;

    /**
     * @param name the instance name, for log lines
     * @param node the replica
     * @param primary connections to the primary
     * @param replica connections to the replica
     * @param reads told the replayed position (read-your-writes), or null
     * @param keep how long primary positions are kept ({@link LagEstimate})
     */
    LagProbe(String name, ReplicaNode node, DirectDataSource primary, DirectDataSource replica, ReplicaReads reads,
             Duration keep) {
        this.name = name;
        this.node = node;
        this.primary = primary;
        this.replica = replica;
        this.reads = reads;
        this.estimate = new LagEstimate(keep);
    }

    @Override
    public synchronized void run() {
        if (closed) {
            return;
        }
        try {
            readPrimary();
        } catch (SQLException | RuntimeException e) {
            primaryConnection = closed(primaryConnection);
        }
        Reading next;
        try {
            if (replicaConnection == null) {
                replicaConnection = replica.getConnection();
            }
            try (Statement s = replicaConnection.createStatement(); ResultSet rs = s.executeQuery(REPLICA_QUERY)) {
                rs.next();
                boolean inRecovery = rs.getBoolean(1);
                String replayed = rs.getString(2);
                double since = rs.getDouble(3);
                Duration sinceCommit = rs.wasNull() ? null : Duration.ofNanos((long) (Math.max(0, since) * 1e9));
                long now = System.nanoTime();
                if (!inRecovery || replayed == null) {
                    next = new Reading(State.NOT_STANDBY, null, now, null);
                } else {
                    long lsn = LogSequenceNumber.valueOf(replayed).asLong();
                    if (reads != null) {
                        reads.observed(node.index(), lsn);
                    }
                    Duration lag = estimate.lag(now, lsn, sinceCommit);
                    next = new Reading(State.STANDBY, lag == null ? Duration.ZERO : lag, now, null);
                }
            }
        } catch (SQLException | RuntimeException e) {
            replicaConnection = closed(replicaConnection);
            next = new Reading(State.DOWN, null, System.nanoTime(), HealthProbes.describe(e));
        }
        State before = node.reading().state();
        node.reading(next);
        if (before != next.state()) {
            if (next.state() == State.STANDBY) {
                LOG.info("{}: replica {} ({}) is a standby, lag {} ms: used for reads while within the lag bound",
                        name, node.index(), node.maskedUrl(), next.lag().toMillis());
            } else if (next.state() == State.NOT_STANDBY) {
                LOG.warn("{}: replica {} ({}) is not in recovery (promoted, or a primary): not used for reads",
                        name, node.index(), node.maskedUrl());
            } else {
                LOG.warn("{}: replica {} ({}) did not answer ({}): not used for reads until it does", name,
                        node.index(), node.maskedUrl(), next.failure());
            }
        }
    }

    private void readPrimary() throws SQLException {
        if (primaryConnection == null) {
            primaryConnection = primary.getConnection();
        }
        try (Statement s = primaryConnection.createStatement();
             ResultSet rs = s.executeQuery("select pg_current_wal_lsn()::text")) {
            rs.next();
            estimate.primaryAt(System.nanoTime(), LogSequenceNumber.valueOf(rs.getString(1)).asLong());
        }
    }

    private static Connection closed(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException | RuntimeException e) {
                // broken already
            }
        }
        return null;
    }

    /**
     * Closes the probe's connections, also while a probe runs on them (pgjdbc closes the socket,
     * so a read blocked on a silent server ends at once), and keeps it from opening new ones.
     */
    @Override
    public void close() {
        closed = true;
        primaryConnection = closed(primaryConnection);
        replicaConnection = closed(replicaConnection);
    }
}

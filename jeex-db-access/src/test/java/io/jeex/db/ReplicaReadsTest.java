package io.jeex.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The position read-your-writes waits for: a commit whose position could not be read sends reads
 * to the primary until a position is read again after it, and no longer.
 */
class ReplicaReadsTest {

    @Test
    void aPositionThatCouldNotBeReadHoldsOnlyUntilTheNextOneIsRead() throws Exception {
        try (TestDatabase db = JeexPostgres.shared().newEmptyDatabase()) {
            ReplicaReads reads = new ReplicaReads(ReadConsistency.READ_YOUR_WRITES, Duration.ZERO, 1);
            try (Connection c = db.dataSource().getConnection()) {
                reads.committed(c);
            }
            long replayed;
            try (Connection c = db.dataSource().getConnection();
                 var rs = c.createStatement().executeQuery("select pg_current_wal_insert_lsn()::text")) {
                rs.next();
                replayed = org.postgresql.replication.LogSequenceNumber.valueOf(rs.getString(1)).asLong();
            }
            reads.observed(0, replayed);
            assertThat(reads.knownCaughtUp(0)).as("the replica replayed the commit's position").isTrue();

            Connection lost = db.dataSource().getConnection();
            lost.close(); // the connection went right after the COMMIT: its position is unknown
            reads.committed(lost);
            assertThat(reads.knownCaughtUp(0)).as("an unknown position: the primary serves the reads").isFalse();

            try (Connection c = db.dataSource().getConnection()) {
                reads.committed(c); // the next commit's position, read after the failure, covers it
            }
            try (Connection c = db.dataSource().getConnection();
                 var rs = c.createStatement().executeQuery("select pg_current_wal_insert_lsn()::text")) {
                rs.next();
                reads.observed(0, org.postgresql.replication.LogSequenceNumber.valueOf(rs.getString(1)).asLong());
            }
            assertThat(reads.knownCaughtUp(0)).as("known again: the replica may serve reads again").isTrue();
        }
    }
}

package io.jeex.db.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A primary with two streaming standbys made from backups of the live primary: replay, pause, kill, promote. */
class ReplicatedPostgresTest {

    @Test
    void standbysStreamPauseAndOneIsPromotedAfterThePrimaryIsKilled() throws Exception {
        Path dataDir;
        int primaryPort;
        try (ReplicatedPostgres cluster = ReplicatedPostgres.start(2)) {
            dataDir = cluster.logFile().getParent();
            primaryPort = cluster.port(0);
            assertThat(dataDir).startsWith(Path.of(System.getProperty("java.io.tmpdir")));
            assertThat(cluster.inRecovery(0)).as("node 0 is the primary").isFalse();
            assertThat(cluster.inRecovery(1)).isTrue();
            assertThat(cluster.inRecovery(2)).isTrue();
            assertThat(query(cluster.jdbcUrl(0), "select string_agg(slot_name || ':' || active, ',' order by slot_name)"
                    + " from pg_replication_slots")).as("a slot per standby, in use").isEqualTo("standby1:true,standby2:true");

            update(cluster.jdbcUrl(0), "create table t (n int)", "insert into t values (1)");
            cluster.awaitCaughtUp(1);
            cluster.awaitCaughtUp(2);
            assertThat(query(cluster.jdbcUrl(1), "select count(*) from t")).isEqualTo("1");
            assertThat(query(cluster.jdbcUrl(2), "select count(*) from t")).isEqualTo("1");

            cluster.pauseReplay(2);
            update(cluster.jdbcUrl(0), "insert into t values (2)");
            cluster.awaitCaughtUp(1);
            assertThat(query(cluster.jdbcUrl(1), "select count(*) from t")).isEqualTo("2");
            assertThat(query(cluster.jdbcUrl(2), "select count(*) from t")).as("replay paused").isEqualTo("1");
            cluster.resumeReplay(2);
            cluster.awaitCaughtUp(2);
            assertThat(query(cluster.jdbcUrl(2), "select count(*) from t")).isEqualTo("2");

            String writers = cluster.multiHostUrl(0, 1) + "?targetServerType=primary";
            assertThat(query(writers, "select pg_is_in_recovery()::text")).isEqualTo("false");
            assertThat(query(writers, "select inet_server_port()::text")).isEqualTo(String.valueOf(cluster.port(0)));

            cluster.kill(0);
            Awaitility.await("the killed primary's port refuses connections").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(50)).until(() -> !accepts(primaryPort));
            assertThatThrownBy(() -> query(writers + "&connectTimeout=5", "select 1"))
                    .as("no primary until one is promoted").isInstanceOf(SQLException.class);
            cluster.promote(1);
            assertThat(cluster.inRecovery(1)).isFalse();
            update(writers, "insert into t values (3)");
            assertThat(query(writers, "select inet_server_port()::text")).isEqualTo(String.valueOf(cluster.port(1)));
            assertThat(query(cluster.jdbcUrl(1), "select count(*) from t")).isEqualTo("3");
            assertThat(cluster.inRecovery(2)).as("the other standby still follows the old primary").isTrue();

            cluster.stop(2);
            assertThat(accepts(cluster.port(2))).isFalse();
        }
        assertThat(Files.exists(dataDir)).as("the data directories are deleted on close").isFalse();
    }

    @Test
    void aSynchronousFirstStandbyHasEveryAcknowledgedCommitWhenThePrimaryIsKilled() throws Exception {
        try (ReplicatedPostgres cluster = ReplicatedPostgres.start(1, true)) {
            update(cluster.jdbcUrl(0), "create table t (n int)");
            assertThat(query(cluster.jdbcUrl(0), "select application_name || ':' || sync_state from pg_stat_replication"))
                    .isEqualTo("standby1:sync");
            cluster.pauseReplay(1); // flushed but not applied: the promotion applies it
            try (Connection c = DriverManager.getConnection(cluster.jdbcUrl(0), cluster.user(), "");
                 Statement s = c.createStatement()) {
                for (int i = 0; i < 200; i++) {
                    s.executeUpdate("insert into t values (" + i + ")");
                }
            }
            cluster.kill(0);
            cluster.promote(1);
            assertThat(query(cluster.jdbcUrl(1), "select count(*) from t")).isEqualTo("200");
        }
    }

    @Test
    void nodeNumbersAreChecked() {
        assertThatThrownBy(() -> ReplicatedPostgres.start(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("standbys must be between 1 and 8, but was 0");
    }

    private static String query(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, ReplicatedPostgres.USER, "");
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void update(String url, String... sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, ReplicatedPostgres.USER, "");
             Statement s = c.createStatement()) {
            for (String each : sql) {
                s.execute(each);
            }
        }
    }

    private static boolean accepts(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", port), 2_000);
            return true;
        } catch (ConnectException e) {
            return false;
        }
    }
}

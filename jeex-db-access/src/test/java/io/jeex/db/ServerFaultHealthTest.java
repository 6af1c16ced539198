package io.jeex.db;

import static io.jeex.db.codegen.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.health.HealthReport;
import io.jeex.db.health.HealthStatus;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Health against a PostgreSQL of the test's own (zonky embedded, as the testkit uses), which the
 * test stops, restarts and replicates.
 */
class ServerFaultHealthTest {

    private final Path root = Path.of(System.getProperty("java.io.tmpdir"), "jeex-db-health-" + System.nanoTime());

    @AfterEach
    void removeDataDirectories() throws IOException {
        if (Files.exists(root)) {
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static EmbeddedPostgres start(Path dir, int port) throws IOException {
        return EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).setPort(port)
                .setRegisterShutdownHook(false).setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("fsync", "off").setServerConfig("timezone", "UTC").start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static JeexDbConfig.Builder config(int port) {
        return JeexDbConfig.builder("jdbc:postgresql://localhost:" + port + "/postgres").name("own").user("postgres")
                .poolSize(1).pool(p -> p.withMaxOverflow(2).withAcquireTimeout(Duration.ofSeconds(2))
                .withConnectTimeout(Duration.ofSeconds(1)))
                .health(h -> h.withTimeout(Duration.ofSeconds(2)).withMonitorInterval(Duration.ZERO));
    }

    @Test
    void aServerStoppedMidRunIsReportedDownWithinTheTimeoutAndUpAfterItsRestart() throws Exception {
        Path dir = root.resolve("primary");
        int port = freePort();
        EmbeddedPostgres pg = start(dir, port);
        try (JeexDatabase db = JeexDatabase.create(config(port).build())) {
            db.migrate();
            db.actingAsNewUser().users().create("ada@example.com", "Ada");
            assertThat(db.health().status()).isEqualTo(HealthStatus.UP);

            pg.close();
            long start = System.nanoTime();
            HealthReport down = db.health();
            Duration toDown = Duration.ofNanos(System.nanoTime() - start);

            assertThat(toDown).as("within the health timeout (2 s), 1 s margin for scheduling")
                    .isLessThan(Duration.ofSeconds(3));
            assertThat(down.status()).isEqualTo(HealthStatus.DOWN);
            assertThat(down.live()).isFalse();
            assertThat(down.ready()).isFalse();
            assertThat(down.reasons()).anyMatch(r -> r.startsWith("the database did not answer"));
            assertThat(down.toJson()).contains("\"status\":\"DOWN\"").contains("\"latencyMs\":null");
            System.out.println("health turned DOWN in " + toDown.toMillis() + " ms after the server stopped");

            pg = start(dir, port);
            Awaitility.await("UP after the restart")
                    .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                    .until(() -> db.health().status() == HealthStatus.UP);
            assertThat(db.system().users().byEmail("ada@example.com")).isPresent();
        } finally {
            pg.close();
        }
    }

    @Test
    void aStreamingReplicaIsReportedInRecoveryWithItsLag() throws Exception {
        Path primaryDir = root.resolve("primary");
        Path replicaDir = root.resolve("replica");
        int primaryPort = freePort();
        int replicaPort = freePort();
        // A cold base backup: the zonky bundle has no pg_basebackup, so copy a cleanly stopped
        // primary's data directory, then start the copy as a standby streaming from the primary.
        start(primaryDir, primaryPort).close();
        copy(primaryDir, replicaDir);
        Files.writeString(replicaDir.resolve("standby.signal"), "");
        Files.writeString(replicaDir.resolve("postgresql.auto.conf"), "\nprimary_conninfo = 'host=localhost port="
                + primaryPort + " user=postgres application_name=jeex_replica'\n", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        EmbeddedPostgres primary = start(primaryDir, primaryPort);
        EmbeddedPostgres replica = null;
        try {
            replica = start(replicaDir, replicaPort);
            try (JeexDatabase db = JeexDatabase.create(config(primaryPort)
                    .replica(r -> r.withUrl("jdbc:postgresql://localhost:" + replicaPort + "/postgres")).build())) {
                db.migrate();
                db.actingAsNewUser().users().create("ada@example.com", "Ada");
                Awaitility.await("the replica replays the primary's writes")
                        .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                        .until(() -> replicated(db));

                HealthReport report = db.health();

                assertThat(report.status()).as("%s", report).isEqualTo(HealthStatus.UP);
                assertThat(report.replicas().get(0).reachable()).isTrue();
                assertThat(report.replicas().get(0).inRecovery()).isTrue();
                assertThat(report.replicas().get(0).lag()).isNotNull().isGreaterThanOrEqualTo(Duration.ZERO);
                assertThat(report.pools()).extracting(HealthReport.PoolState::name)
                        .containsExactly("own", "own-replica");
                assertThat(report.breakers()).containsKeys("own", "own-replica");
                assertThat(report.toJson()).contains("\"replicas\":[{\"index\":0,\"url\":\"jdbc:postgresql://localhost:" + replicaPort
                        + "/postgres\",\"reachable\":true,\"inRecovery\":true,\"lagMs\":");
                System.out.println("replica lag reported (caught up): " + report.replicas().get(0).lag().toMillis() + " ms");

                // Pause replay on the standby: WAL still arrives, so the replayed position falls
                // behind the received one and the lag is the age of the last replayed commit.
                String replicaUrl = "jdbc:postgresql://localhost:" + replicaPort + "/postgres";
                try (java.sql.Connection c = java.sql.DriverManager.getConnection(replicaUrl, "postgres", "");
                     java.sql.Statement s = c.createStatement()) {
                    s.execute("select pg_wal_replay_pause()");
                    db.actingAsNewUser().users().create("bob@example.com", "Bob");
                    Awaitility.await("a lag shows while replay is paused")
                            .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                            .until(() -> {
                                HealthReport r = db.health();
                                return r.replicas().get(0).lag() != null
                                        && r.replicas().get(0).lag().compareTo(Duration.ofMillis(200)) > 0;
                            });
                    Duration lag = db.health().replicas().get(0).lag();
                    System.out.println("replica lag reported (replay paused): " + lag.toMillis() + " ms");
                    s.execute("select pg_wal_replay_resume()");
                }
                Awaitility.await("the lag is gone after replay resumes")
                        .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                        .until(() -> Duration.ZERO.equals(db.health().replicas().get(0).lag()));

                replica.close();
                replica = null;
                HealthReport withoutReplica = db.health();
                assertThat(withoutReplica.status()).isEqualTo(HealthStatus.DEGRADED);
                assertThat(withoutReplica.ready()).as("the primary still serves").isTrue();
                assertThat(withoutReplica.reasons()).anyMatch(r -> r.startsWith("read replica 0 (jdbc:postgresql://localhost:" + replicaPort
                        + "/postgres) did not answer"));
            }
        } finally {
            if (replica != null) {
                replica.close();
            }
            primary.close();
        }
    }

    @Test
    void thePrimaryAnsweringAsReplicaIsReportedAsNotInRecovery() throws Exception {
        int port = freePort();
        try (EmbeddedPostgres pg = start(root.resolve("primary"), port);
             JeexDatabase db = JeexDatabase.create(config(port)
                     .replica(r -> r.withUrl("jdbc:postgresql://localhost:" + port + "/postgres")).build())) {
            db.migrate();
            HealthReport report = db.health();
            assertThat(report.replicas().get(0).reachable()).isTrue();
            assertThat(report.replicas().get(0).inRecovery()).isFalse();
            assertThat(report.replicas().get(0).lag()).isNull();
            assertThat(report.status()).isEqualTo(HealthStatus.DEGRADED);
        }
    }

    /** Whether the replica has the migrated table and the user; before that it may lack the table. */
    private static boolean replicated(JeexDatabase db) {
        try {
            return db.readOnly(tx -> tx.dsl().fetchCount(USERS)) == 1;
        } catch (io.jeex.db.error.JeexDbException e) {
            return false;
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            files.forEach(source -> {
                Path target = to.resolve(from.relativize(source).toString());
                String name = source.getFileName().toString();
                if (name.equals("postmaster.pid") || name.equals("epg-lock")) {
                    return;
                }
                try {
                    if (Files.isDirectory(source)) {
                        Files.createDirectories(target);
                        // PostgreSQL refuses a data directory others may read
                        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
                    } else {
                        Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}

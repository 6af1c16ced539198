package io.jeex.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.health.HealthReport;
import io.jeex.db.health.HealthStatus;
import io.jeex.db.schema.JeexSchema;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

@JeexDbTest
class HealthTest {

    private static final String SECRET = "s3cr3t-health-pw";

    @Test
    void aMigratedDatabaseIsUpLiveAndReadyAndItsJsonHoldsNoPassword(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb).password(SECRET).build())) {
            HealthReport report = db.health();

            assertThat(report.status()).as("%s", report).isEqualTo(HealthStatus.UP);
            assertThat(report.live()).isTrue();
            assertThat(report.ready()).isTrue();
            assertThat(report.reasons()).isEmpty();
            assertThat(report.serverVersion()).startsWith("18");
            assertThat(report.latency()).isPositive();
            assertThat(report.migrations().currentVersion()).isEqualTo(JeexSchema.latestVersion());
            assertThat(report.migrations().pending()).isEmpty();
            assertThat(report.breakers()).containsEntry("test", "CLOSED");
            assertThat(report.pools()).extracting(HealthReport.PoolState::name).containsExactly("test");
            assertThat(report.replicas()).isEmpty();
            String json = report.toJson();
            assertThat(json).startsWith("{\"name\":\"test\",\"status\":\"UP\",\"live\":true,\"ready\":true,\"reasons\":[]")
                    .contains("\"pools\":[{\"name\":\"test\",\"active\":0,")
                    .contains("\"migrations\":{\"currentVersion\":\"" + JeexSchema.latestVersion() + "\",\"applied\":"
                            + JeexSchema.migrationScripts().size() + ",\"pending\":[],\"failed\":[],\"changed\":[]}")
                    .contains("\"breakers\":{\"test\":\"CLOSED\"}").endsWith("\"replicas\":[]}")
                    .doesNotContain(SECRET).doesNotContain("password");
            assertThat(report.toString()).doesNotContain(SECRET);
        }
    }

    @Test
    void aPendingMigrationMakesTheDatabaseLiveButNotReadyUntilMigrated() {
        try (TestDatabase empty = JeexPostgres.shared().newEmptyDatabase();
             JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(empty).build())) {
            HealthReport before = db.health();
            assertThat(before.status()).isEqualTo(HealthStatus.DEGRADED);
            assertThat(before.live()).isTrue();
            assertThat(before.ready()).isFalse();
            List<String> all = JeexSchema.migrationScripts().stream().map(f -> f.substring(1, f.indexOf("__"))).toList();
            assertThat(before.migrations().pending()).containsExactlyElementsOf(all);
            assertThat(before.reasons()).anyMatch(r -> r.contains(all.size() + " pending migration"));
            assertThat(before.toJson()).contains("\"ready\":false").contains("\"pending\":[\"1\",");

            db.migrate();

            HealthReport after = db.health();
            assertThat(after.status()).isEqualTo(HealthStatus.UP);
            assertThat(after.ready()).isTrue();
        }
    }

    @Test
    void aSaturatedPoolDoesNotDelayTheReportAndShowsInIt(TestDatabase testDb) throws Exception {
        ExecutorService waiter = Executors.newSingleThreadExecutor();
        List<Connection> held = new ArrayList<>();
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb)
                .health(h -> h.withTimeout(Duration.ofSeconds(1)))
                .pool(p -> p.withAcquireTimeout(Duration.ofSeconds(20))).build())) {
            for (int i = 0; i < db.config().pool().maximumSize(); i++) {
                held.add(db.dataSource().getConnection());
            }
            Future<?> queued = waiter.submit(() -> db.dsl().fetchValue("select 1"));
            Awaitility.await("a thread waits for a connection")
                    .atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                    .until(() -> db.runtime().primaryPool().getHikariPoolMXBean().getThreadsAwaitingConnection() > 0);

            long start = System.nanoTime();
            HealthReport report = db.health();
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(took).as("within its timeout (1 s), 1 s margin for scheduling").isLessThan(Duration.ofSeconds(2));
            assertThat(report.live()).isTrue();
            assertThat(report.status()).isEqualTo(HealthStatus.DEGRADED);
            HealthReport.PoolState pool = report.pools().get(0);
            assertThat(pool.active()).isEqualTo(3);
            assertThat(pool.max()).isEqualTo(3);
            assertThat(pool.pending()).isEqualTo(1);
            assertThat(report.reasons()).anyMatch(r -> r.contains("pool 'test' is saturated: 3 of 3 connections in use, 1 waiting"));
            System.out.println("health with a saturated pool answered in " + took.toMillis() + " ms");
            for (Connection c : held) {
                c.close();
            }
            held.clear();
            queued.get();
            assertThat(db.health().status()).isEqualTo(HealthStatus.UP);
        } finally {
            for (Connection c : held) {
                c.close();
            }
            waiter.shutdownNow();
        }
    }

    @Test
    void aServerThatAcceptsButNeverAnswersIsReportedDownWithinTheTimeout(TestDatabase testDb) throws Exception {
        // The kernel completes the TCP handshake (backlog); nothing ever reads or answers.
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
             JeexDatabase db = JeexDatabase.create(TestConfigs.forUrl(testDb, "jdbc:postgresql://127.0.0.1:"
                     + silent.getLocalPort() + "/silent").poolSize(0)
                             .health(h -> h.withTimeout(Duration.ofSeconds(1))).build())) {
            long start = System.nanoTime();
            HealthReport report = db.health();
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(took).as("within its timeout (1 s), 1 s margin for scheduling").isLessThan(Duration.ofSeconds(2));
            assertThat(report.status()).isEqualTo(HealthStatus.DOWN);
            assertThat(report.live()).isFalse();
            assertThat(report.reasons()).containsExactly("the database did not answer within the health timeout "
                    + "(1000 ms): check the host and port in JEEX_DB_URL and the network, or raise JEEX_DB_HEALTH_TIMEOUT");
            assertThat(report.pools()).as("pool figures need no connection").hasSize(1);
            System.out.println("health of a silent server answered DOWN in " + took.toMillis() + " ms");
        }
    }

    @Test
    void theMonitorUpdatesTheGaugesLogsEachChangeOnceAndNothingWhileTheStatusHoldsAndStopsWithClose() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (TestDatabase empty = JeexPostgres.shared().newEmptyDatabase()) {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            // a generous timeout: a slow check on a loaded machine must not flip the status
            JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(empty).name("monitored")
                    .health(h -> h.withTimeout(Duration.ofSeconds(10)).withMonitorInterval(Duration.ofMillis(50)))
                    .build(), registry);
            try {
                Awaitility.await("the monitor reports the pending migration")
                        .atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                        .until(() -> gauge(registry, "degraded") == 1.0);
                assertThat(registry.get("jeex.db.migrations.pending").gauge().value())
                        .isEqualTo(JeexSchema.migrationScripts().size());
                // the gauge is set before the change is logged: wait for the line too
                Awaitility.await("the monitor logs the first status")
                        .atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                        .until(() -> count(captured, "monitored: health DEGRADED") == 1);
                // several more ticks with the same status: each records a report with a new start time
                int linesAfterFirstState = lines(captured);
                List<java.time.Instant> ticks = new ArrayList<>();
                Awaitility.await("five more checks ran")
                        .atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                        .until(() -> {
                            java.time.Instant at = db.healthChecker().last().checkedAt();
                            if (ticks.isEmpty() || !ticks.get(ticks.size() - 1).equals(at)) {
                                ticks.add(at);
                            }
                            return ticks.size() > 5;
                        });
                assertThat(gauge(registry, "degraded")).isEqualTo(1.0);
                assertThat(lines(captured)).as("no log line while the status holds:%n%s",
                        captured.toString(StandardCharsets.UTF_8)).isEqualTo(linesAfterFirstState);
                db.migrate();
                Awaitility.await("the monitor sees the schema current")
                        .atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                        .until(() -> gauge(registry, "up") == 1.0);
                assertThat(gauge(registry, "degraded")).isZero();
                assertThat(registry.get("jeex.db.health.latency").gauge().value()).isPositive();
                Awaitility.await("the monitor logs the change")
                        .atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                        .until(() -> count(captured, "monitored: health changed DEGRADED -> UP") == 1);
                // and quiet again while UP: db.health() calls too
                int linesWhileUp = lines(captured);
                for (int i = 0; i < 3; i++) {
                    assertThat(db.health().status()).isEqualTo(HealthStatus.UP);
                }
                java.time.Instant seen = db.healthChecker().last().checkedAt();
                Awaitility.await("a monitor check after those")
                        .atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                        .until(() -> !db.healthChecker().last().checkedAt().equals(seen));
                assertThat(lines(captured)).as("no log line while UP:%n%s", captured.toString(StandardCharsets.UTF_8))
                        .isEqualTo(linesWhileUp);
            } finally {
                db.close();
            }
            Awaitility.await("the monitor thread ends")
                    .atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                    .until(() -> Thread.getAllStackTraces()
                    .keySet().stream().noneMatch(t -> t.getName().equals("jeex-db-monitor-monitored") && t.isAlive()));
            assertThat(registry.find("jeex.db.health.status").gauges()).as("gauges removed at close").isEmpty();
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(count(captured, "monitored: health DEGRADED: " + JeexSchema.migrationScripts().size()
                + " pending migration(s)")).as(log).isEqualTo(1);
        assertThat(count(captured, "monitored: health changed DEGRADED -> UP")).as(log).isEqualTo(1);
        assertThat(count(captured, "monitored: health changed")).as(log).isEqualTo(1);
    }

    @Test
    void aRoundTripThatAnsweredIsLiveEvenWhenTheMigrationStateCannotBeReadInTime(TestDatabase testDb) throws Exception {
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb)
                .health(h -> h.withTimeout(Duration.ofSeconds(1))).build());
             Connection locker = java.sql.DriverManager.getConnection(testDb.jdbcUrl(), testDb.user(), testDb.password())) {
            locker.setAutoCommit(false);
            try (java.sql.Statement s = locker.createStatement()) {
                // the health check's SELECT on the history table waits for this lock
                s.execute("lock table jeex_schema_history in access exclusive mode");
            }
            long start = System.nanoTime();
            HealthReport report = db.health();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            locker.rollback();

            assertThat(report.live()).as("%s", report).isTrue();
            assertThat(report.status()).isEqualTo(HealthStatus.DEGRADED);
            assertThat(report.ready()).isFalse();
            assertThat(report.latency()).isPositive();
            assertThat(report.serverVersion()).startsWith("18");
            assertThat(report.migrations()).isNull();
            assertThat(report.reasons()).containsExactly(
                    "the migration state could not be read within the health timeout (1000 ms)");
            assertThat(took).as("bounded by the health timeout").isLessThan(Duration.ofSeconds(2));
            assertThat(db.health().status()).as("after the lock is gone").isEqualTo(HealthStatus.UP);
        }
    }

    @Test
    void anUnreadableMigrationStateIsDegradedAndNotReady(TestDatabase testDb) throws Exception {
        String role = "jeex_health_" + Long.toHexString(System.nanoTime());
        try (Connection owner = java.sql.DriverManager.getConnection(testDb.jdbcUrl(), testDb.user(), testDb.password());
             java.sql.Statement s = owner.createStatement()) {
            s.execute("create role " + role + " login password 'health-pw'");
            s.execute("revoke all on jeex_schema_history from " + role);
            try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb).user(role)
                    .password("health-pw").build())) {
                HealthReport report = db.health();

                assertThat(report.live()).as("%s", report).isTrue();
                assertThat(report.status()).isEqualTo(HealthStatus.DEGRADED);
                assertThat(report.ready()).isFalse();
                assertThat(report.migrations()).isNull();
                assertThat(report.reasons()).singleElement().asString()
                        .startsWith("the migration state could not be read: SQLSTATE 42501")
                        .contains("permission denied").doesNotContain("health-pw");
            } finally {
                s.execute("drop owned by " + role);
                s.execute("drop role " + role);
            }
        }
    }

    @Test
    void aFailedOrChangedMigrationIsDegradedAndNotReady(TestDatabase testDb) throws Exception {
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb).build());
             Connection owner = java.sql.DriverManager.getConnection(testDb.jdbcUrl(), testDb.user(), testDb.password());
             java.sql.Statement s = owner.createStatement()) {
            assertThat(db.health().status()).as("the checksum computed from the script matches Flyway's")
                    .isEqualTo(HealthStatus.UP);

            s.execute("insert into jeex_schema_history (installed_rank, version, description, type, script, checksum, "
                    + "installed_by, execution_time, success) values (99, '99', 'broken', 'SQL', 'V99__broken.sql', 7, "
                    + "current_user, 1, false)");
            HealthReport failed = db.health();
            assertThat(failed.status()).as("%s", failed).isEqualTo(HealthStatus.DEGRADED);
            assertThat(failed.live()).isTrue();
            assertThat(failed.ready()).isFalse();
            assertThat(failed.migrations().failed()).containsExactly("99");
            assertThat(failed.migrations().currentVersion()).isEqualTo(JeexSchema.latestVersion());
            assertThat(failed.reasons()).containsExactly("failed migration(s): [99]");

            s.execute("delete from jeex_schema_history where version = '99'");
            s.execute("update jeex_schema_history set checksum = checksum + 1 where version = '1'");
            HealthReport changed = db.health();
            assertThat(changed.status()).as("%s", changed).isEqualTo(HealthStatus.DEGRADED);
            assertThat(changed.ready()).isFalse();
            assertThat(changed.migrations().changed()).containsExactly("1");
            assertThat(changed.reasons()).containsExactly(
                    "migration(s) changed after they were applied (checksum differs): [1]");
            assertThat(changed.toJson()).contains("\"changed\":[\"1\"]");
        }
    }

    @Test
    void anOpenCircuitBreakerIsDegradedAndNotReady(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb).build())) {
            db.runtime().breaker().transitionToOpenState();

            HealthReport report = db.health();

            assertThat(report.status()).as("%s", report).isEqualTo(HealthStatus.DEGRADED);
            assertThat(report.live()).isTrue();
            assertThat(report.ready()).isFalse();
            assertThat(report.breakers()).containsEntry("test", "OPEN");
            assertThat(report.reasons()).containsExactly("circuit breaker 'test' is OPEN");
            db.runtime().breaker().transitionToClosedState();
            assertThat(db.health().ready()).isTrue();
        }
    }

    @Test
    void behindAPoolerThatDoesNotAnswerTheServerIsLiveAndTheReportNamesThePooler(TestDatabase testDb)
            throws Exception {
        // The kernel accepts connections to the "pooler"; nothing ever answers. The server is reached directly.
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
             JeexDatabase db = JeexDatabase.create(TestConfigs.forUrl(testDb, "jdbc:postgresql://127.0.0.1:"
                     + silent.getLocalPort() + "/pooled").pool(p -> p.withPgBouncer(true))
                             .migration(m -> m.withUrl(testDb.jdbcUrl()))
                     .poolSize(0).health(h -> h.withTimeout(Duration.ofSeconds(1))).build())) {
            long start = System.nanoTime();
            HealthReport report = db.health();
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(report.live()).as("%s", report).isTrue();
            assertThat(report.status()).isEqualTo(HealthStatus.DEGRADED);
            assertThat(report.ready()).as("the schema is current and the breaker closed").isTrue();
            assertThat(report.migrations().currentVersion()).isEqualTo(JeexSchema.latestVersion());
            assertThat(report.reasons()).containsExactly("the pooler did not answer within the health timeout (1000 ms)");
            assertThat(took).as("bounded by the health timeout").isLessThan(Duration.ofSeconds(2));
        }
        // a refused pooler: reported with the driver's reason, still live
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forUrl(testDb, "jdbc:postgresql://127.0.0.1:1/pooled")
                .pool(p -> p.withPgBouncer(true)).migration(m -> m.withUrl(testDb.jdbcUrl())).poolSize(0)
                .health(h -> h.withTimeout(Duration.ofSeconds(1))).build())) {
            HealthReport report = db.health();
            assertThat(report.live()).as("%s", report).isTrue();
            assertThat(report.status()).isEqualTo(HealthStatus.DEGRADED);
            assertThat(report.reasons()).singleElement().asString().startsWith("the pooler did not answer: SQLSTATE 08");
        }
    }

    @Test
    void slowStatementsAreLoggedWithTheirShapeAndDurationButNeverTheirValues(TestDatabase testDb) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb).name("slowlog")
                .health(h -> h.withSlowQueryThreshold(Duration.ofMillis(100))).build())) {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            db.dsl().resultQuery("select pg_sleep(0.3), ?::text as v", "bound-secret-value").fetch();
            db.transaction(tx -> tx.dsl().execute("select pg_sleep(0.3) where 'literal-secret' <> ''"));
            db.dsl().fetchValue("select 'fast-one'");
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log).containsPattern("WARN .*slowlog: slow query: \\d+ ms, SELECT other: select pg_sleep\\(\\?\\), \\?::text as v")
                .containsPattern("slowlog: slow query: \\d+ ms, SELECT other: select pg_sleep\\(\\?\\) where \\? <> \\?")
                .doesNotContain("bound-secret-value").doesNotContain("literal-secret").doesNotContain("fast-one");
    }

    @Test
    void healthSettingsAreValidatedAndReadFromTheEnvironment() {
        JeexDbConfig config = JeexDbConfig.fromEnvironment(java.util.Map.of("JEEX_DB_URL", "jdbc:postgresql://h/db",
                "JEEX_DB_HEALTH_TIMEOUT", "3s", "JEEX_DB_MONITOR_INTERVAL", "0s", "JEEX_DB_SLOW_QUERY_THRESHOLD", "250ms"));
        assertThat(config.health().timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.health().monitorInterval()).isZero();
        assertThat(config.health().slowQueryThreshold()).isEqualTo(Duration.ofMillis(250));
        JeexDbConfig defaults = JeexDbConfig.builder("jdbc:postgresql://h/db").build();
        assertThat(defaults.health().timeout()).isEqualTo(HealthConfig.DEFAULTS.timeout());
        assertThat(defaults.health().monitorInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.health().slowQueryThreshold()).isEqualTo(Duration.ofSeconds(1));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> JeexDbConfig.builder("jdbc:postgresql://h/db")
                .health(h -> h.withTimeout(Duration.ofMillis(500)))).hasMessage("healthTimeout must be at least 1000 ms, but was 500 ms");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> JeexDbConfig.builder("jdbc:postgresql://h/db")
                .health(h -> h.withSlowQueryThreshold(Duration.ofMillis(-1)))).hasMessage("slowQueryThreshold must be at least 0 ms, but was -1 ms");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> JeexDbConfig.builder("jdbc:postgresql://h/db")
                .health(h -> h.withMonitorInterval(Duration.ofMillis(5)))).hasMessage("monitorInterval must be 0 ms (off) or at least 10 ms, but was 5 ms");
    }

    private static double gauge(SimpleMeterRegistry registry, String status) {
        var g = registry.find("jeex.db.health.status").tag("status", status).gauge();
        return g == null ? -1 : g.value();
    }

    private static int lines(ByteArrayOutputStream captured) {
        return (int) captured.toString(StandardCharsets.UTF_8).lines().count();
    }

    private static int count(ByteArrayOutputStream captured, String needle) {
        String log = captured.toString(StandardCharsets.UTF_8);
        int n = 0;
        for (int i = log.indexOf(needle); i >= 0; i = log.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}

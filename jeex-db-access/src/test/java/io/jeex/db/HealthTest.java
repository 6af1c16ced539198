package io.jeex.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.health.HealthReport;
import io.jeex.db.health.HealthStatus;
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
            assertThat(report.migrations().currentVersion()).isEqualTo("1");
            assertThat(report.migrations().pending()).isEmpty();
            assertThat(report.breakers()).containsEntry("test", "CLOSED");
            assertThat(report.pools()).extracting(HealthReport.PoolState::name).containsExactly("test", "test-migration");
            assertThat(report.replica()).isNull();
            String json = report.toJson();
            assertThat(json).startsWith("{\"name\":\"test\",\"status\":\"UP\",\"live\":true,\"ready\":true,\"reasons\":[]")
                    .contains("\"pools\":[{\"name\":\"test\",\"active\":0,")
                    .contains("\"migrations\":{\"currentVersion\":\"1\",\"applied\":1,\"pending\":[],\"failed\":[]}")
                    .contains("\"breakers\":{\"test\":\"CLOSED\"}").endsWith("\"replica\":null}")
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
            assertThat(before.migrations().pending()).containsExactly("1");
            assertThat(before.reasons()).anyMatch(r -> r.contains("1 pending migration"));
            assertThat(before.toJson()).contains("\"ready\":false").contains("\"pending\":[\"1\"]");

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
                .healthTimeout(Duration.ofSeconds(1)).acquireTimeout(Duration.ofSeconds(20)).build())) {
            for (int i = 0; i < db.config().maximumPoolSize(); i++) {
                held.add(db.dataSource().getConnection());
            }
            Future<?> queued = waiter.submit(() -> db.dsl().fetchValue("select 1"));
            Eventually.await("a thread waits for a connection", Duration.ofSeconds(10), () ->
                    db.runtime().primaryPool().getHikariPoolMXBean().getThreadsAwaitingConnection() > 0);

            long start = System.nanoTime();
            HealthReport report = db.health();
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(took).as("answers within 3x its timeout").isLessThan(Duration.ofSeconds(3));
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
                     + silent.getLocalPort() + "/silent").poolSize(0).healthTimeout(Duration.ofSeconds(1)).build())) {
            long start = System.nanoTime();
            HealthReport report = db.health();
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(took).as("answers within 3x its timeout").isLessThan(Duration.ofSeconds(3));
            assertThat(report.status()).isEqualTo(HealthStatus.DOWN);
            assertThat(report.live()).isFalse();
            assertThat(report.reasons()).containsExactly(
                    "the database did not answer within the health timeout (1000 ms)");
            assertThat(report.pools()).as("pool figures need no connection").hasSize(2);
            System.out.println("health of a silent server answered DOWN in " + took.toMillis() + " ms");
        }
    }

    @Test
    void theMonitorUpdatesTheGaugesLogsEachChangeOnceAndStopsWithClose() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (TestDatabase empty = JeexPostgres.shared().newEmptyDatabase()) {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(empty).name("monitored")
                    .monitorInterval(Duration.ofMillis(50)).build(), registry);
            try {
                Eventually.await("the monitor reports the pending migration", Duration.ofSeconds(20), () ->
                        gauge(registry, "degraded") == 1.0);
                assertThat(registry.get("jeex.db.migrations.pending").gauge().value()).isEqualTo(1.0);
                // several more ticks with the same status
                int ticks = count(captured, "Database: jdbc:postgresql");
                Eventually.await("more checks ran", Duration.ofSeconds(20),
                        () -> count(captured, "Database: jdbc:postgresql") >= ticks + 3 || ticks == 0);
                db.migrate();
                Eventually.await("the monitor sees the schema current", Duration.ofSeconds(20), () ->
                        gauge(registry, "up") == 1.0);
                assertThat(gauge(registry, "degraded")).isZero();
                assertThat(registry.get("jeex.db.health.latency").gauge().value()).isPositive();
            } finally {
                db.close();
            }
            Eventually.await("the monitor thread ends", Duration.ofSeconds(10), () -> Thread.getAllStackTraces()
                    .keySet().stream().noneMatch(t -> t.getName().equals("jeex-db-monitor-monitored") && t.isAlive()));
            assertThat(registry.find("jeex.db.health.status").gauges()).as("gauges removed at close").isEmpty();
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(count(captured, "monitored: health DEGRADED: 1 pending migration(s)")).as(log).isEqualTo(1);
        assertThat(count(captured, "monitored: health changed DEGRADED -> UP")).as(log).isEqualTo(1);
        assertThat(count(captured, "monitored: health changed")).as(log).isEqualTo(1);
    }

    @Test
    void slowStatementsAreLoggedWithTheirShapeAndDurationButNeverTheirValues(TestDatabase testDb) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb).name("slowlog")
                .slowQueryThreshold(Duration.ofMillis(100)).build())) {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            db.dsl().resultQuery("select pg_sleep(0.3), ?::text as v", "bound-secret-value").fetch();
            db.transaction(tx -> tx.dsl().execute("select pg_sleep(0.3) where 'literal-secret' <> ''"));
            db.dsl().fetchValue("select 'fast-one'");
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log).containsPattern("WARN .*slowlog: slow query: \\d+ ms, SELECT other: select pg_sleep\\(0\\.3\\), \\?::text as v")
                .containsPattern("slowlog: slow query: \\d+ ms, SELECT other: select pg_sleep\\(0\\.3\\) where \\? <> \\?")
                .doesNotContain("bound-secret-value").doesNotContain("literal-secret").doesNotContain("fast-one");
    }

    @Test
    void healthSettingsAreValidatedAndReadFromTheEnvironment() {
        JeexDbConfig config = JeexDbConfig.fromEnvironment(java.util.Map.of("JEEX_DB_URL", "jdbc:postgresql://h/db",
                "JEEX_DB_HEALTH_TIMEOUT", "3s", "JEEX_DB_MONITOR_INTERVAL", "0s", "JEEX_DB_SLOW_QUERY_THRESHOLD", "250ms"));
        assertThat(config.healthTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.monitorInterval()).isZero();
        assertThat(config.slowQueryThreshold()).isEqualTo(Duration.ofMillis(250));
        JeexDbConfig defaults = JeexDbConfig.builder("jdbc:postgresql://h/db").build();
        assertThat(defaults.healthTimeout()).isEqualTo(JeexDbConfig.DEFAULT_HEALTH_TIMEOUT);
        assertThat(defaults.monitorInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.slowQueryThreshold()).isEqualTo(Duration.ofSeconds(1));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> JeexDbConfig.builder("jdbc:postgresql://h/db")
                .healthTimeout(Duration.ofMillis(500))).hasMessage("healthTimeout must be at least 1000 ms, but was 500 ms");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> JeexDbConfig.builder("jdbc:postgresql://h/db")
                .slowQueryThreshold(Duration.ofMillis(-1))).hasMessage("slowQueryThreshold must be at least 0 ms, but was -1 ms");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> JeexDbConfig.builder("jdbc:postgresql://h/db")
                .monitorInterval(Duration.ofMillis(5))).hasMessage("monitorInterval must be 0 ms (off) or at least 10 ms, but was 5 ms");
    }

    private static double gauge(SimpleMeterRegistry registry, String status) {
        var g = registry.find("jeex.db.health.status").tag("status", status).gauge();
        return g == null ? -1 : g.value();
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

package io.jeex.db.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.cli.CliProcess.Run;
import io.jeex.db.schema.Catalog;
import io.jeex.db.schema.JeexSchema;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Migrations as deployments run them: several processes ({@code java -jar jeex-db.jar migrate}, the
 * same {@code JeexDatabase.migrate()} a service calls at start-up) at once, a failing migration of a
 * newer release, and a migration that needs a lock a long transaction holds. A newer release's
 * migration is a folder put on the tool's class path beside the jar, holding
 * {@code db/migration/jeex/V900__...sql}, as the next jeex-db jar would.
 */
class MigrationSafetyProcessTest {

    private static final int MIGRATIONS = JeexSchema.migrationScripts().size();
    private final Path root = Path.of(System.getProperty("java.io.tmpdir"), "jeex-migration-safety-" + System.nanoTime());

    @AfterEach
    void cleanUp() {
        Restore.deleteTree(root);
    }

    private static Map<String, String> env(TestDatabase db) {
        return Map.of("JEEX_DB_URL", db.jdbcUrl(), "JEEX_DB_USER", db.user());
    }

    /** A class-path folder holding one more migration, as a newer jeex-db would ship it. */
    private Path newerRelease(String file, String sql) throws Exception {
        Path folder = Files.createDirectories(root.resolve("newer").resolve(JeexSchema.RESOURCE_FOLDER));
        Files.writeString(folder.resolve(file), sql);
        return root.resolve("newer");
    }

    @Test
    void fourProcessesMigratingAtOnceApplyEachMigrationExactlyOnce() {
        try (TestDatabase empty = JeexPostgres.shared().newEmptyDatabase()) {
            List<CliProcess.Started> started = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                started.add(CliProcess.start(env(empty), null, "migrate", "--json"));
            }
            List<Run> runs = started.stream().map(CliProcess.Started::await).toList();

            assertThat(runs).allSatisfy(r -> assertThat(r.status()).as("%s", r).isZero());
            assertThat(runs.stream().mapToInt(r -> r.json().get("applied").asInt()).sum()).isEqualTo(MIGRATIONS);
            assertThat(runs).allSatisfy(r -> assertThat(r.json().get("currentVersion").asText())
                    .isEqualTo(JeexSchema.latestVersion()));
            assertThat(empty.dsl().fetchValue("select count(*) from " + JeexSchema.HISTORY_TABLE)).isEqualTo(
                    (long) MIGRATIONS);
            assertThat(empty.dsl().fetchValue("select count(distinct version) from " + JeexSchema.HISTORY_TABLE
                    + " where success")).isEqualTo((long) MIGRATIONS);
        }
    }

    @Test
    void aFailingMigrationLeavesTheSchemaTheDataAndTheHistoryUntouched() throws Exception {
        try (TestDatabase db = JeexPostgres.shared().newEmptyDatabase()) {
            JeexSchema.flyway(db.dataSource()).migrate();
            db.dsl().execute("insert into users (email, name) values ('ada@example.com', 'Ada'), ('bob@example.com', 'Bob')");
            Catalog catalog;
            try (Connection c = db.dataSource().getConnection()) {
                catalog = Catalog.read(c);
            }
            Object data = db.dsl().fetch("select email, name, updated_at from users order by email").formatCSV();
            Object history = db.dsl().fetch("select * from " + JeexSchema.HISTORY_TABLE + " order by installed_rank")
                    .formatCSV();
            Path newer = newerRelease("V900__a_newer_release.sql", """
                    CREATE TABLE release_notes (id integer PRIMARY KEY);
                    ALTER TABLE users ADD COLUMN nickname text;
                    INSERT INTO release_notes VALUES (1);
                    UPDATE users SET nickname = 'x';
                    ALTER TABLE users ADD CONSTRAINT users_nickname_check CHECK (nickname <> 'x');
                    """);

            Run run = CliProcess.start(env(db), newer, "migrate").await();

            assertThat(run.status()).as("%s", run).isOne();
            assertThat(run.err()).contains("migration V900__a_newer_release.sql failed at line 5 (ALTER TABLE users ADD "
                    + "CONSTRAINT users_nickname_check CHECK (nickname <> 'x')): SQLSTATE 23514").hasLineCount(1)
                    .as("the failure names the restore point made before it")
                    .containsPattern("; the restore point before it is jeex-migrate-\\S+ at LSN [0-9A-F]+/[0-9A-F]+\n$");
            try (Connection c = db.dataSource().getConnection()) {
                assertThat(catalog.differencesTo(Catalog.read(c))).as("the schema").isEmpty();
            }
            assertThat(db.dsl().fetch("select email, name, updated_at from users order by email").formatCSV())
                    .as("the data").isEqualTo(data);
            assertThat(db.dsl().fetch("select * from " + JeexSchema.HISTORY_TABLE + " order by installed_rank")
                    .formatCSV()).as("the history").isEqualTo(history);
        }
    }

    @Test
    void aMigrationWaitingForALockNeverBlocksTheApplicationLongerThanTheLockTimeout() throws Exception {
        Duration lockTimeout = Duration.ofSeconds(1);
        try (TestDatabase db = JeexPostgres.shared().newEmptyDatabase();
             JeexDatabase app = JeexDatabase.create(JeexDbConfig.builder(db.jdbcUrl()).name("app").user(db.user())
                     .poolSize(2).pool(p -> p.withMaxOverflow(0))
                     .health(h -> h.withMonitorInterval(Duration.ZERO)).build());
             Connection holder = db.dataSource().getConnection()) {
            app.migrate();
            app.actingAsNewUser().users().create("ada@example.com", "Ada");
            // A long transaction (a report, an idle session) that has read users: it holds a lock that
            // the migration's ALTER TABLE (ACCESS EXCLUSIVE) must wait for.
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.execute("select count(*) from users");
            }
            Path newer = newerRelease("V900__users_note.sql", "ALTER TABLE users ADD COLUMN note text;\n");

            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong slowest = new AtomicLong();
            AtomicLong queries = new AtomicLong();
            ExecutorService exec = Executors.newSingleThreadExecutor();
            Future<?> application = exec.submit(() -> {
                while (!stop.get()) {
                    long start = System.nanoTime();
                    app.system().users().byEmail("ada@example.com");
                    slowest.accumulateAndGet(System.nanoTime() - start, Math::max);
                    queries.incrementAndGet();
                }
                return null;
            });
            CliProcess.Started migrate = CliProcess.start(Map.of("JEEX_DB_URL", db.jdbcUrl(), "JEEX_DB_USER", db.user(),
                    "JEEX_DB_MIGRATION_LOCK_TIMEOUT", "1s", "JEEX_DB_MIGRATION_LOCK_RETRIES", "5"), newer, "migrate");
            // on a timeout, Awaitility's message shows the stderr read last
            Awaitility.await("a lock timeout")
                    .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(migrate::errSoFar, err -> err.contains("(try 2 of 6)"));
            long whileLocked = queries.get();
            Duration slowestWhileLocked = Duration.ofNanos(slowest.get());
            holder.rollback();
            Run run = migrate.await();
            stop.set(true);
            application.get(30, TimeUnit.SECONDS);
            exec.shutdown();

            System.out.printf(Locale.ROOT, "lock-safe migration: lock_timeout %d ms; while a transaction held the lock "
                            + "the application ran %d queries, the slowest took %d ms; the migration was applied after "
                            + "the holder ended, %.1f s after it started%n", lockTimeout.toMillis(), whileLocked,
                    slowestWhileLocked.toMillis(), run.took().toMillis() / 1000.0);
            assertThat(run.status()).as("%s", run).isZero();
            assertThat(run.out()).contains("migrate: 1 applied");
            assertThat(run.err()).contains("a statement waited the migration lock timeout (1000 ms) for a lock that "
                    + "another transaction holds (SQLSTATE 55P03); PostgreSQL rolled it back; trying again in 1000 ms "
                    + "(try 2 of 6)");
            assertThat(whileLocked).as("the application's queries went on").isGreaterThan(2);
            assertThat(slowestWhileLocked).as("blocked at most the lock timeout, plus a second for scheduling")
                    .isLessThan(lockTimeout.plusSeconds(1));
            assertThat(db.dsl().fetchValue("select count(*) from information_schema.columns where table_name = 'users' "
                    + "and column_name = 'note'")).isEqualTo(1L);
        }
    }
}

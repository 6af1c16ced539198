package io.jeex.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.MigrationEntry;
import io.jeex.db.MigrationResult;
import io.jeex.db.error.MigrationException;
import io.jeex.db.health.HealthReport;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.User;
import io.jeex.db.schema.JeexSchema;
import io.jeex.db.schema.ServiceMigrations;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A service with tables of its own: its migrations (test resources {@code db/migration/ideas})
 * are applied after jeex-db's by {@code migrate()}, listed by {@code migrations()}, checked by
 * {@code validateMigrations()} and by health and readiness, and they may refer to jeex-db's tables.
 */
class ServiceMigrationsTest {

    private static final ServiceMigrations IDEAS = ServiceMigrations.of("ideas", "classpath:db/migration/ideas");

    private static JeexDbConfig config(TestDatabase db) {
        return ServiceConfigs.defaults(db).serviceMigrations(IDEAS).build();
    }

    @Test
    void migrateAppliesJeexDbsMigrationsThenTheServicesOverTheSameConnectionRules() {
        try (TestDatabase empty = JeexPostgres.shared().newEmptyDatabase();
             JeexDatabase db = JeexDatabase.create(config(empty))) {
            MigrationResult first = db.migrate();
            MigrationResult again = db.migrate();

            assertThat(first.currentVersion()).isEqualTo(JeexSchema.latestVersion());
            assertThat(first.serviceResult()).hasValueSatisfying(s -> {
                assertThat(s.migrationsApplied()).isEqualTo(2);
                assertThat(s.previous()).isEmpty();
                assertThat(s.currentVersion()).isEqualTo("2");
            });
            assertThat(again.serviceResult()).hasValueSatisfying(s -> assertThat(s.migrationsApplied()).isZero());

            // the service's table refers to jeex-db's, and is there to use
            io.jeex.db.repository.Repositories newcomer = db.actingAsNewUser();
            User ada = newcomer.users().create("ada@example.com", "Ada");
            Project engine = newcomer.projects().create(ada.id(), "Engine", "en");
            int inserted = db.transaction(tx -> tx.dsl().execute(
                    "insert into ideas (project_id, title, votes) values (?, ?, 3)", engine.id(), "a lighter gear"));
            assertThat(inserted).isOne();

            List<MigrationEntry> all = db.migrations();
            assertThat(all).filteredOn(m -> m.owner().equals(MigrationEntry.JEEX)).hasSize(JeexSchema.migrationScripts().size());
            assertThat(all).filteredOn(m -> m.owner().equals("ideas")).extracting(MigrationEntry::version)
                    .containsExactly("1", "2");
            assertThat(all).allMatch(MigrationEntry::applied);
            db.validateMigrations();
            assertThat(empty.dsl().fetchValue("select count(*) from ideas_schema_history where success")).as(
                    "the service's own history table, with its baseline").isEqualTo(3L);
        }
    }

    @Test
    void theServicesMigrationsGetARestorePointBeforeThemAndTheMigrationLockTimeout() throws Exception {
        try (TestDatabase empty = JeexPostgres.shared().newEmptyDatabase()) {
            try (JeexDatabase jeexOnly = JeexDatabase.create(ServiceConfigs.defaults(empty).build())) {
                jeexOnly.migrate();
            }
            // jeex-db's migrations are all applied: the restore point comes before the service's
            try (JeexDatabase db = JeexDatabase.create(config(empty))) {
                MigrationResult result = db.migrate();
                assertThat(result.migrationsApplied()).isZero();
                assertThat(result.serviceResult().flatMap(MigrationResult::restorePointBefore)
                        .or(result::restorePointBefore)).as("a restore point before the service's migrations")
                        .hasValueSatisfying(point -> assertThat(point.name()).isNotBlank());
            }
            // a service migration that waits for a lock gives up after the migration lock timeout
            java.nio.file.Path folder = java.nio.file.Files.createTempDirectory("jeex-service-lock");
            java.nio.file.Files.writeString(folder.resolve("V1__users_note.sql"),
                    "ALTER TABLE users ADD COLUMN locky_note text;\n");
            ServiceMigrations locky = ServiceMigrations.of("locky", "filesystem:" + folder);
            try (JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(empty).serviceMigrations(locky)
                         .migration(m -> m.withLockTimeout(java.time.Duration.ofMillis(300)).withLockRetries(0))
                         .build());
                 java.sql.Connection holder = empty.dataSource().getConnection()) {
                holder.setAutoCommit(false);
                try (java.sql.Statement st = holder.createStatement()) {
                    st.execute("select count(*) from users"); // ACCESS SHARE until the holder ends
                }
                long start = System.nanoTime();
                Throwable refused = catchThrowable(db::migrate);
                java.time.Duration took = java.time.Duration.ofNanos(System.nanoTime() - start);
                assertThat(refused).isInstanceOf(MigrationException.class).hasMessageContaining("lock");
                assertThat(took).as("the lock timeout (300 ms), not the holder's transaction")
                        .isLessThan(java.time.Duration.ofSeconds(5));
                holder.rollback();
                assertThat(empty.dsl().fetchValue("select count(*) from information_schema.columns "
                        + "where table_name = 'users' and column_name = 'locky_note'")).isEqualTo(0L);
            } finally {
                try (var files = java.nio.file.Files.list(folder)) {
                    for (java.nio.file.Path f : files.toList()) {
                        java.nio.file.Files.delete(f);
                    }
                }
                java.nio.file.Files.delete(folder);
            }
        }
    }

    @Test
    void healthAndReadinessCoverTheServicesMigrations() {
        try (TestDatabase empty = JeexPostgres.shared().newEmptyDatabase()) {
            try (JeexDatabase jeexOnly = JeexDatabase.create(ServiceConfigs.defaults(empty).build())) {
                jeexOnly.migrate();
            }
            try (JeexDatabase db = JeexDatabase.create(config(empty))) {
                HealthReport before = db.health();
                assertThat(before.ready()).as("%s", before).isFalse();
                assertThat(before.migrations().pending()).containsExactly("ideas:1", "ideas:2");
                assertThat(before.reasons()).anyMatch(r -> r.contains("ideas:1"));
                assertThatValidateNames(db, "the migrations of ideas do not validate: migration 1 (ideas) is not "
                        + "applied yet: migrate first");

                db.migrate();
                HealthReport after = db.health();
                assertThat(after.ready()).as("%s", after).isTrue();
                assertThat(after.migrations().applied()).isEqualTo(JeexSchema.migrationScripts().size() + 3);

                empty.dsl().execute("update ideas_schema_history set checksum = checksum + 1 where version = '2'");
                HealthReport changed = db.health();
                assertThat(changed.ready()).isFalse();
                assertThat(changed.migrations().changed()).containsExactly("ideas:2");
                assertThatValidateNames(db, "migration 2 (idea votes) was changed after it was applied");
            }
        }
    }

    @Test
    void theServicesMigrationsAreReadFromTheEnvironmentAsTheCommandsDo() {
        JeexDbConfig config = JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", "jdbc:postgresql://db:5432/jeex",
                "JEEX_DB_SERVICE_NAME", "ideas",
                "JEEX_DB_SERVICE_LOCATIONS", "classpath:db/migration/ideas, filesystem:/srv/ideas/more",
                "JEEX_DB_SERVICE_SCHEMA", "ideas_schema"));
        assertThat(config.serviceMigrations()).contains(new ServiceMigrations("ideas",
                List.of("classpath:db/migration/ideas", "filesystem:/srv/ideas/more"), "ideas_schema",
                "ideas_schema_history"));
        Throwable half = catchThrowable(() -> JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL",
                "jdbc:postgresql://db:5432/jeex", "JEEX_DB_SERVICE_NAME", "ideas")));
        assertThat(half).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JEEX_DB_SERVICE_LOCATIONS");
        Throwable jeexOwn = catchThrowable(() -> ServiceMigrations.of("ideas", JeexSchema.LOCATION));
        assertThat(jeexOwn).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not jeex-db's");
    }

    private static void assertThatValidateNames(JeexDatabase db, String text) {
        Throwable thrown = catchThrowable(db::validateMigrations);
        assertThat(thrown).isInstanceOf(MigrationException.class).hasMessageContaining(text)
                .hasMessageNotContaining("flyway").hasMessageNotContaining("Flyway");
    }
}

package io.jeex.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.jeex.db.error.MigrationException;
import io.jeex.db.schema.JeexSchema;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import org.junit.jupiter.api.Test;

/**
 * The restore point that {@code migrate()} creates before it applies anything, and what happens
 * where the migration user may not create one ({@link MigrationConfig#restorePoint()}). The
 * drill that restores to it is jeex-db-cli's {@code RestoreProcessTest}.
 */
class RestorePointTest {

    @Test
    void migrateCreatesANamedRestorePointBeforeApplyingAndNoneWhenNothingIsPending() {
        try (TestDatabase empty = JeexPostgres.shared().newEmptyDatabase();
             JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(empty).build())) {
            MigrationResult first = db.migrate();
            MigrationResult second = db.migrate();

            RestorePoint point = first.restorePointBefore().orElseThrow();
            assertThat(point.name()).startsWith("jeex-migrate-empty-to-" + JeexSchema.latestVersion() + "-")
                    .hasSizeLessThan(64);
            assertThat(point.lsn()).matches("[0-9A-F]+/[0-9A-F]+");
            assertThat(second.restorePointBefore()).isEmpty();
        }
    }

    @Test
    void aRequiredRestorePointThatTheServerRefusesStopsTheMigrationAndIfPermittedMigratesWithout() {
        String role = "jeex_rp_" + System.nanoTime();
        try (TestDatabase admin = JeexPostgres.shared().newEmptyDatabase()) {
            admin.dsl().execute("create role " + role + " login");
            try (TestDatabase empty = JeexPostgres.shared().newEmptyDatabase()) {
                empty.dsl().execute("grant create on schema public to " + role);
                JeexDbConfig.Builder asOwner = TestConfigs.forDatabase(empty).user(role).password(null);
                try (JeexDatabase db = JeexDatabase.create(asOwner.build())) {
                    Throwable refused = catchThrowable(db::migrate);

                    assertThat(refused).isInstanceOf(MigrationException.class).hasMessage("test: no restore point "
                            + "could be created before migrating, so the schema was not changed: the migration user may "
                            + "not create restore points (SQLSTATE 42501): as a superuser, GRANT EXECUTE ON FUNCTION "
                            + "pg_create_restore_point(text) TO " + role + "; or set migrationRestorePoint "
                            + "(JEEX_DB_MIGRATION_RESTORE_POINT) to if_permitted or off");
                    assertThat(empty.dsl().fetchValue("select to_regclass('" + JeexSchema.HISTORY_TABLE + "') is null"))
                            .as("nothing applied, no history table").isEqualTo(true);
                }
                try (JeexDatabase db = JeexDatabase.create(asOwner
                        .migration(m -> m.withRestorePoint(RestorePointMode.IF_PERMITTED)).build())) {
                    MigrationResult result = db.migrate();
                    assertThat(result.migrationsApplied()).isEqualTo(JeexSchema.migrationScripts().size());
                    assertThat(result.restorePointBefore()).isEmpty();
                }
                empty.dsl().execute("drop owned by " + role);
            } finally {
                admin.dsl().execute("drop role " + role);
            }
        }
    }
}

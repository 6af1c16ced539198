package io.jeex.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.jeex.db.error.MigrationException;
import io.jeex.db.schema.JeexSchema;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import org.junit.jupiter.api.Test;

/**
 * Migration failures in the library's own words, as a service sees them from {@code migrate()}
 * and {@code validateMigrations()}: the script and line, the statement's first line, the
 * SQLSTATE and the server's message; no hints for Flyway's command line, no vendor links, no
 * class-path locations, one prefix.
 */
@JeexDbTest
class MigrationErrorTest {

    private static void assertNoFlywayWords(String message) {
        assertThat(message).doesNotContainIgnoringCase("flyway").doesNotContain("-X").doesNotContain("http")
                .doesNotContain("ignoreMigrationPatterns").doesNotContain("file:").doesNotContain("jar!")
                .doesNotContain("\n");
        assertThat(message.indexOf("test: ", 1)).as("one prefix").isEqualTo(-1);
    }

    @Test
    void aFailingStatementIsReportedWithItsScriptLineStatementAndSqlstate() {
        try (TestDatabase empty = JeexPostgres.shared().newEmptyDatabase();
             JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(empty).build())) {
            // Someone created a table by hand in a database whose history exists (baselined at 0).
            JeexSchema.flywayConfiguration(empty.dataSource()).baselineVersion("0").load().baseline();
            empty.dsl().execute("create table users (id int)");

            Throwable thrown = catchThrowable(db::migrate);

            assertThat(thrown).isInstanceOf(MigrationException.class);
            MigrationException e = (MigrationException) thrown;
            assertThat(e.sqlState()).isEqualTo("42P07");
            assertThat(e.getMessage()).startsWith("test: migrating the JEEX schema failed: migration "
                            + "V1__initial_schema.sql failed at line 36 (CREATE TABLE users): SQLSTATE 42P07, "
                            + "relation \"users\" already exists")
                    .containsPattern("PostgreSQL rolled the migration back; fix the cause and migrate again; "
                            + "the restore point before it is jeex-migrate-0-to-\\d+-\\S+ at LSN [0-9A-F]+/[0-9A-F]+$");
            assertNoFlywayWords(e.getMessage());
            assertThat(empty.dsl().fetchValue("select count(*) from jeex_schema_history where version = '1'"))
                    .as("nothing recorded as applied").isEqualTo(0L);
        }
    }

    @Test
    void aPendingMigrationFailsValidationWithWhatToDo() {
        try (TestDatabase empty = JeexPostgres.shared().newEmptyDatabase();
             JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(empty).build())) {
            Throwable thrown = catchThrowable(db::validateMigrations);

            assertThat(thrown).isInstanceOf(MigrationException.class)
                    .hasMessageStartingWith("test: the JEEX schema does not validate: migration 1 (initial schema) is "
                            + "not applied yet: migrate first")
                    .hasMessageContaining("migration " + JeexSchema.latestVersion() + " (")
                    .hasMessageEndingWith("is not applied yet: migrate first");
        }
    }

    @Test
    void aChangedMigrationFailsValidateAndMigrateInTheSameWords(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb).build())) {
            testDb.dsl().execute("update jeex_schema_history set checksum = checksum + 1 where version = '1'");
            String expected = "test: the JEEX schema does not validate: migration 1 (initial schema) was changed after "
                    + "it was applied (its checksum differs): restore the script as it was applied and add the change "
                    + "as a new migration";

            assertThat(catchThrowable(db::validateMigrations)).isInstanceOf(MigrationException.class).hasMessage(expected);
            Throwable migrate = catchThrowable(db::migrate);
            assertThat(migrate).isInstanceOf(MigrationException.class).hasMessage(expected);
            assertNoFlywayWords(migrate.getMessage());
        }
    }
}

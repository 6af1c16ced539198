package io.jeex.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.schema.JeexSchema;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import org.junit.jupiter.api.Test;

class MigrationTest {

    @Test
    void migrateAppliesTheSchemaOnceAndThenReportsItCurrent() {
        try (TestDatabase empty = JeexPostgres.shared().newEmptyDatabase();
             JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(empty)
                     .url("jdbc:postgresql://unused.invalid:5432/never")
                     .migration(m -> m.withUrl(empty.jdbcUrl())).build())) {
            MigrationResult first = db.migrate();
            MigrationResult second = db.migrate();

            assertThat(first.migrationsApplied()).isEqualTo(JeexSchema.migrationScripts().size());
            assertThat(first.previous()).isEmpty();
            assertThat(first.currentVersion()).isEqualTo(JeexSchema.latestVersion());
            assertThat(second.migrationsApplied()).isZero();
            assertThat(second.currentVersion()).isEqualTo(JeexSchema.latestVersion());
        }
    }
}

package io.jeex.db.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.Test;

/**
 * The rollback convention: every versioned migration from V2 on has a rollback script of the same
 * name in {@value JeexSchema#ROLLBACK_FOLDER}, and no rollback script stands without its migration.
 */
class RollbackScriptsTest {

    private static boolean versionedFromTwoOn(String script) {
        return script.startsWith("V") && script.contains("__")
                && MigrationVersion.fromVersion(script.substring(1, script.indexOf("__")))
                .isAtLeast("2");
    }

    @Test
    void everyVersionedMigrationFromV2OnHasItsRollbackScript() {
        List<String> needRollback = JeexSchema.migrationScripts().stream()
                .filter(RollbackScriptsTest::versionedFromTwoOn).toList();

        assertThat(needRollback).as("V2 exists, so the check is not empty").contains("V2__acting_user_function.sql");
        assertThat(JeexSchema.rollbackScripts())
                .as("a rollback script in %s for each migration, named exactly like it", JeexSchema.ROLLBACK_FOLDER)
                .containsAll(needRollback);
        for (String migration : needRollback) {
            assertThat(JeexSchema.rollbackScript(migration)).as(migration).get().asString().isNotBlank();
        }
    }

    @Test
    void everyRollbackScriptUndoesAnExistingMigration() {
        assertThat(JeexSchema.migrationScripts()).containsAll(JeexSchema.rollbackScripts());
        assertThat(JeexSchema.rollbackScript("V1__initial_schema.sql"))
                .as("V1 is undone by an empty database, not a script").isEmpty();
    }

    @Test
    void flywayNeverSeesTheRollbackFolder() {
        assertThat(JeexSchema.LOCATION).doesNotContain("rollback");
        assertThat(JeexSchema.ROLLBACK_FOLDER).doesNotStartWith(JeexSchema.RESOURCE_FOLDER);
    }
}

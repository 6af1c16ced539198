package io.jeex.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.jeex.db.error.MigrationException;
import io.jeex.db.schema.Catalog;
import io.jeex.db.schema.JeexSchema;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.api.MigrationVersion;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;

/**
 * Rollback scripts as a service (or the operator tool) uses them through
 * {@link JeexDatabase#rollback(String)}: each migration and its rollback leave the catalog exactly as
 * it was before the migration (tables, columns, types, defaults, constraints, indexes, policies,
 * triggers, functions, comments), for every version, and rows of the tables a rollback does not
 * touch survive; what cannot be rolled back is refused before anything changes.
 */
class RollbackTest {

    /** The versioned migrations, oldest first: 1, 2, ... */
    private static List<String> versions() {
        return JeexSchema.migrationScripts().stream().filter(f -> f.startsWith("V") && f.contains("__"))
                .map(f -> f.substring(1, f.indexOf("__"))).sorted((a, b) -> MigrationVersion.fromVersion(a)
                        .compareTo(MigrationVersion.fromVersion(b))).toList();
    }

    private static Catalog catalog(TestDatabase db) throws SQLException {
        try (Connection c = db.dataSource().getConnection()) {
            return Catalog.read(c);
        }
    }

    private static void migrateTo(TestDatabase db, String version) {
        JeexSchema.flywayConfiguration(db.dataSource()).target(version).load().migrate();
    }

    private static Map<String, Long> rows(DSLContext dsl) {
        Map<String, Long> rows = new HashMap<>();
        for (String table : List.of("users", "projects", "document_versions", "agent_executions", "exports")) {
            rows.put(table, (Long) dsl.fetchValue("select count(*) from " + table));
        }
        return rows;
    }

    @Test
    void eachMigrationAndItsRollbackLeaveTheCatalogAsBeforeAndTheRowsOfOtherTablesSurvive() throws Exception {
        List<String> versions = versions();
        assertThat(versions).as("a rollback needs at least V2").hasSizeGreaterThan(1);
        try (TestDatabase empty = JeexPostgres.shared().newEmptyDatabase();
             JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(empty).build())) {
            migrateTo(empty, versions.get(0));
            empty.dsl().execute("insert into users (email, name) values ('ada@example.com', 'Ada')");
            empty.dsl().execute("insert into projects (name, created_by) select 'Engine', id from users");
            Map<String, Long> rows = rows(empty.dsl());
            List<Catalog> catalogs = new ArrayList<>(List.of(catalog(empty)));

            for (int i = 1; i < versions.size(); i++) {
                migrateTo(empty, versions.get(i));
                Catalog migrated = catalog(empty);
                assertThat(catalogs.get(i - 1).differencesTo(migrated)).as("V%s changes the catalog", versions.get(i))
                        .isNotEmpty();

                RollbackResult back = db.rollback(versions.get(i - 1));

                String script = "V" + versions.get(i) + "__";
                assertThat(back.rolledBack()).hasSize(1).allMatch(s -> s.startsWith(script));
                assertThat(back.previousVersion()).isEqualTo(versions.get(i));
                assertThat(back.currentVersion()).isEqualTo(versions.get(i - 1));
                assertThat(catalogs.get(i - 1).differencesTo(catalog(empty)))
                        .as("the catalog after V%s and its rollback", versions.get(i)).isEmpty();
                assertThat(rows(empty.dsl())).isEqualTo(rows);

                migrateTo(empty, versions.get(i));
                assertThat(migrated.differencesTo(catalog(empty))).as("V%s applies again", versions.get(i)).isEmpty();
                catalogs.add(migrated);
            }

            RollbackResult all = db.rollback(versions.get(0));
            assertThat(all.rolledBack()).hasSize(versions.size() - 1);
            assertThat(all.restorePointBefore()).isPresent();
            assertThat(catalogs.get(0).differencesTo(catalog(empty))).isEmpty();
            assertThat(rows(empty.dsl())).isEqualTo(rows);
            assertThat(empty.dsl().fetchValues("select version from " + JeexSchema.HISTORY_TABLE
                    + " where version is not null")).map(String::valueOf).containsExactly(versions.get(0));
            assertThat(db.migrate().migrationsApplied()).isEqualTo(versions.size() - 1);
            assertThat(db.rollback(JeexSchema.latestVersion()).rolledBack()).as("the current version: nothing")
                    .isEmpty();
        }
    }

    @Test
    void aTargetAheadOrAMissingRollbackScriptIsRefusedAndNothingChanges() throws Exception {
        try (TestDatabase testDb = JeexPostgres.shared().newEmptyDatabase();
             JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb).build())) {
            db.migrate();
            Catalog before = catalog(testDb);

            Throwable ahead = catchThrowable(() -> db.rollback("99"));
            assertThat(ahead).isInstanceOf(MigrationException.class).hasMessage("test: rolling back the JEEX schema "
                    + "refused: the target version 99 is ahead of the schema version " + JeexSchema.latestVersion()
                    + ": rollback only goes back; to go forward, migrate");

            // A newer jeex-db applied V99, whose rollback script this one does not have.
            testDb.dsl().execute("insert into " + JeexSchema.HISTORY_TABLE + " (installed_rank, version, description, "
                    + "type, script, checksum, installed_by, execution_time, success) values (99, '99', 'from a newer "
                    + "jeex db', 'SQL', 'V99__from_a_newer_jeex_db.sql', 1, current_user, 1, true)");
            Throwable missing = catchThrowable(() -> db.rollback("1"));
            assertThat(missing).isInstanceOf(MigrationException.class).hasMessageStartingWith("test: rolling back the "
                            + "JEEX schema refused: no rollback script for db/rollback/jeex/V99__from_a_newer_jeex_db.sql "
                            + "in this jeex-db, so nothing was rolled back")
                    .hasMessageContaining("restore from a backup to a restore point before that migration");
            assertThat(before.differencesTo(catalog(testDb))).isEmpty();
            assertThat(testDb.dsl().fetchValue("select count(*) from " + JeexSchema.HISTORY_TABLE)).isEqualTo(
                    (long) JeexSchema.migrationScripts().size() + 1);

            assertThat(catchThrowable(() -> db.rollback("one"))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the rollback target must be a schema version such as 1 or 2, but was 'one'");
        }
    }
}

package io.jeex.db.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.api.output.ValidateResult;
import org.junit.jupiter.api.Test;

class MigrationTest {

    /** The version of the newest script, e.g. {@code 2} for {@code V2__acting_user_function.sql}. */
    private static String latestVersion() {
        return JeexSchema.migrationScripts().stream().filter(f -> f.startsWith("V"))
                .map(f -> f.substring(1, f.indexOf("__")))
                .max(java.util.Comparator.comparingInt(Integer::parseInt)).orElseThrow();
    }

    @Test
    void migrationsApplyToAnEmptyDatabaseValidateAndASecondMigrateIsANoOp() {
        try (TestDatabase db = JeexPostgres.shared().newEmptyDatabase()) {
            Flyway flyway = JeexSchema.flyway(db.dataSource());

            MigrateResult first = flyway.migrate();
            assertThat(first.success).isTrue();
            assertThat(first.migrationsExecuted).isEqualTo(JeexSchema.migrationScripts().size());
            assertThat(first.targetSchemaVersion).isEqualTo(latestVersion());

            ValidateResult validation = flyway.validateWithResult();
            assertThat(validation.validationSuccessful).as(validation.getAllErrorMessages()).isTrue();

            MigrateResult second = flyway.migrate();
            assertThat(second.migrationsExecuted).isZero();
            assertThat(flyway.info().current().getVersion().getVersion()).isEqualTo(latestVersion());
            assertThat(flyway.info().applied()).allMatch(m -> m.getState() == MigrationState.SUCCESS);

            List<String> tables = db.dsl().fetchValues(
                    "select table_name from information_schema.tables where table_schema = 'public' "
                            + "and table_name not in (select relname from pg_class where relispartition) order by 1")
                    .stream().map(Object::toString).toList();
            assertThat(tables).containsExactly("agent_executions", "document_versions", "exports",
                    JeexSchema.HISTORY_TABLE, "projects", "users");
        }
    }

    @Test
    void cleanIsDisabledUnlessAsked() {
        try (TestDatabase db = JeexPostgres.shared().newEmptyDatabase()) {
            Flyway flyway = JeexSchema.flyway(db.dataSource());
            flyway.migrate();
            assertThatThrownBy(flyway::clean).hasMessageContaining("clean");
            assertThat(db.dsl().fetchValue("select count(*) from pg_tables where tablename = 'users'"))
                    .isEqualTo(1L);

            JeexSchema.flywayConfiguration(db.dataSource(), true).load().clean();
            assertThat(db.dsl().fetchValue("select count(*) from pg_tables where tablename = 'users'"))
                    .isEqualTo(0L);
        }
    }

    @Test
    void migrationsHashNamesEveryScriptAndIsStable() {
        assertThat(JeexSchema.migrationScripts()).contains("V1__initial_schema.sql");
        assertThat(JeexSchema.migrationsHash()).hasSize(64).isEqualTo(JeexSchema.migrationsHash());
    }

    @Test
    void everyTableAndColumnHasAComment() {
        try (TestDatabase db = JeexPostgres.shared().newDatabase()) {
            List<String> uncommented = db.dsl().fetchValues("""
                    select c.table_name || '.' || c.column_name
                      from information_schema.columns c
                      join pg_class t on t.relname = c.table_name and t.relnamespace = 'public'::regnamespace
                                     and not t.relispartition
                     where c.table_schema = 'public' and c.table_name <> ?
                       and col_description(t.oid, c.ordinal_position) is null
                    union all
                    select t.relname::text from pg_class t
                     where t.relnamespace = 'public'::regnamespace and t.relkind in ('r', 'p')
                       and not t.relispartition and t.relname <> ?
                       and obj_description(t.oid, 'pg_class') is null
                    """, JeexSchema.HISTORY_TABLE, JeexSchema.HISTORY_TABLE).stream().map(Object::toString).toList();
            assertThat(uncommented).isEmpty();
        }
    }

    @Test
    void noIndexDuplicatesTheLeadingColumnsOfAnother() {
        try (TestDatabase db = JeexPostgres.shared().newDatabase()) {
            // An index whose key columns are a prefix of another index's on the same table, with
            // the same predicate and no uniqueness of its own, is redundant.
            List<String> redundant = db.dsl().fetchValues("""
                    select a.indexrelid::regclass::text || ' is covered by ' || b.indexrelid::regclass::text
                      from pg_index a
                      join pg_index b on a.indrelid = b.indrelid and a.indexrelid <> b.indexrelid
                      join pg_class t on t.oid = a.indrelid and t.relnamespace = 'public'::regnamespace
                     where not a.indisunique
                       and a.indexprs is null and b.indexprs is null
                       and pg_get_expr(a.indpred, a.indrelid) is not distinct from pg_get_expr(b.indpred, b.indrelid)
                       and array_length(a.indkey::int2[], 1) <= array_length(b.indkey::int2[], 1)
                       and (b.indkey::int2[])[0:array_length(a.indkey::int2[], 1) - 1] = a.indkey::int2[]
                       and (b.indoption::int2[])[0:array_length(a.indkey::int2[], 1) - 1] = a.indoption::int2[]
                    """).stream().map(Object::toString).toList();
            assertThat(redundant).isEmpty();
        }
    }
}

package io.jeex.db.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.flywaydb.core.api.exception.FlywayValidateException;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.junit.jupiter.api.Test;

/**
 * The corrections V1 makes to the seed schema, read from the catalog so that a later migration
 * cannot quietly undo them, and the Flyway settings that protect applied migrations.
 */
@JeexDbTest
class SchemaCorrectionsTest {

    private static final List<String> TABLES = List.of("agent_executions", "document_versions", "exports",
            "projects", "users");

    @Test
    void noColumnOfOurTablesIsATimestampWithoutTimeZone(DSLContext dsl) {
        // Flyway's own history table (installed_on) is not ours and is left out.
        List<String> columns = dsl.fetchValues("""
                select table_name || '.' || column_name || ' ' || data_type from information_schema.columns
                 where table_schema = 'public' and table_name <> ? and data_type like 'timestamp%'
                 order by 1""", JeexSchema.HISTORY_TABLE).stream().map(Object::toString).toList();
        assertThat(columns).as("timestamp columns").isNotEmpty()
                .allMatch(c -> c.endsWith(" timestamp with time zone"));
    }

    @Test
    void everyTablesIdDefaultsToUuidv7(DSLContext dsl) {
        Map<String, String> defaults = dsl.fetch("""
                select t.table_name::text as table_name, c.column_default::text as column_default
                  from information_schema.tables t
                  left join information_schema.columns c
                         on c.table_schema = t.table_schema and c.table_name = t.table_name and c.column_name = 'id'
                 where t.table_schema = 'public' and t.table_type = 'BASE TABLE' and t.table_name <> ?
                   and t.table_name not in (select relname from pg_class where relispartition)""",
                JeexSchema.HISTORY_TABLE).stream().collect(Collectors.toMap(
                        r -> r.get("table_name", String.class), r -> String.valueOf(r.get("column_default"))));
        assertThat(defaults.keySet()).containsExactlyInAnyOrderElementsOf(TABLES);
        assertThat(defaults).allSatisfy((table, def) -> assertThat(def).as(table + ".id default").isEqualTo("uuidv7()"));
    }

    @Test
    void everyForeignKeyHasTheOnDeleteRuleV1Documents(DSLContext dsl) {
        // confdeltype: a = NO ACTION (the default when ON DELETE is left out), r = RESTRICT,
        // c = CASCADE, n = SET NULL, d = SET DEFAULT. V1 gives every key an explicit rule and says why.
        Map<String, String> rules = dsl.fetch("""
                select conname::text as name, confdeltype::text as rule from pg_constraint
                 where contype = 'f' and connamespace = 'public'::regnamespace and conparentid = 0""").stream()
                .collect(Collectors.toMap(r -> r.get("name", String.class), r -> r.get("rule", String.class)));
        assertThat(rules).containsExactlyInAnyOrderEntriesOf(Map.of(
                "projects_created_by_fkey", "c",           // a user's projects go with the user
                "document_versions_project_id_fkey", "c",  // versions are part of their project
                "document_versions_created_by_fkey", "n",  // a version outlives its author
                "agent_executions_project_id_fkey", "c",   // the execution log is part of the project
                "exports_project_id_fkey", "c"));          // an export is derived from its project
        assertThat(rules.values()).as("no key left at the implicit NO ACTION").doesNotContain("a");
    }

    @Test
    void everyForeignKeyToProjectsIsNotNull(DSLContext dsl) {
        List<Record> columns = dsl.fetch("""
                select c.conname::text as name, a.attname::text as column_name, a.attnotnull as not_null
                  from pg_constraint c
                  join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any (c.conkey)
                 where c.contype = 'f' and c.confrelid = 'public.projects'::regclass and c.conparentid = 0""");
        assertThat(columns).extracting(r -> r.get("name", String.class)).containsExactlyInAnyOrder(
                "document_versions_project_id_fkey", "agent_executions_project_id_fkey", "exports_project_id_fkey");
        assertThat(columns).allSatisfy(r -> assertThat(r.get("not_null", Boolean.class))
                .as(r.get("name", String.class) + " on " + r.get("column_name", String.class)).isTrue());
    }

    @Test
    void aChangedChecksumOfAnAppliedMigrationFailsMigrate(TestDatabase db, DSLContext dsl) {
        // as if V1__initial_schema.sql had been edited after it was applied
        assertThat(dsl.execute("update " + JeexSchema.HISTORY_TABLE + " set checksum = checksum + 1 where version = '1'"))
                .isOne();

        assertThatThrownBy(() -> JeexSchema.flyway(db.dataSource()).migrate())
                .isInstanceOf(FlywayValidateException.class)
                .hasMessageContaining("checksum mismatch").hasMessageContaining("1");
    }

    @Test
    void aMigrationOlderThanTheAppliedOnesIsNeverAppliedOutOfOrder(TestDatabase db, DSLContext dsl) {
        assertThat(JeexSchema.flywayConfiguration(db.dataSource()).isOutOfOrder()).isFalse();

        // The database looks as if a later version had been applied but not version 1: with
        // out-of-order migrations off, Flyway refuses to migrate instead of applying V1 behind it.
        assertThat(dsl.execute("delete from " + JeexSchema.HISTORY_TABLE + " where version = '1'")).isOne();
        dsl.execute("insert into " + JeexSchema.HISTORY_TABLE + " (installed_rank, version, description, type, script,"
                + " checksum, installed_by, execution_time, success)"
                + " values (99, '99', 'later', 'SQL', 'V99__later.sql', 0, current_user, 0, true)");

        assertThatThrownBy(() -> JeexSchema.flyway(db.dataSource()).migrate())
                .isInstanceOf(FlywayValidateException.class)
                .hasMessageContaining("not applied");
        assertThat(dsl.fetchValue("select count(*) from " + JeexSchema.HISTORY_TABLE + " where version = '1'"))
                .as("V1 was not applied behind version 99").isEqualTo(0L);
    }
}

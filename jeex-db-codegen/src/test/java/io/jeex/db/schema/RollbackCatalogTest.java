package io.jeex.db.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.jooq.DSLContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each rollback script of the row-level security and personal-data migrations restores the catalog
 * exactly as it was before its migration: policies, row-level security flags, comments of tables,
 * columns, policies and functions, functions, constraints, indexes and triggers, as the catalog
 * itself prints them.
 */
class RollbackCatalogTest {

    @ParameterizedTest
    @ValueSource(strings = {"3", "4", "5"})
    void theRollbackScriptRestoresTheCatalogOfThePreviousVersion(String version) throws Exception {
        String script = JeexSchema.migrationScripts().stream().filter(f -> f.startsWith("V" + version + "__"))
                .findFirst().orElseThrow();
        try (TestDatabase db = JeexPostgres.shared().newEmptyDatabase()) {
            JeexSchema.flywayConfiguration(db.dataSource()).target(String.valueOf(Integer.parseInt(version) - 1))
                    .load().migrate();
            List<String> before = catalog(db.dsl());
            JeexSchema.flywayConfiguration(db.dataSource()).target(version).load().migrate();
            List<String> migrated = catalog(db.dsl());
            assertThat(migrated).as("the migration changes the catalog").isNotEqualTo(before);

            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                s.execute(rollback(script));
                c.commit();
            }

            assertThat(catalog(db.dsl())).isEqualTo(before);
        }
    }

    private static String rollback(String script) throws IOException {
        try (InputStream in = RollbackCatalogTest.class.getClassLoader()
                .getResourceAsStream("db/rollback/jeex/" + script)) {
            assertThat(in).as("db/rollback/jeex/%s", script).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** What a migration of this schema can change, one line per object, sorted. */
    private static List<String> catalog(DSLContext dsl) throws SQLException {
        return dsl.fetchValues("""
                select 'table ' || c.relname || ' rls=' || c.relrowsecurity || ' force=' || c.relforcerowsecurity
                       || ' comment=' || coalesce(obj_description(c.oid, 'pg_class'), '')
                  from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
                union all
                select 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                       || ' comment=' || coalesce(col_description(c.oid, a.attnum), '')
                  from pg_class c join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                 where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
                union all
                select 'policy ' || p.tablename || '.' || p.policyname || ' ' || p.cmd || ' ' || p.permissive || ' '
                       || array_to_string(p.roles, ',') || ' using=' || coalesce(p.qual, '') || ' check='
                       || coalesce(p.with_check, '') || ' comment=' || coalesce(obj_description(pol.oid, 'pg_policy'), '')
                  from pg_policies p join pg_policy pol on pol.polname = p.policyname
                   and pol.polrelid = (quote_ident(p.schemaname) || '.' || quote_ident(p.tablename))::regclass
                union all
                select 'function ' || p.oid::regprocedure || ' ' || pg_get_functiondef(p.oid)
                       || ' comment=' || coalesce(obj_description(p.oid, 'pg_proc'), '')
                  from pg_proc p where p.pronamespace = 'public'::regnamespace
                union all
                select 'constraint ' || conrelid::regclass || '.' || conname || ' ' || pg_get_constraintdef(oid)
                  from pg_constraint where connamespace = 'public'::regnamespace
                union all
                select 'index ' || indexname || ' ' || indexdef from pg_indexes where schemaname = 'public'
                union all
                select 'trigger ' || tgrelid::regclass || '.' || tgname || ' ' || pg_get_triggerdef(oid)
                  from pg_trigger where not tgisinternal
                order by 1
                """).stream().map(Object::toString).toList();
    }
}

package io.jeex.db.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.schema.JeexSchema;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.awaitility.Awaitility;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

class TemplateAndCloneTest {

    /** Everything the migrations create, as comparable text. */
    private static final String SCHEMA_SIGNATURE = """
            select 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
                   || ' ' || coalesce(column_default, '')
              from information_schema.columns where table_schema = 'public'
            union all
            select 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
              from pg_constraint where connamespace = 'public'::regnamespace
            union all
            select 'index ' || indexdef from pg_indexes where schemaname = 'public'
            union all
            select 'trigger ' || tgname || ' ' || pg_get_triggerdef(oid) from pg_trigger where not tgisinternal
            union all
            select 'migration ' || version || ' ' || checksum || ' ' || success from jeex_schema_history
            order by 1
            """;

    private final JeexPostgres postgres = JeexPostgres.shared();

    @Test
    void aCloneHoldsTheFullMigratedSchema() {
        List<String> expected;
        try (TestDatabase fresh = postgres.newEmptyDatabase()) {
            JeexSchema.flyway(fresh.dataSource()).migrate();
            expected = signature(fresh.dsl());
        }
        try (TestDatabase clone = postgres.newDatabase()) {
            List<String> actual = signature(clone.dsl());
            assertThat(actual).hasSizeGreaterThan(60).containsExactlyElementsOf(expected);
            assertThat(clone.dsl().fetchValue("select count(*) from users")).isEqualTo(0L);
        }
    }

    @Test
    void theTemplateIsNamedByTheMigrationHashAndTakesNoConnections() throws SQLException {
        String template = postgres.templateName();
        assertThat(template).isEqualTo("jeex_tpl_" + JeexSchema.migrationsHash().substring(0, 16) + "_"
                + java.time.YearMonth.now(java.time.ZoneOffset.UTC).format(
                        java.time.format.DateTimeFormatter.ofPattern("yyyyMM")));
        try (TestDatabase any = postgres.newDatabase(); Connection admin = admin(any)) {
            var row = DSL.using(admin, SQLDialect.POSTGRES)
                    .fetchOne("select datistemplate, datallowconn from pg_database where datname = ?", template);
            assertThat(row).isNotNull();
            assertThat(row.get(0, Boolean.class)).isTrue();
            assertThat(row.get(1, Boolean.class)).isFalse();
        }
    }

    @Test
    void everyCallGetsItsOwnDatabase() {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            try (TestDatabase db = postgres.newDatabase()) {
                assertThat(names.add(db.name())).isTrue();
                assertThat(db.dsl().fetchValue("select current_database()")).isEqualTo(db.name());
            }
        }
    }

    @Test
    void closingDropsTheDatabaseEvenWithConnectionsLeftOpen() throws Exception {
        TestDatabase db = postgres.newDatabase();
        String name = db.name();
        Connection leftOpen = db.dataSource().getConnection();
        try (TestDatabase other = postgres.newDatabase(); Connection admin = admin(other)) {
            DSLContext adminDsl = DSL.using(admin, SQLDialect.POSTGRES);
            assertThat(exists(adminDsl, name)).isTrue();

            db.close();

            Awaitility.await("database " + name + " dropped")
                    .atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                    .until(() -> !exists(adminDsl, name));
            assertThat(leftOpen.isValid(2)).as("the stray connection was terminated").isFalse();
        } finally {
            leftOpen.close();
        }
    }

    @Test
    void aKeptDatabaseSurvivesClose() throws Exception {
        TestDatabase db = postgres.newDatabase();
        db.keep();
        db.close();
        try (TestDatabase other = postgres.newDatabase(); Connection admin = admin(other)) {
            DSLContext adminDsl = DSL.using(admin, SQLDialect.POSTGRES);
            assertThat(exists(adminDsl, db.name())).isTrue();
            adminDsl.execute("drop database " + db.name() + " with (force)");
        }
    }

    @Test
    void theServerIsPostgres18() {
        assertThat(postgres.serverVersion()).startsWith("18.");
    }

    static Connection admin(TestDatabase any) throws SQLException {
        return DriverManager.getConnection(JeexPostgres.shared().jdbcUrl("postgres"), any.user(), any.password());
    }

    private static boolean exists(DSLContext dsl, String name) {
        return dsl.fetchExists(DSL.selectOne().from("pg_database").where("datname = ?", name));
    }

    private static List<String> signature(DSLContext dsl) {
        return dsl.fetchValues(SCHEMA_SIGNATURE).stream().map(Object::toString).toList();
    }
}

package io.jeex.db.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A service configures its own migrations once for all its tests: the template then holds them
 * after jeex-db's (named by the hash of both), so every test database already has the service's
 * tables and no test runs a migration.
 */
class ServiceTemplateTest {

    /** A testkit on the shared server (as the external provider) whose settings name a service. */
    private static JeexPostgres withService(Map<String, String> service) {
        JeexPostgres shared = JeexPostgres.shared();
        java.util.Map<String, String> settings = new java.util.HashMap<>(service);
        settings.put(TestkitSettings.URL, shared.jdbcUrl("postgres"));
        settings.put(TestkitSettings.PREFETCH, "0");
        return JeexPostgres.start(TestkitSettings.of(settings, Map.of()));
    }

    @Test
    void everyCloneHoldsTheServicesTablesAndItsHistoryWithoutRunningAMigration() {
        JeexPostgres postgres = withService(Map.of(TestkitSettings.SERVICE_NAME, "testsvc",
                TestkitSettings.SERVICE_LOCATIONS, "classpath:db/migration/testsvc"));
        try (TestDatabase db = postgres.newDatabase()) {
            assertThat(postgres.templateName()).startsWith("jeex_tpl_")
                    .isNotEqualTo(JeexPostgres.shared().templateName());
            assertThat(db.dsl().fetchValue("select to_regclass('public.notes') is not null")).isEqualTo(true);
            assertThat(db.dsl().fetchValue("select count(*) from testsvc_schema_history where version = '1' and success"))
                    .isEqualTo(1L);
            assertThat(db.dsl().fetchValue("select count(*) from jeex_schema_history where success"))
                    .isEqualTo((long) io.jeex.db.schema.JeexSchema.migrationScripts().size());
            // the service's table refers to jeex-db's and works in the clone
            db.dsl().execute("insert into users (email, name) values ('a@example.com', 'A')");
            db.dsl().execute("insert into projects (name, created_by) select 'P', id from users");
            assertThat(db.dsl().execute("insert into notes (project_id, body) select id, 'n' from projects")).isOne();
        } finally {
            postgres.shutdown();
        }
    }

    @Test
    void halfASettingSaysWhatIsMissing() {
        assertThatThrownBy(() -> TestkitSettings.of(Map.of(TestkitSettings.SERVICE_NAME, "testsvc"), Map.of())
                .serviceMigrations()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(TestkitSettings.SERVICE_LOCATIONS).hasMessageContaining("jeex-db-test.properties");
    }
}

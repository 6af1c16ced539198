package io.jeex.db.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.schema.JeexSchema;
import java.util.Map;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The Testcontainers provider, forced, on a machine where a Docker engine answers (skipped
 * elsewhere, such as on our CI, which has no Docker): a PostgreSQL 18 container whose clones
 * hold the migrated schema.
 */
@EnabledIf("dockerAnswers")
class ContainerProviderTest {

    static boolean dockerAnswers() {
        return ContainerServer.dockerAvailable();
    }

    @Test
    void forcedTestcontainersServesPostgres18WithClonesOfTheMigratedSchema() {
        JeexPostgres postgres = JeexPostgres.start(TestkitSettings.of(Map.of(
                TestkitSettings.PROVIDER, "testcontainers", TestkitSettings.PREFETCH, "1"), Map.of()));
        try {
            assertThat(postgres.provider()).isEqualTo(ProviderKind.TESTCONTAINERS);
            assertThat(postgres.selection().reason()).contains(TestkitSettings.PROVIDER);
            assertThat(postgres.serverVersion()).startsWith("18.");
            try (TestDatabase db = postgres.newDatabase()) {
                DSLContext dsl = db.dsl();
                assertThat(dsl.fetchValue(DSL.field("current_setting('server_version_num')::int", Integer.class)))
                        .isGreaterThanOrEqualTo(JeexPostgres.MIN_SERVER_VERSION_NUM);
                assertThat(dsl.fetchValues("""
                        select table_name from information_schema.tables
                         where table_schema = 'public' order by 1""").stream().map(Object::toString).toList())
                        .containsExactly("agent_executions", "document_versions", "exports", JeexSchema.HISTORY_TABLE,
                                "projects", "users");
                assertThat(dsl.fetchValue("select count(*) from " + JeexSchema.HISTORY_TABLE + " where not success"))
                        .isEqualTo(0L);
                assertThat(dsl.fetchValue("""
                        insert into users (email, name) values ('c@example.com', 'C')
                        returning uuid_extract_version(id)""")).as("ids come from uuidv7()").isEqualTo((short) 7);
                assertThat(db.jdbcUrl()).contains("/" + db.name());
            }
        } finally {
            postgres.shutdown();
        }
    }
}

package io.jeex.db.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;

class JeexDbCliTest {

    @Test
    void theDemoRunsEveryRepositoryAgainstJeexDbUrlAndLeavesItsDataThere() {
        try (TestDatabase target = JeexPostgres.shared().newEmptyDatabase()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = JeexDbCli.run(List.of("demo"), Map.of("JEEX_DB_URL", target.jdbcUrl(),
                    "JEEX_DB_USER", target.user()), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            String printed = out.toString(StandardCharsets.UTF_8);

            assertThat(status).as("stderr: %s", err).isZero();
            assertThat(printed).contains("migrate: MigrationResult[migrationsApplied=1")
                    .contains("duplicate sign-up refused: a user with this email already exists")
                    .contains("stale step change refused")
                    .contains("documents: about v2")
                    .contains("agents: 103 executions")
                    .contains("purged files [exports/")
                    .contains("summary: 1 user, project completed");
            DSLContext dsl = target.dsl();
            assertThat(dsl.fetchCount(dsl.selectFrom("users"))).isOne();
            assertThat(dsl.fetchCount(dsl.selectFrom("agent_executions"))).isEqualTo(103);
            assertThat(dsl.fetchCount(dsl.selectFrom("document_versions"))).isEqualTo(3);
            assertThat(dsl.fetchCount(dsl.selectFrom("exports"))).isZero();
        }
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = JeexDbCli.run(List.of("frobnicate"), Map.of(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage: jeex-db");
    }

    @Test
    void anUnreachableDatabaseFailsWithStatusOneAndNoPassword() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = JeexDbCli.run(List.of("demo"), Map.of("JEEX_DB_URL", "jdbc:postgresql://127.0.0.1:1/none",
                "JEEX_DB_PASSWORD", "s3cr3t-pw", "JEEX_DB_CONNECT_TIMEOUT", "1s", "JEEX_DB_ACQUIRE_TIMEOUT", "2s",
                "JEEX_DB_RETRY_DEADLINE", "1s"),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).isOne();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("demo failed").doesNotContain("s3cr3t-pw");
    }
}

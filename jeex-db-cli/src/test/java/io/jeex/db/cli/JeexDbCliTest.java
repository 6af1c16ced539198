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

/** The demo against {@code JEEX_DB_URL}, in this JVM; the process tests run it on its own embedded server. */
class JeexDbCliTest {

    /** How many migrations the schema has, and the version they bring a database to. */
    private static final int MIGRATIONS = io.jeex.db.schema.JeexSchema.migrationScripts().size();
    private static final String LATEST = io.jeex.db.schema.JeexSchema.latestVersion();

    @Test
    void theDemoRunsEveryRepositoryAgainstJeexDbUrlExplainsItsLinesAndLeavesItsDataThere() {
        try (TestDatabase target = JeexPostgres.shared().newEmptyDatabase()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = JeexDbCli.run(List.of("demo"), Map.of("JEEX_DB_URL", target.jdbcUrl(),
                    "JEEX_DB_USER", target.user()), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            String printed = out.toString(StandardCharsets.UTF_8);

            assertThat(status).as("stderr: %s", err).isZero();
            assertThat(printed).startsWith("database: jdbc:postgresql://")
                    .contains("\nmigrate: " + MIGRATIONS + " applied, schema version <empty> -> " + LATEST + "\n")
                    .contains("the same email in upper case is refused: a user with this email already exists")
                    .contains("status draft -> in_progress, step 1 -> 2")
                    .contains("a step change from a stale copy is refused")
                    .contains("documents: 3 versions: about v1 and v2 (history 2), specs v1")
                    .contains("3 agents ran (2 completed, 1 failed), then 100 validator runs were stored in one "
                            + "batch: 103 executions, 102 completed, 1 failed")
                    .contains("status pending -> processing -> completed")
                    .contains("1 export expired; purged, its file to delete: exports/")
                    .contains("project: status in_progress -> completed")
                    .contains("summary: 1 user, 1 project (completed), 3 document versions, 103 agent executions "
                            + "(102 completed, 1 failed), 1 export made and purged, in ")
                    .doesNotContain("MigrationResult[").doesNotContain("forced");
            DSLContext dsl = target.dsl();
            assertThat(dsl.fetchCount(dsl.selectFrom("users"))).isOne();
            assertThat(dsl.fetchCount(dsl.selectFrom("agent_executions"))).isEqualTo(103);
            assertThat(dsl.fetchCount(dsl.selectFrom("document_versions"))).isEqualTo(3);
            assertThat(dsl.fetchCount(dsl.selectFrom("exports"))).isZero();
        }
    }
}

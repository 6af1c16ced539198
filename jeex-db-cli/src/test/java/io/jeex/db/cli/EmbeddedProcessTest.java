package io.jeex.db.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jeex.db.cli.CliProcess.Run;
import org.junit.jupiter.api.Test;

/**
 * Without {@code JEEX_DB_URL}, the operator commands share one persistent embedded PostgreSQL 18
 * data directory, so that they agree with each other; the demo keeps its own fresh database. Real
 * {@code java -jar} processes, so this also proves that the bundled jar finds Flyway's PostgreSQL
 * support and the migrations inside itself. The demo and {@code embedded remove}:
 * {@link EmbeddedDemoProcessTest}.
 */
class EmbeddedProcessTest extends EmbeddedDirectoryProcessTest {

    @Test
    void migrateInfoValidateAndHealthAgreeOnOneDataDirectory() {
        Run info = run("info");
        assertThat(info.status()).as("%s", info).isZero();
        assertThat(info.out()).startsWith("database: embedded PostgreSQL 18.").contains("in " + dir)
                .contains("schema version: <empty>, " + MIGRATIONS + " pending");
        Run validate = run("validate");
        assertThat(validate.status()).as("%s", validate).isOne();
        assertThat(validate.err()).contains("migration 1 (initial schema) is not applied yet: migrate first");

        Run migrate = run("migrate");
        assertThat(migrate.status()).as("%s", migrate).isZero();
        assertThat(migrate.out()).endsWith("migrate: " + MIGRATIONS + " applied, schema version <empty> -> " + LATEST + "\n");
        assertThat(migrate.err()).as("no log lines at the default level").isEmpty();
        assertThat(migrate.out()).as("no restore reaches a point of a server without a WAL archive")
                .contains("(the embedded server archives no WAL: no restore reaches it)")
                .doesNotContain("jeex-db restore --target-name");

        Run after = run("info", "--json");
        assertThat(after.status()).isZero();
        JsonNode json = after.json();
        assertThat(json.get("currentVersion").asText()).isEqualTo(LATEST);
        assertThat(json.get("pending").asInt()).isZero();
        assertThat(run("validate").status()).isZero();
        Run health = run("--data-dir", dir.toString(), "health", "--json");
        assertThat(health.status()).as("%s", health).isZero();
        assertThat(health.json().get("status").asText()).isEqualTo("UP");
        assertThat(health.json().get("migrations").get("currentVersion").asText()).isEqualTo(LATEST);
    }
}

package io.jeex.db.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jeex.db.cli.CliProcess.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Without {@code JEEX_DB_URL}, the operator commands share one persistent embedded PostgreSQL 18
 * data directory, so that they agree with each other; the demo keeps its own fresh database. Real
 * {@code java -jar} processes, so this also proves that the bundled jar finds Flyway's PostgreSQL
 * support and the migrations inside itself.
 */
class EmbeddedProcessTest {

    /** How many migrations the schema has, and the version they bring a database to. */
    private static final int MIGRATIONS = io.jeex.db.schema.JeexSchema.migrationScripts().size();
    private static final String LATEST = io.jeex.db.schema.JeexSchema.latestVersion();

    private final Path dir = Path.of(System.getProperty("java.io.tmpdir"), "jeex-cli-embedded-" + System.nanoTime());

    @AfterEach
    void removeDirectory() throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private Run run(String... args) {
        return CliProcess.run(Map.of("JEEX_DB_EMBEDDED_DIR", dir.toString()), args);
    }

    @Test
    void migrateInfoValidateAndHealthAgreeOnOneDataDirectoryThatRemoveDeletes() {
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

        Run demo = run("demo");
        assertThat(demo.status()).as("%s", demo).isZero();
        assertThat(demo.out()).contains("a fresh embedded PostgreSQL 18.").contains("deleted when the demo ends")
                .contains("\nmigrate: " + MIGRATIONS + " applied, schema version <empty> -> " + LATEST + "\n");
        assertThat(run("info").out()).as("the demo did not touch the persistent database")
                .contains("schema version: " + LATEST + ", 0 pending");

        Run path = run("embedded", "path");
        assertThat(path.out()).isEqualTo(dir + "\n");
        Run remove = run("embedded", "remove");
        assertThat(remove.status()).as("%s", remove).isZero();
        assertThat(remove.out()).isEqualTo("embedded remove: deleted " + dir + "\n");
        assertThat(dir).doesNotExist();
    }
}

package io.jeex.db.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jeex.db.cli.InProcess.Run;
import io.jeex.db.faults.Ports;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The operator commands against {@code JEEX_DB_URL}, run in this JVM through {@link JeexDbCli#run}
 * (the process tests run the same through {@code java -jar}): exit status and output of every
 * command, human and {@code --json}.
 */
class OperatorCommandsTest {

    /** How many migrations the schema has, and the version they bring a database to. */
    private static final int MIGRATIONS = io.jeex.db.schema.JeexSchema.migrationScripts().size();
    private static final String LATEST = io.jeex.db.schema.JeexSchema.latestVersion();


    private static Run run(Map<String, String> env, String... args) {
        return InProcess.run(env, args);
    }

    private static Map<String, String> env(TestDatabase db) {
        Map<String, String> env = new HashMap<>();
        env.put("JEEX_DB_URL", db.jdbcUrl());
        env.put("JEEX_DB_USER", db.user());
        env.put("JEEX_DB_PASSWORD", "cli-s3cr3t");
        return env;
    }

    @Test
    void migrateInfoAndValidateTakeTheServicesOwnMigrations() throws Exception {
        String folder = java.nio.file.Path.of(OperatorCommandsTest.class.getResource("/service-migrations/ideas").toURI())
                .toString();
        try (TestDatabase empty = JeexPostgres.shared().newEmptyDatabase()) {
            Map<String, String> env = env(empty);
            env.put("JEEX_DB_SERVICE_NAME", "ideas");
            env.put("JEEX_DB_SERVICE_LOCATIONS", "filesystem:" + folder);

            Run before = run(env, "validate");
            assertThat(before.status()).isOne();
            assertThat(before.err()).contains("is not applied yet: migrate first");

            Run migrate = run(env, "migrate");
            assertThat(migrate.status()).as(migrate.err()).isZero();
            assertThat(migrate.out()).contains("migrate: " + MIGRATIONS + " applied, schema version <empty> -> " + LATEST
                    + "\n").endsWith("migrate: 1 applied, ideas version <empty> -> 1\n");

            Run info = run(env, "info", "--json");
            assertThat(info.status()).as(info.err()).isZero();
            JsonNode json = info.json();
            assertThat(json.get("currentVersion").asText()).isEqualTo(LATEST);
            assertThat(json.get("pending").asInt()).isZero();
            assertThat(json.get("migrations").findValuesAsText("owner")).containsOnly("jeex-db", "ideas")
                    .contains("ideas");
            assertThat(run(env, "info").out()).containsPattern("ideas:1 +Success +ideas");
            Run validate = run(env, "validate");
            assertThat(validate.status()).as(validate.err()).isZero();
            assertThat(validate.out()).contains("drift: none (the catalog is what the migrations make at version "
                    + LATEST + ", ideas 1)");
            assertThat(empty.dsl().fetchCount(empty.dsl().selectFrom("ideas"))).isZero();
        }
    }

    @Test
    void aPendingMigrationShowsInInfoFailsValidateAndDegradesHealthUntilMigrateAppliesIt() {
        try (TestDatabase empty = JeexPostgres.shared().newEmptyDatabase()) {
            Map<String, String> env = env(empty);

            Run info = run(env, "info");
            assertThat(info.status()).as(info.err()).isZero();
            assertThat(info.out()).contains("schema version: <empty>, " + MIGRATIONS + " pending")
                    .containsPattern("1 +Pending +initial schema");
            JsonNode infoJson = run(env, "info", "--json").json();
            assertThat(infoJson.get("command").asText()).isEqualTo("info");
            assertThat(infoJson.get("currentVersion").isNull()).isTrue();
            assertThat(infoJson.get("pending").asInt()).isEqualTo(MIGRATIONS);
            assertThat(infoJson.get("migrations").get(0).get("state").asText()).isEqualTo("Pending");

            Run validate = run(env, "validate");
            assertThat(validate.status()).isOne();
            assertThat(validate.out()).startsWith("database: ");
            assertThat(validate.err()).startsWith("jeex-db validate: the JEEX schema does not validate: migration 1 "
                    + "(initial schema) is not applied yet: migrate first").hasLineCount(1)
                    .contains("migration " + LATEST + " (");
            Run validateJson = run(env, "validate", "--json");
            assertThat(validateJson.status()).isOne();
            assertThat(validateJson.json().get("ok").asBoolean()).isFalse();
            assertThat(validateJson.json().get("error").get("type").asText()).isEqualTo("MigrationException");
            assertThat(validateJson.json().get("error").get("exitCode").asInt()).isOne();
            assertThat(validateJson.json().get("database").asText()).as("which database, as on success")
                    .isEqualTo(infoJson.get("database").asText());

            Run health = run(env, "health");
            assertThat(health.status()).as("DEGRADED").isEqualTo(JeexDbCli.EXIT_DEGRADED);
            assertThat(health.out()).contains("health: DEGRADED (live=true, ready=false)")
                    .contains("reason: " + MIGRATIONS + " pending migration");
            assertThat(run(env, "health", "--json").json().get("status").asText()).isEqualTo("DEGRADED");

            Run migrate = run(env, "migrate");
            assertThat(migrate.status()).as(migrate.err()).isZero();
            assertThat(migrate.out()).endsWith("migrate: " + MIGRATIONS + " applied, schema version <empty> -> " + LATEST + "\n");
            JsonNode again = run(env, "migrate", "--json").json();
            assertThat(again.get("applied").asInt()).isZero();
            assertThat(again.get("previousVersion").asText()).isEqualTo(LATEST);
            assertThat(again.get("currentVersion").asText()).isEqualTo(LATEST);

            assertThat(run(env, "info").out()).contains("schema version: " + LATEST + ", 0 pending")
                    .containsPattern("1 +Success +initial schema");
            Run valid = run(env, "validate", "--json");
            assertThat(valid.status()).isZero();
            assertThat(valid.json().get("ok").asBoolean()).isTrue();
            Run up = run(env, "health");
            assertThat(up.status()).as(up.out()).isZero();
            assertThat(up.out()).contains("health: UP (live=true, ready=true)").contains("server: PostgreSQL 18");

            Run json = run(env, "health", "--json");
            assertThat(json.status()).isZero();
            assertThat(json.json().get("status").asText()).isEqualTo("UP");
            assertThat(json.json().get("ready").asBoolean()).isTrue();
            assertThat(json.out()).doesNotContain("cli-s3cr3t");
            assertThat(json.err()).isEmpty();
        }
    }

    @Test
    void healthOfAServerThatIsDownExitsOneWithOneJsonDocumentAndNoPassword() {
        Map<String, String> env = Map.of("JEEX_DB_URL", "jdbc:postgresql://127.0.0.1:" + Ports.closed() + "/none",
                "JEEX_DB_PASSWORD", "s3cr3t-pw", "JEEX_DB_HEALTH_TIMEOUT", "1s");
        Run json = run(env, "health", "--json");

        assertThat(json.status()).isOne();
        assertThat(json.json().get("status").asText()).isEqualTo("DOWN");
        assertThat(json.json().get("live").asBoolean()).isFalse();
        assertThat(json.json().get("reasons").get(0).asText()).startsWith("the database did not answer: the "
                + "connection was refused").contains("check the host and port in JEEX_DB_URL");
        assertThat(json.out() + json.err()).doesNotContain("s3cr3t-pw");
        Run text = run(env, "health");
        assertThat(text.status()).isOne();
        assertThat(text.out()).contains("health: DOWN (live=false, ready=false)");
    }

    @Test
    void aPasswordInTheUrlIsMaskedInWhatInfoPrints() {
        try (TestDatabase empty = JeexPostgres.shared().newEmptyDatabase()) {
            Map<String, String> env = env(empty);
            String url = empty.jdbcUrl();
            env.put("JEEX_DB_URL", url + (url.contains("?") ? "&" : "?") + "password=url-s3cr3t");

            Run info = run(env, "info");
            Run json = run(env, "info", "--json");

            assertThat(info.status()).as(info.err()).isZero();
            assertThat(info.out()).contains("database: jdbc:postgresql:").contains("password=****")
                    .contains("schema version: <empty>, " + MIGRATIONS + " pending");
            assertThat(json.json().get("database").asText()).contains("password=****");
            assertThat(info.out() + info.err() + json.out()).doesNotContain("url-s3cr3t");
        }
    }

    @Test
    void aFailedCommandPrintsOneLineWithOnePrefix() {
        Run run = run(Map.of("JEEX_DB_URL", "jdbc:postgresql://127.0.0.1:" + Ports.closed() + "/none",
                "JEEX_DB_CONNECT_TIMEOUT", "1s"), "migrate");

        assertThat(run.status()).isOne();
        assertThat(run.err()).startsWith("jeex-db migrate: the database did not answer: the connection was refused")
                .containsOnlyOnce("jeex-db").endsWith("\n").hasLineCount(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"migrate", "info", "validate", "health", "demo"})
    void everyCommandExitsOneWhenTheDatabaseRefusesAndTwoOnABadOptionOrValue(String command) {
        Map<String, String> refused = Map.of("JEEX_DB_URL", "jdbc:postgresql://127.0.0.1:" + Ports.closed() + "/x",
                "JEEX_DB_CONNECT_TIMEOUT", "1s", "JEEX_DB_HEALTH_TIMEOUT", "1s");
        Run failed = run(refused, command);
        assertThat(failed.status()).as("%s: %s", command, failed.err()).isOne();
        assertThat(failed.err() + failed.out()).contains("the connection was refused");

        Run badOption = run(refused, command, "--no-such-option");
        assertThat(badOption.status()).isEqualTo(JeexDbCli.EXIT_USAGE);
        assertThat(badOption.err()).contains("--no-such-option");

        Map<String, String> badValue = new HashMap<>(refused);
        badValue.put("JEEX_DB_POOL_SIZE", "many");
        Run config = run(badValue, command);
        assertThat(config.status()).isEqualTo(JeexDbCli.EXIT_USAGE);
        assertThat(config.err()).isEqualTo("jeex-db " + command + ": JEEX_DB_POOL_SIZE must be an integer, but was "
                + "'many'\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"health --json --bogus", "backup --json", "rollback --json --to", "migrate --json extra",
        "restore --json --from /nowhere"})
    void withJsonBadUsageIsOneJsonDocumentOnStdoutToo(String line) {
        Run run = run(Map.of(), line.split(" "));
        assertThat(run.status()).as(run.err()).isEqualTo(JeexDbCli.EXIT_USAGE);
        JsonNode doc = run.json();
        assertThat(doc.get("command").asText()).isEqualTo(line.substring(0, line.indexOf(' ')));
        assertThat(doc.get("ok").asBoolean()).isFalse();
        assertThat(doc.get("error").get("type").asText()).isEqualTo("UsageError");
        assertThat(doc.get("error").get("exitCode").asInt()).isEqualTo(JeexDbCli.EXIT_USAGE);
        assertThat(run.err()).as("the line and the hint stay on stderr").contains("--help");
    }

    @Test
    void aUrlAmongArgumentsTheToolCouldNotPlaceShowsMasked() {
        Run run = run(Map.of(), "migrate", "--json", "jdbc:postgresql://db/jeex?password=s3cr3t-arg");
        assertThat(run.status()).isEqualTo(JeexDbCli.EXIT_USAGE);
        assertThat(run.json().get("error").get("message").asText()).contains("password=****");
        assertThat(run.out() + run.err()).doesNotContain("s3cr3t-arg");
    }

    @Test
    void embeddedWithoutASubcommandIsBadUsage() {
        Run run = run(Map.of(), "embedded");
        assertThat(run.status()).isEqualTo(JeexDbCli.EXIT_USAGE);
        assertThat(run.err()).contains("a subcommand is required: path or remove");
    }
}

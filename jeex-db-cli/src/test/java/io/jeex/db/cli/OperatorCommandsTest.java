package io.jeex.db.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorCommandsTest {

    /** One run of the command line: its status and what it printed. */
    private record Run(int status, String out, String err) {
    }

    private static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = JeexDbCli.run(List.of(args), env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Map<String, String> env(TestDatabase db) {
        Map<String, String> env = new HashMap<>();
        env.put("JEEX_DB_URL", db.jdbcUrl());
        env.put("JEEX_DB_USER", db.user());
        env.put("JEEX_DB_PASSWORD", "cli-s3cr3t");
        env.put("JEEX_DB_POOL_SIZE", "1");
        env.put("JEEX_DB_POOL_MAX_OVERFLOW", "1");
        return env;
    }

    @Test
    void aPendingMigrationShowsInInfoFailsValidateAndHealthUntilMigrateAppliesIt() {
        try (TestDatabase empty = JeexPostgres.shared().newEmptyDatabase()) {
            Map<String, String> env = env(empty);

            Run info = run(env, "info");
            assertThat(info.status()).as(info.err()).isZero();
            assertThat(info.out()).contains("schema version: <empty>, 1 pending").containsPattern("1 +Pending +initial schema");

            Run validate = run(env, "validate");
            assertThat(validate.status()).isOne();
            assertThat(validate.err()).contains("validate failed").contains("not applied");

            Run health = run(env, "health");
            assertThat(health.status()).as("DEGRADED").isEqualTo(JeexDbCli.DEGRADED);
            assertThat(health.out()).contains("health: DEGRADED (live=true, ready=false)").contains("reason: 1 pending migration");

            Run migrate = run(env, "migrate");
            assertThat(migrate.status()).as(migrate.err()).isZero();
            assertThat(migrate.out()).contains("migrate: 1 applied, schema version <empty> -> 1");

            assertThat(run(env, "info").out()).contains("schema version: 1, 0 pending").containsPattern("1 +Success +initial schema");
            assertThat(run(env, "validate").status()).isZero();
            Run up = run(env, "health");
            assertThat(up.status()).as(up.out()).isZero();
            assertThat(up.out()).contains("health: UP (live=true, ready=true)").contains("server: PostgreSQL 18");

            Run json = run(env, "health", "--json");
            assertThat(json.status()).isZero();
            assertThat(json.out().trim()).startsWith("{\"name\":\"jeex-db\",\"status\":\"UP\"").endsWith("}")
                    .doesNotContain("cli-s3cr3t");
            assertThat(json.out().lines().count()).as("only the JSON object on stdout").isOne();
        }
    }

    @Test
    void healthOfAServerThatIsDownExitsNonZeroWithinItsTimeoutAndShowsNoPassword() {
        Map<String, String> env = Map.of("JEEX_DB_URL", "jdbc:postgresql://127.0.0.1:1/none",
                "JEEX_DB_PASSWORD", "s3cr3t-pw", "JEEX_DB_HEALTH_TIMEOUT", "1s");
        long start = System.nanoTime();
        Run json = run(env, "health", "--json");
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(json.status()).isOne();
        assertThat(json.out()).contains("\"status\":\"DOWN\"").contains("\"live\":false")
                .contains("the database did not answer").doesNotContain("s3cr3t-pw");
        assertThat(took).isLessThan(Duration.ofSeconds(10));
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

            assertThat(info.status()).as(info.err()).isZero();
            assertThat(info.out()).contains("database: jdbc:postgresql:").contains("password=****")
                    .contains("schema version: <empty>, 1 pending");
            assertThat(info.out() + info.err()).doesNotContain("url-s3cr3t");
        }
    }

    @Test
    void unknownOptionsAreUsageErrors() {
        assertThat(run(Map.of(), "health", "--yaml").status()).isEqualTo(2);
        assertThat(run(Map.of(), "migrate", "now").err()).contains(JeexDbCli.USAGE);
    }
}

package io.jeex.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JeexDbConfigTest {

    private static final String URL = "jdbc:postgresql://db:5432/jeex";
    private static final String SECRET = "s3cr3t-Pa55";
    private static final String URL_SECRET = "url-s3cr3t";
    private static final String MIGRATION_SECRET = "0wn3r-m1gr4t10n";

    @Test
    void defaultsFollowTheSeedPoolSettings() {
        JeexDbConfig config = JeexDbConfig.builder(URL).build();

        assertThat(config.pool().size()).isEqualTo(20);
        assertThat(config.pool().maxOverflow()).isEqualTo(30);
        assertThat(config.pool().maximumSize()).isEqualTo(50);
        assertThat(config.pool().acquireTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.pool().maxLifetime()).isEqualTo(Duration.ofHours(1));
        assertThat(config.pool().statementTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.pool().applicationName()).isEqualTo("jeex-db");
        assertThat(config.migrationUrl()).isEqualTo(URL);
        assertThat(config.replica().urls()).isEmpty();
        assertThat(config.pool().includeErrorDetail()).isFalse();
        assertThat(config.retry().maxAttempts()).isEqualTo(5);
    }

    @Test
    void invalidValueNamesThePropertyTheRuleAndTheValue() {
        assertThatThrownBy(() -> JeexDbConfig.builder(URL).poolSize(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("poolSize must be at least 0, but was -1");
        assertThatThrownBy(() -> JeexDbConfig.builder(URL).pool(p -> p.withAcquireTimeout(Duration.ofMillis(100))))
                .hasMessage("acquireTimeout must be at least 250 ms, but was 100 ms");
        assertThatThrownBy(() -> JeexDbConfig.builder(URL).breaker(b -> b.withFailureRateThreshold(0)))
                .hasMessage("breakerFailureRateThreshold must be above 0 and at most 100 (percent), but was 0.0");
        assertThatThrownBy(() -> JeexDbConfig.builder("jdbc:mysql://db/jeex"))
                .hasMessage("url must be a PostgreSQL JDBC URL starting with jdbc:postgresql:, but was 'jdbc:mysql://db/jeex'");
    }

    @Test
    void contradictionsThrowWhenBuilt() {
        assertThatThrownBy(() -> JeexDbConfig.builder(URL).poolSize(0).pool(p -> p.withMaxOverflow(0)).build())
                .hasMessageStartingWith("poolSize + maxOverflow must be at least 1, but was 0");
        assertThatThrownBy(() -> JeexDbConfig.builder(URL).retry(r -> r.withInitialBackoff(Duration.ofSeconds(2))
                .withMaxBackoff(Duration.ofSeconds(1))).build())
                .hasMessage("retryMaxBackoff must be at least retryInitialBackoff (2000 ms), but was 1000 ms");
        assertThatThrownBy(() -> JeexDbConfig.builder(URL).pool(p -> p.withPgBouncer(true)).build())
                .hasMessageStartingWith("pgBouncer is true, but migrationUrl is not set")
                .hasMessageContaining("set migrationUrl (JEEX_DB_MIGRATION_URL) to the PostgreSQL server itself");
        assertThatThrownBy(() -> JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", URL, "JEEX_DB_PGBOUNCER", "true")))
                .hasMessageContaining("JEEX_DB_MIGRATION_URL");
        assertThat(JeexDbConfig.builder(URL).pool(p -> p.withPgBouncer(true))
                .migration(m -> m.withUrl("jdbc:postgresql://direct:5432/jeex")).build()
                .migrationUrl()).isEqualTo("jdbc:postgresql://direct:5432/jeex");
        assertThatThrownBy(() -> JeexDbConfig.builder(URL).pool(p -> p.withPgBouncerPreparedStatements(true)).build())
                .hasMessageStartingWith("pgBouncerPreparedStatements is true, but pgBouncer is false")
                .hasMessageContaining("set pgBouncer (JEEX_DB_PGBOUNCER) to true");
        // either order of the two withX calls: the combination is checked when built
        assertThat(JeexDbConfig.builder(URL).pool(p -> p.withPgBouncerPreparedStatements(true).withPgBouncer(true))
                .migration(m -> m.withUrl("jdbc:postgresql://direct:5432/jeex")).build()
                .pool().pgBouncerPreparedStatements()).isTrue();
    }

    @Test
    void environmentSetsEveryVariableItIsGiven() {
        Map<String, String> env = new HashMap<>();
        env.put("JEEX_DB_URL", URL);
        env.put("JEEX_DB_USER", "jeex_app");
        env.put("JEEX_DB_PASSWORD", SECRET);
        env.put("JEEX_DB_MIGRATION_URL", "jdbc:postgresql://db-direct:5432/jeex");
        env.put("JEEX_DB_REPLICA_URL", "jdbc:postgresql://replica:5432/jeex");
        env.put("JEEX_DB_POOL_SIZE", "5");
        env.put("JEEX_DB_POOL_MAX_OVERFLOW", "7");
        env.put("JEEX_DB_ACQUIRE_TIMEOUT", "2s");
        env.put("JEEX_DB_STATEMENT_TIMEOUT", "PT15S");
        env.put("JEEX_DB_APPLICATION_NAME", "jeex-api");
        env.put("JEEX_DB_PGBOUNCER", "true");
        env.put("JEEX_DB_PGBOUNCER_PREPARED_STATEMENTS", "true");

        JeexDbConfig config = JeexDbConfig.fromEnvironment(env);

        assertThat(config.credentials().user()).contains("jeex_app");
        assertThat(config.credentials().hasPassword()).isTrue();
        assertThat(config.migrationUrl()).isEqualTo("jdbc:postgresql://db-direct:5432/jeex");
        assertThat(config.replica().urls()).containsExactly("jdbc:postgresql://replica:5432/jeex");
        assertThat(config.pool().maximumSize()).isEqualTo(12);
        assertThat(config.pool().acquireTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.pool().statementTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.pool().applicationName()).isEqualTo("jeex-api");
        assertThat(config.pool().pgBouncer()).isTrue();
        assertThat(config.pool().pgBouncerPreparedStatements()).isTrue();
    }

    @Test
    void migrationLockTimeoutRetriesAndRestorePointHaveDocumentedDefaultsAndEnvironmentVariables() {
        JeexDbConfig defaults = JeexDbConfig.builder(URL).build();
        assertThat(defaults.migration().lockTimeout()).isEqualTo(MigrationConfig.DEFAULTS.lockTimeout())
                .isEqualTo(Duration.ofSeconds(5));
        assertThat(defaults.migration().lockRetries()).isEqualTo(3);
        assertThat(defaults.migration().restorePoint()).isEqualTo(RestorePointMode.REQUIRED);

        JeexDbConfig config = JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", URL,
                "JEEX_DB_MIGRATION_LOCK_TIMEOUT", "750ms", "JEEX_DB_MIGRATION_LOCK_RETRIES", "0",
                "JEEX_DB_MIGRATION_RESTORE_POINT", "if_permitted"));
        assertThat(config.migration().lockTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(config.migration().lockRetries()).isZero();
        assertThat(config.migration().restorePoint()).isEqualTo(RestorePointMode.IF_PERMITTED);
        assertThat(config.toString()).contains("migrationLockTimeout=PT0.75S", "migrationRestorePoint=IF_PERMITTED");

        assertThatThrownBy(() -> JeexDbConfig.builder(URL).migration(m -> m.withLockTimeout(Duration.ZERO)))
                .hasMessage("migrationLockTimeout must be at least 1 ms, but was 0 ms");
        assertThatThrownBy(() -> JeexDbConfig.builder(URL).migration(m -> m.withLockRetries(11)))
                .hasMessage("migrationLockRetries must be at most 10, but was 11");
        assertThatThrownBy(() -> JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", URL,
                "JEEX_DB_MIGRATION_RESTORE_POINT", "maybe")))
                .hasMessage("JEEX_DB_MIGRATION_RESTORE_POINT must be required, if_permitted or off, but was 'maybe'");
        assertThatThrownBy(() -> JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", URL,
                "JEEX_DB_MIGRATION_LOCK_TIMEOUT", "5")))
                .hasMessageStartingWith("JEEX_DB_MIGRATION_LOCK_TIMEOUT must be a duration with a unit");
    }

    @Test
    void environmentErrorsNameTheVariable() {
        assertThatThrownBy(() -> JeexDbConfig.fromEnvironment(Map.of()))
                .hasMessageStartingWith("JEEX_DB_URL must be set");
        assertThatThrownBy(() -> JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", URL, "JEEX_DB_STATEMENT_TIMEOUT", "30")))
                .hasMessage("JEEX_DB_STATEMENT_TIMEOUT must be a duration with a unit (500ms, 30s, 5m, 1h or ISO-8601 "
                        + "PT30S), but was '30'");
        assertThatThrownBy(() -> JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", URL, "JEEX_DB_POOL_SIZE", "-3")))
                .hasMessage("JEEX_DB_POOL_SIZE: poolSize must be at least 0, but was -3");
        assertThatThrownBy(() -> JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", URL, "JEEX_DB_PGBOUNCER", "yes")))
                .hasMessage("JEEX_DB_PGBOUNCER must be true or false, but was 'yes'");
    }

    @Test
    void passwordIsReadFromAFileWithoutItsTrailingLineBreak(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("db-password");
        Files.writeString(file, SECRET + "\n");

        JeexDbConfig config = JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", URL,
                "JEEX_DB_PASSWORD_FILE", file.toString()));

        assertThat(config.credentials().password()).contains(SECRET);
    }

    @Test
    void passwordAndPasswordFileTogetherAreAContradiction() {
        assertThatThrownBy(() -> JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", URL,
                "JEEX_DB_PASSWORD", SECRET, "JEEX_DB_PASSWORD_FILE", "/run/secrets/db")))
                .hasMessageStartingWith("JEEX_DB_PASSWORD and JEEX_DB_PASSWORD_FILE must not both be set")
                .hasMessageNotContaining(SECRET);
    }

    @Test
    void passwordNeverAppearsInToStringOrExceptionMessages() {
        String urlWithPassword = URL + "?user=jeex&password=" + URL_SECRET + "&ssl=false";
        JeexDbConfig config = JeexDbConfig.builder(urlWithPassword).password(SECRET)
                .replica(r -> r.withUrl("jdbc:postgresql://replica/jeex?password=" + URL_SECRET)).build();

        assertThat(config.toString()).doesNotContain(SECRET).doesNotContain(URL_SECRET)
                .contains("password=****");
        assertThatThrownBy(() -> JeexDbConfig.builder("jdbc:pg://db/jeex?password=" + URL_SECRET))
                .hasMessageNotContaining(URL_SECRET).hasMessageContaining("password=****");
        assertThatThrownBy(() -> JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", "jdbc:oracle://x?password="
                + URL_SECRET, "JEEX_DB_PASSWORD", SECRET)))
                .hasMessageNotContaining(URL_SECRET).hasMessageNotContaining(SECRET);
    }

    @Test
    void passwordNeverAppearsInLogLines() {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (TestDatabase testDb = JeexPostgres.shared().newDatabase()) {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            String url = testDb.jdbcUrl() + "?password=" + URL_SECRET;
            JeexDbConfig config = TestConfigs.forUrl(testDb, url).password(SECRET)
                    .pool(p -> p.withStatementTimeout(Duration.ZERO))
                    .build();
            try (JeexDatabase db = JeexDatabase.create(config)) {
                db.transaction(tx -> tx.dsl().selectOne().fetch());
            }
        } finally {
            System.setErr(original);
        }

        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log).as("the WARN and INFO lines were captured")
                .contains("test: statementTimeout is 0 ms").contains("test: started: url=").contains("password=****");
        assertThat(log).doesNotContain(SECRET).doesNotContain(URL_SECRET);
    }
    @Test
    void migrationCredentialsDefaultToTheMainUserAndPassword() {
        JeexDbConfig config = JeexDbConfig.builder(URL).user("jeex_user").password(SECRET).build();

        assertThat(config.credentials().effectiveMigrationUser()).contains("jeex_user");
        assertThat(config.credentials().effectiveMigrationPassword()).contains(SECRET);
        assertThat(config.toString()).contains("migrationUser=jeex_user").contains("migrationPassword=<password>");
    }

    @Test
    void migrationCredentialsAreReadFromTheEnvironmentAndAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("owner-password");
        Files.writeString(file, MIGRATION_SECRET + "\r\n");

        JeexDbConfig fromFile = JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", URL, "JEEX_DB_USER", "jeex_user",
                "JEEX_DB_PASSWORD", SECRET, "JEEX_DB_MIGRATION_USER", "jeex_owner",
                "JEEX_DB_MIGRATION_PASSWORD_FILE", file.toString()));
        JeexDbConfig fromVariable = JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", URL,
                "JEEX_DB_MIGRATION_USER", "jeex_owner", "JEEX_DB_MIGRATION_PASSWORD", MIGRATION_SECRET));

        assertThat(fromFile.credentials().user()).contains("jeex_user");
        assertThat(fromFile.credentials().password()).contains(SECRET);
        assertThat(fromFile.credentials().effectiveMigrationUser()).contains("jeex_owner");
        assertThat(fromFile.credentials().effectiveMigrationPassword()).contains(MIGRATION_SECRET);
        assertThat(fromVariable.credentials().effectiveMigrationPassword()).contains(MIGRATION_SECRET);
        assertThat(fromVariable.toBuilder().build().credentials().effectiveMigrationUser()).contains("jeex_owner");
    }

    @Test
    void migrationPasswordAndItsFileTogetherAreAContradiction() {
        assertThatThrownBy(() -> JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", URL,
                "JEEX_DB_MIGRATION_PASSWORD", MIGRATION_SECRET, "JEEX_DB_MIGRATION_PASSWORD_FILE", "/run/secrets/owner")))
                .hasMessageStartingWith("JEEX_DB_MIGRATION_PASSWORD and JEEX_DB_MIGRATION_PASSWORD_FILE must not both be set")
                .hasMessageNotContaining(MIGRATION_SECRET);
    }

    @Test
    void migrationPasswordNeverAppearsInToStringOrExceptionMessages(@TempDir Path dir) {
        JeexDbConfig config = JeexDbConfig.builder(URL).user("jeex_user").password(SECRET)
                .credentials(c -> c.withMigrationUser("jeex_owner").withMigrationPassword(MIGRATION_SECRET)).build();

        assertThat(config.toString()).doesNotContain(SECRET).doesNotContain(MIGRATION_SECRET)
                .contains("migrationUser=jeex_owner").contains("migrationPassword=****");
        assertThatThrownBy(() -> JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", URL,
                "JEEX_DB_MIGRATION_PASSWORD_FILE", dir.resolve("missing").toString(),
                "JEEX_DB_PASSWORD", SECRET)))
                .hasMessageStartingWith("JEEX_DB_MIGRATION_PASSWORD_FILE must be a readable file")
                .hasMessageNotContaining(SECRET);
    }

    @Test
    void migrateConnectsAsTheMigrationUser() {
        try (TestDatabase testDb = JeexPostgres.shared().newEmptyDatabase()) {
            JeexDbConfig config = TestConfigs.forDatabase(testDb).user("nobody_here")
                    .credentials(c -> c.withMigrationUser(testDb.user())).build();
            try (JeexDatabase db = JeexDatabase.create(config)) {
                assertThat(db.migrate().migrationsApplied()).isPositive();
            }
        }
    }

    @Test
    void aPortOutsideOneTo65535IsRefusedWhereTheUrlIsSet() {
        assertThatThrownBy(() -> JeexDbConfig.builder("jdbc:postgresql://localhost:99999/jeex"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("url must have a port from 1 to 65535, but was 'jdbc:postgresql://localhost:99999/jeex'");
        assertThatThrownBy(() -> JeexDbConfig.builder("jdbc:postgresql://a:5432,b:0/jeex?password=pw"))
                .hasMessage("url must have a port from 1 to 65535, but was 'jdbc:postgresql://a:5432,b:0/jeex?password=****'");
        assertThatThrownBy(() -> JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", "jdbc:postgresql://db:5432/x",
                "JEEX_DB_MIGRATION_URL", "jdbc:postgresql://db:65536/x")))
                .hasMessage("JEEX_DB_MIGRATION_URL: migrationUrl must have a port from 1 to 65535, but was "
                        + "'jdbc:postgresql://db:65536/x'");
        assertThat(JeexDbConfig.builder("jdbc:postgresql://[::1]:65535,localhost/jeex?sslrootcert=/etc/ca:1/x").build()
                .url()).startsWith("jdbc:postgresql://[::1]:65535");
    }
}

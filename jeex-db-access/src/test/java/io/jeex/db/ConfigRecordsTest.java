package io.jeex.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration records on their own: defaults, checks, copies, masking; no database. */
class ConfigRecordsTest {

    private static final String URL = "jdbc:postgresql://db:5432/jeex";
    private static final String SECRET = "s3cr3t-Pa55";
    private static final String FILE_SECRET = "f1l3-s3cr3t";

    @Test
    void defaultsAreThoseOfTheFlatConfigurationBeforeTheSplit() {
        assertThat(PoolConfig.DEFAULTS).isEqualTo(new PoolConfig(20, 30, Duration.ofSeconds(30),
                Duration.ofSeconds(10), Duration.ofHours(1), Duration.ofMinutes(10), Duration.ofMinutes(2),
                Duration.ofSeconds(30), "jeex-db", false, false, false));
        assertThat(PoolConfig.DEFAULTS.maximumSize()).isEqualTo(50);
        assertThat(RetryConfig.DEFAULTS).isEqualTo(new RetryConfig(5, Duration.ofMillis(20), 2.0,
                Duration.ofSeconds(1), Duration.ofSeconds(10), false));
        assertThat(BreakerConfig.DEFAULTS).isEqualTo(new BreakerConfig(50f, 20, 10, Duration.ofSeconds(10), 3));
        assertThat(HealthConfig.DEFAULTS).isEqualTo(new HealthConfig(Duration.ofSeconds(2), Duration.ofSeconds(30),
                Duration.ofSeconds(1)));
        assertThat(ReplicaConfig.DEFAULTS).isEqualTo(new ReplicaConfig(List.of(),
                ReadConsistency.READ_YOUR_WRITES, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(1)));
        assertThat(MigrationConfig.DEFAULTS).isEqualTo(new MigrationConfig(Optional.empty(), Duration.ofSeconds(5), 3,
                RestorePointMode.REQUIRED));
        assertThat(Credentials.DEFAULTS).isEqualTo(new Credentials(Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty()));

        JeexDbConfig config = JeexDbConfig.builder(URL).build();
        assertThat(config.pool()).isEqualTo(PoolConfig.DEFAULTS);
        assertThat(config.retry()).isEqualTo(RetryConfig.DEFAULTS);
        assertThat(config.breaker()).isEqualTo(BreakerConfig.DEFAULTS);
        assertThat(config.health()).isEqualTo(HealthConfig.DEFAULTS);
        assertThat(config.replica()).isEqualTo(ReplicaConfig.DEFAULTS);
        assertThat(config.migration()).isEqualTo(MigrationConfig.DEFAULTS);
        assertThat(config.credentials()).isEqualTo(Credentials.DEFAULTS);
        assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.name()).isEqualTo("jeex-db");
    }

    @Test
    void eachRecordChecksItsValuesWithTheMessagesOfTheFlatConfiguration() {
        assertThatThrownBy(() -> PoolConfig.DEFAULTS.withSize(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("poolSize must be at least 0, but was -1");
        assertThatThrownBy(() -> PoolConfig.DEFAULTS.withConnectTimeout(Duration.ofMillis(999)))
                .hasMessage("connectTimeout must be at least 1000 ms, but was 999 ms");
        assertThatThrownBy(() -> PoolConfig.DEFAULTS.withKeepaliveTime(Duration.ofSeconds(5)))
                .hasMessage("keepaliveTime must be 0 ms (off) or at least 30000 ms, but was 5000 ms");
        assertThatThrownBy(() -> PoolConfig.DEFAULTS.withApplicationName(""))
                .hasMessage("applicationName must be 1 to 63 characters, but the given one is empty");
        assertThatThrownBy(() -> PoolConfig.DEFAULTS.withApplicationName("ada-lovelace-".repeat(5)))
                .hasMessage("applicationName must be 1 to 63 characters, but the given one has 65 (it is not shown)");
        assertThatThrownBy(() -> io.jeex.db.JeexDbConfig.builder("jdbc:postgresql://localhost/x").name("ada@example"))
                .hasMessage("name must be 1 to 48 letters, digits, '_', '.' or '-', but character 4 of the given "
                        + "name is not one of them (the name is not shown)");
        assertThatThrownBy(() -> RetryConfig.DEFAULTS.withMaxAttempts(0))
                .hasMessage("retryMaxAttempts must be at least 1, but was 0");
        assertThatThrownBy(() -> RetryConfig.DEFAULTS.withBackoffMultiplier(Double.NaN))
                .hasMessage("retryBackoffMultiplier must be a finite number of at least 1.0, but was NaN");
        assertThatThrownBy(() -> RetryConfig.DEFAULTS.withDeadline(Duration.ZERO))
                .hasMessage("retryDeadline must be at least 1 ms, but was 0 ms");
        assertThatThrownBy(() -> BreakerConfig.DEFAULTS.withFailureRateThreshold(101f))
                .hasMessage("breakerFailureRateThreshold must be above 0 and at most 100 (percent), but was 101.0");
        assertThatThrownBy(() -> BreakerConfig.DEFAULTS.withPermittedCallsInHalfOpenState(0))
                .hasMessage("breakerPermittedCallsInHalfOpenState must be at least 1, but was 0");
        assertThatThrownBy(() -> HealthConfig.DEFAULTS.withTimeout(Duration.ofMillis(500)))
                .hasMessage("healthTimeout must be at least 1000 ms, but was 500 ms");
        assertThatThrownBy(() -> ReplicaConfig.DEFAULTS.withUrl("jdbc:mysql://replica/jeex?password=" + SECRET))
                .hasMessage("replicaUrls[0] must be a PostgreSQL JDBC URL starting with jdbc:postgresql:, but was "
                        + "'jdbc:mysql://replica/jeex?password=****'");
        assertThatThrownBy(() -> ReplicaConfig.DEFAULTS.withWaitTimeout(Duration.ofMillis(-1)))
                .hasMessage("replicaWaitTimeout must be at least 0 ms, but was -1 ms");
        assertThatThrownBy(() -> MigrationConfig.DEFAULTS.withUrl("jdbc:postgresql://db:0/jeex"))
                .hasMessage("migrationUrl must have a port from 1 to 65535, but was 'jdbc:postgresql://db:0/jeex'");
        assertThatThrownBy(() -> MigrationConfig.DEFAULTS.withLockRetries(-1))
                .hasMessage("migrationLockRetries must be at least 0, but was -1");
        assertThatThrownBy(() -> JeexDbConfig.builder(URL).drainTimeout(Duration.ofMillis(-1)))
                .hasMessage("drainTimeout must be at least 0 ms, but was -1 ms");
    }

    @Test
    void withCopiesChangeOneValueAndLeaveTheOriginal() {
        RetryConfig retry = RetryConfig.DEFAULTS.withMaxAttempts(3).withOnLockTimeout(true);
        assertThat(retry).isEqualTo(new RetryConfig(3, Duration.ofMillis(20), 2.0, Duration.ofSeconds(1),
                Duration.ofSeconds(10), true));
        assertThat(RetryConfig.DEFAULTS.maxAttempts()).isEqualTo(5);

        PoolConfig pool = PoolConfig.DEFAULTS.withMaxOverflow(0).withPgBouncer(true);
        assertThat(pool.maxOverflow()).isZero();
        assertThat(pool.pgBouncer()).isTrue();
        assertThat(pool.withMaxOverflow(30).withPgBouncer(false)).isEqualTo(PoolConfig.DEFAULTS);

        assertThat(BreakerConfig.DEFAULTS.withSlidingWindowSize(40).slidingWindowSize()).isEqualTo(40);
        assertThat(HealthConfig.DEFAULTS.withMonitorInterval(Duration.ZERO).timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(ReplicaConfig.DEFAULTS.withUrl(URL).urls()).containsExactly(URL);
        assertThat(MigrationConfig.DEFAULTS.withRestorePoint(RestorePointMode.OFF).lockRetries()).isEqualTo(3);
        assertThat(Credentials.DEFAULTS.withUser("").user()).as("an empty user counts as none").isEmpty();
        assertThat(Credentials.DEFAULTS.withUser("app").withMigrationUser("owner").effectiveMigrationUser())
                .contains("owner");
    }

    @Test
    void theBuilderTakesRecordsOrChangesToThem() {
        JeexDbConfig config = JeexDbConfig.builder(URL)
                .retry(r -> r.withMaxAttempts(3))
                .breaker(BreakerConfig.DEFAULTS.withWaitInOpenState(Duration.ofSeconds(30)))
                .pool(p -> p.withMaxOverflow(5))
                .poolSize(4)
                .health(h -> h.withMonitorInterval(Duration.ZERO))
                .credentials(c -> c.withUser("app"))
                .password(SECRET)
                .build();

        assertThat(config.retry().maxAttempts()).isEqualTo(3);
        assertThat(config.retry().deadline()).isEqualTo(RetryConfig.DEFAULTS.deadline());
        assertThat(config.breaker().waitInOpenState()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.pool().maximumSize()).isEqualTo(9);
        assertThat(config.health().monitorInterval()).isZero();
        assertThat(config.credentials().user()).contains("app");
        assertThat(config.credentials().password()).contains(SECRET);

        JeexDbConfig copy = config.toBuilder().retry(r -> r.withMaxAttempts(1)).build();
        assertThat(copy.retry().maxAttempts()).isEqualTo(1);
        assertThat(copy.pool()).isEqualTo(config.pool());
        assertThat(copy.credentials()).isEqualTo(config.credentials());
        assertThat(config.retry().maxAttempts()).isEqualTo(3);
        assertThatThrownBy(() -> JeexDbConfig.builder(URL).retry(r -> null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void buildStillLowersUnwiseCombinationsAsItWarns() {
        JeexDbConfig config = JeexDbConfig.builder(URL)
                .pool(p -> p.withMaxLifetime(Duration.ofMinutes(1)).withKeepaliveTime(Duration.ofMinutes(2)))
                .breaker(b -> b.withSlidingWindowSize(5).withMinimumCalls(8))
                .build();

        assertThat(config.pool().keepaliveTime()).isZero();
        assertThat(config.breaker().minimumCalls()).isEqualTo(5);
    }

    @Test
    void environmentVariablesLandInTheirRecords() {
        JeexDbConfig config = JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", URL,
                "JEEX_DB_RETRY_MAX_ATTEMPTS", "2", "JEEX_DB_RETRY_ON_LOCK_TIMEOUT", "true",
                "JEEX_DB_BREAKER_HALF_OPEN_CALLS", "7", "JEEX_DB_BREAKER_FAILURE_RATE_THRESHOLD", "25.5",
                "JEEX_DB_SLOW_QUERY_THRESHOLD", "250ms", "JEEX_DB_REPLICA_READ_CONSISTENCY", "replica",
                "JEEX_DB_KEEPALIVE_TIME", "0ms", "JEEX_DB_DRAIN_TIMEOUT", "1s"));

        assertThat(config.retry().maxAttempts()).isEqualTo(2);
        assertThat(config.retry().onLockTimeout()).isTrue();
        assertThat(config.breaker().permittedCallsInHalfOpenState()).isEqualTo(7);
        assertThat(config.breaker().failureRateThreshold()).isEqualTo(25.5f);
        assertThat(config.health().slowQueryThreshold()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.replica().readConsistency()).isEqualTo(ReadConsistency.REPLICA);
        assertThat(config.pool().keepaliveTime()).isZero();
        assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThatThrownBy(() -> JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", URL,
                "JEEX_DB_RETRY_MAX_ATTEMPTS", "0")))
                .hasMessage("JEEX_DB_RETRY_MAX_ATTEMPTS: retryMaxAttempts must be at least 1, but was 0");
        assertThatThrownBy(() -> JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", URL,
                "JEEX_DB_BREAKER_MINIMUM_CALLS", "many")))
                .hasMessage("JEEX_DB_BREAKER_MINIMUM_CALLS must be an integer, but was 'many'");
    }

    @Test
    void credentialsNeverShowAPasswordAlsoOneReadFromAFile(@TempDir Path dir) throws Exception {
        Credentials credentials = Credentials.DEFAULTS.withUser("app").withPassword(SECRET)
                .withMigrationUser("owner").withMigrationPassword(FILE_SECRET);
        assertThat(credentials.toString()).doesNotContain(SECRET).doesNotContain(FILE_SECRET)
                .isEqualTo("Credentials[user=app, password=****, migrationUser=owner, migrationPassword=****]");
        assertThat(Credentials.DEFAULTS.withPassword(SECRET).toString())
                .doesNotContain(SECRET).contains("password=****", "migrationPassword=<password>");
        assertThat(Credentials.DEFAULTS.toString()).contains("password=<none>", "migrationPassword=<none>");

        Path file = dir.resolve("db-password");
        Files.writeString(file, FILE_SECRET + "\n");
        Path ownerFile = dir.resolve("owner-password");
        Files.writeString(ownerFile, SECRET);
        JeexDbConfig config = JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", URL + "?password=" + SECRET,
                "JEEX_DB_PASSWORD_FILE", file.toString(), "JEEX_DB_MIGRATION_PASSWORD_FILE", ownerFile.toString(),
                "JEEX_DB_REPLICA_URL", "jdbc:postgresql://replica/jeex?password=" + SECRET,
                "JEEX_DB_MIGRATION_URL", "jdbc:postgresql://direct/jeex?password=" + SECRET));

        assertThat(config.credentials().password()).contains(FILE_SECRET);
        assertThat(config.credentials().toString()).doesNotContain(FILE_SECRET).doesNotContain(SECRET);
        assertThat(config.toString()).doesNotContain(FILE_SECRET).doesNotContain(SECRET)
                .contains("password=****", "migrationPassword=****", "replicaUrls=[jdbc:postgresql://replica/jeex?password=****]",
                        "migrationUrl=jdbc:postgresql://direct/jeex?password=****");
        assertThat(config.replica().toString()).doesNotContain(SECRET);
        assertThat(config.migration().toString()).doesNotContain(SECRET);
    }
}

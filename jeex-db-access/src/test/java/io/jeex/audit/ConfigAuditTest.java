package io.jeex.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.jeex.db.BreakerConfig;
import io.jeex.db.Credentials;
import io.jeex.db.HealthConfig;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.PoolConfig;
import io.jeex.db.RetryConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConfigAuditTest {

    static final String PW = "Sup3rS3cretPw";
    static final String MPW = "Migr4tionS3cret";
    static final String URL = "jdbc:postgresql://db.example:5432/jeex";

    @Test
    void recordsChangedThroughTheBuilderReadBack() {
        JeexDbConfig c = JeexDbConfig.builder(URL)
                .retry(r -> r.withMaxAttempts(3).withInitialBackoff(Duration.ofMillis(50)))
                .pool(p -> p.withSize(7).withMaxOverflow(3))
                .breaker(b -> b.withMinimumCalls(5))
                .health(h -> h.withTimeout(Duration.ofSeconds(3)))
                .build();
        assertThat(c.retry().maxAttempts()).isEqualTo(3);
        assertThat(c.retry().initialBackoff()).isEqualTo(Duration.ofMillis(50));
        assertThat(c.pool().size()).isEqualTo(7);
        assertThat(c.pool().maxOverflow()).isEqualTo(3);
        assertThat(c.breaker().minimumCalls()).isEqualTo(5);
        assertThat(c.health().timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.retry()).isEqualTo(RetryConfig.DEFAULTS.withMaxAttempts(3).withInitialBackoff(Duration.ofMillis(50)));
    }

    @Test
    void recordsPassedWholeAreKept() {
        PoolConfig pool = PoolConfig.DEFAULTS.withSize(4);
        BreakerConfig breaker = BreakerConfig.DEFAULTS.withSlidingWindowSize(30);
        HealthConfig health = HealthConfig.DEFAULTS.withMonitorInterval(Duration.ZERO);
        JeexDbConfig c = JeexDbConfig.builder(URL).pool(pool).breaker(breaker).health(health).build();
        assertThat(c.pool()).isEqualTo(pool);
        assertThat(c.breaker()).isEqualTo(breaker);
        assertThat(c.health()).isEqualTo(health);
    }

    /** A configuration is a value: its toBuilder() copy is equal to it. */
    @Test
    void aToBuilderCopyEqualsTheOriginal() {
        JeexDbConfig c = JeexDbConfig.builder(URL).name("svc").user("app").password(PW)
                .credentials(x -> x.withMigrationUser("owner").withMigrationPassword(MPW))
                .retry(r -> r.withMaxAttempts(2)).pool(p -> p.withSize(3))
                .drainTimeout(Duration.ofSeconds(2)).build();
        JeexDbConfig copy = c.toBuilder().build();
        assertThat(copy.toString()).isEqualTo(c.toString());
        assertThat(copy.credentials()).isEqualTo(c.credentials());
        assertThat(copy.retry()).isEqualTo(c.retry());
        assertThat(copy.pool()).isEqualTo(c.pool());
        assertThat(copy.drainTimeout()).isEqualTo(c.drainTimeout());
        assertThat(copy).as("JeexDbConfig equals its toBuilder().build() copy").isEqualTo(c).hasSameHashCodeAs(c);
        assertThat(copy.toBuilder().retry(r -> r.withMaxAttempts(3)).build()).isNotEqualTo(c);
    }

    @Test
    void toStringNeverShowsPasswords() {
        JeexDbConfig c = JeexDbConfig.builder("jdbc:postgresql://db:5432/jeex?user=app&password=" + PW)
                .password(PW).credentials(x -> x.withMigrationUser("owner").withMigrationPassword(MPW))
                .migration(m -> m.withUrl("jdbc:postgresql://direct:5432/jeex?password=" + MPW))
                .build();
        assertThat(c.toString()).doesNotContain(PW).doesNotContain(MPW);
        assertThat(c.credentials().toString()).doesNotContain(PW).doesNotContain(MPW);
        assertThat(c.migration().toString()).doesNotContain(MPW);
        assertThat(c.url()).contains(PW); // the raw URL is available to the service, as documented
        Credentials cr = new Credentials(Optional.of("u"), Optional.of(PW), Optional.of("m"), Optional.of(MPW));
        assertThat(cr.toString()).doesNotContain(PW).doesNotContain(MPW);
    }

    @Test
    void validationMessagesNameTheProperty() {
        assertThat(catchThrowable(() -> JeexDbConfig.builder(URL).poolSize(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("poolSize");
        assertThat(catchThrowable(() -> RetryConfig.DEFAULTS.withMaxAttempts(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retryMaxAttempts");
        assertThat(catchThrowable(() -> BreakerConfig.DEFAULTS.withFailureRateThreshold(0f)))
                .hasMessageContaining("breakerFailureRateThreshold");
        assertThat(catchThrowable(() -> HealthConfig.DEFAULTS.withTimeout(Duration.ofMillis(10))))
                .hasMessageContaining("healthTimeout");
        assertThat(catchThrowable(() -> PoolConfig.DEFAULTS.withAcquireTimeout(Duration.ofMillis(1))))
                .hasMessageContaining("acquireTimeout");
    }

    @Test
    void aContradictionAtBuildNamesTheFix() {
        Throwable t = catchThrowable(() -> JeexDbConfig.builder(URL)
                .retry(r -> r.withInitialBackoff(Duration.ofSeconds(2)).withMaxBackoff(Duration.ofMillis(100)))
                .build());
        assertThat(t).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("retryMaxBackoff").hasMessageContaining("retryInitialBackoff");
        Throwable pg = catchThrowable(() -> JeexDbConfig.builder(URL).pool(p -> p.withPgBouncer(true)).build());
        assertThat(pg).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("migrationUrl");
    }

    @Test
    void badUrlMessagesNeverEchoAPassword() {
        Throwable port = catchThrowable(() -> JeexDbConfig.builder("jdbc:postgresql://db:99999/jeex?password=" + PW));
        assertThat(port).isInstanceOf(IllegalArgumentException.class);
        assertThat(port.getMessage()).doesNotContain(PW);
        Throwable scheme = catchThrowable(() -> JeexDbConfig.builder("jdbc:mysql://app:" + PW + "@db/jeex"));
        assertThat(scheme).isInstanceOf(IllegalArgumentException.class);
        assertThat(scheme.getMessage()).doesNotContain(PW);
        Throwable replica = catchThrowable(() -> JeexDbConfig.builder(URL)
                .replica(r -> r.withUrl("jdbc:postgresql://replica:0/jeex?password=" + PW)));
        assertThat(replica).isInstanceOf(IllegalArgumentException.class);
        assertThat(replica.getMessage()).doesNotContain(PW);
    }

    @Test
    void fromEnvironmentReadsEveryConcern() {
        JeexDbConfig c = JeexDbConfig.fromEnvironment(Map.of(
                "JEEX_DB_URL", URL, "JEEX_DB_USER", "app", "JEEX_DB_PASSWORD", PW,
                "JEEX_DB_MIGRATION_USER", "owner", "JEEX_DB_MIGRATION_PASSWORD", MPW,
                "JEEX_DB_RETRY_MAX_ATTEMPTS", "3", "JEEX_DB_POOL_SIZE", "6",
                "JEEX_DB_BREAKER_WAIT_IN_OPEN_STATE", "5s", "JEEX_DB_HEALTH_TIMEOUT", "PT3S",
                "JEEX_DB_MONITOR_INTERVAL", "0s"));
        assertThat(c.retry().maxAttempts()).isEqualTo(3);
        assertThat(c.pool().size()).isEqualTo(6);
        assertThat(c.breaker().waitInOpenState()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.health().timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.health().monitorInterval()).isZero();
        assertThat(c.credentials().effectiveMigrationUser()).contains("owner");
        assertThat(c.toString()).doesNotContain(PW).doesNotContain(MPW);
    }

    @Test
    void fromEnvironmentMessagesStartWithTheVariableAndHideThePassword() {
        assertThatThrownBy(() -> JeexDbConfig.fromEnvironment(Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JEEX_DB_URL");
        assertThatThrownBy(() -> JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", URL, "JEEX_DB_POOL_SIZE", "ten")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("JEEX_DB_POOL_SIZE");
        assertThatThrownBy(() -> JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", URL, "JEEX_DB_RETRY_DEADLINE", "5")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("JEEX_DB_RETRY_DEADLINE");
        assertThatThrownBy(() -> JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", URL, "JEEX_DB_PGBOUNCER", "yes")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("JEEX_DB_PGBOUNCER");
        Throwable both = catchThrowable(() -> JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", URL,
                "JEEX_DB_PASSWORD", PW, "JEEX_DB_PASSWORD_FILE", "/run/secrets/pw")));
        assertThat(both).isInstanceOf(IllegalArgumentException.class);
        assertThat(both.getMessage()).doesNotContain(PW).contains("JEEX_DB_PASSWORD");
        Throwable badUrl = catchThrowable(() -> JeexDbConfig.fromEnvironment(Map.of(
                "JEEX_DB_URL", "jdbc:postgresql://db:0/jeex?password=" + PW)));
        assertThat(badUrl).isInstanceOf(IllegalArgumentException.class);
        assertThat(badUrl.getMessage()).startsWith("JEEX_DB_URL").doesNotContain(PW);
        Throwable unknown = catchThrowable(() -> JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", URL,
                "JEEX_DB_POOLSIZE", "5")));
        // a typo'd variable is silently ignored: documented as "each other variable overrides one default"
        assertThat(unknown).as("typo JEEX_DB_POOLSIZE").isNull();
    }

    @Test
    void anEmptyPasswordIsKeptAsAPassword() {
        // awkward, not broken: an empty user counts as none, an empty password counts as set
        // (documented "null for none"); the testkit's embedded server has password "" and works.
        JeexDbConfig c = JeexDbConfig.builder(URL).password("")
                .credentials(x -> x.withMigrationPassword("")).build();
        assertThat(c.credentials().hasPassword()).isTrue();
        assertThat(c.toString()).contains("password=****");
    }

    /** A URL with user:password@ before the host is refused, also with a port outside 1-65535 after it. */
    @Test
    void aUrlWithUserInfoIsRefusedWhateverItsPort() {
        Throwable userinfo = catchThrowable(() -> JeexDbConfig.builder("jdbc:postgresql://app:" + PW + "@db:70000/jeex"));
        assertThat(userinfo).isInstanceOf(IllegalArgumentException.class);
        assertThat(userinfo.getMessage()).doesNotContain(PW);
    }

    /** A password in the user info of a URL never gets as far as a configuration, nor into the refusal. */
    @Test
    void aUrlWithAPasswordInItsUserInfoIsRefusedWithoutShowingIt() {
        Throwable built = catchThrowable(() -> JeexDbConfig.builder("jdbc:postgresql://app:" + PW + "@db:5432/jeex").build());
        assertThat(built).isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining(PW);
        Throwable env = catchThrowable(() -> JeexDbConfig.fromEnvironment(
                Map.of("JEEX_DB_URL", "jdbc:postgresql://app:" + PW + "@db:5432/jeex")));
        assertThat(env).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JEEX_DB_URL")
                .hasMessageNotContaining(PW);
    }
}

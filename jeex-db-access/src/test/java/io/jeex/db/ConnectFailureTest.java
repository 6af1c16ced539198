package io.jeex.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.jeex.db.error.AuthenticationFailedException;
import io.jeex.db.error.DatabaseUnavailableException;
import io.jeex.db.faults.FaultServers;
import io.jeex.db.faults.Ports;
import io.jeex.db.faults.ScramServer;
import io.jeex.db.health.HealthReport;
import io.jeex.db.health.HealthStatus;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each way a connection can fail, for real, against migrations and health as a service calls
 * them: a SCRAM server (wrong password, unknown role, no user and no password, missing database,
 * TLS required but not offered), a closed local port, a listener that never answers, an unknown
 * host. Every case fails within the connect timeout (not the 30 s acquire timeout), names the
 * cause first and the setting to change, and never shows the password.
 */
class ConnectFailureTest {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final String WRONG = FaultServers.WRONG_PASSWORD;

    /** A failure, how to make it, and what the caller must be told. */
    enum Fault {
        WRONG_PASSWORD(AuthenticationFailedException.class, "SQLSTATE 28P01", "JEEX_DB_MIGRATION_PASSWORD",
                "JEEX_DB_PASSWORD", b -> b.password(WRONG)),
        UNKNOWN_ROLE(AuthenticationFailedException.class, "SQLSTATE 28P01", "JEEX_DB_MIGRATION_USER",
                "JEEX_DB_USER", b -> b.user("no_such_role").password(WRONG)),
        NO_USER_NO_PASSWORD(AuthenticationFailedException.class, "no password was provided", "JEEX_DB_MIGRATION_USER",
                "JEEX_DB_USER", b -> b.user(null).password(null)),
        MISSING_DATABASE(DatabaseUnavailableException.class, "SQLSTATE 3D000", "database name in JEEX_DB_MIGRATION_URL",
                "database name in JEEX_DB_URL", b -> b.url(FaultServers.scram().jdbcUrl("no_such_db"))),
        TLS_NOT_OFFERED(DatabaseUnavailableException.class, "does not offer TLS", "sslmode in JEEX_DB_MIGRATION_URL",
                "sslmode in JEEX_DB_URL", b -> b.url(FaultServers.scram().jdbcUrl() + "?sslmode=require")),
        REFUSED_PORT(DatabaseUnavailableException.class, "refused", "host and port in JEEX_DB_MIGRATION_URL",
                "host and port in JEEX_DB_URL", b -> b.url("jdbc:postgresql://127.0.0.1:" + Ports.closed() + "/x")),
        NO_ANSWER(DatabaseUnavailableException.class, "did not answer within the connect timeout (2 s)",
                "JEEX_DB_CONNECT_TIMEOUT", "did not answer",
                b -> b.url("jdbc:postgresql://127.0.0.1:" + FaultServers.blackhole().port() + "/x")),
        UNKNOWN_HOST(DatabaseUnavailableException.class, "host is unknown", "host name in JEEX_DB_MIGRATION_URL",
                "host name in JEEX_DB_URL", b -> b.url("jdbc:postgresql://no-such-host.invalid:5432/x"));

        final Class<? extends Exception> type;
        final String cause;
        final String migrationFix;
        final String healthWords;
        final Consumer<JeexDbConfig.Builder> make;

        Fault(Class<? extends Exception> type, String cause, String migrationFix, String healthWords,
              Consumer<JeexDbConfig.Builder> make) {
            this.type = type;
            this.cause = cause;
            this.migrationFix = migrationFix;
            this.healthWords = healthWords;
            this.make = make;
        }
    }

    private static JeexDbConfig config(Fault fault) {
        JeexDbConfig.Builder b = JeexDbConfig.builder(FaultServers.scram().jdbcUrl()).name("faults")
                .user(ScramServer.USER).password(ScramServer.PASSWORD).poolSize(0).pool(p -> p.withMaxOverflow(1)
                .withAcquireTimeout(Duration.ofSeconds(30)).withConnectTimeout(CONNECT_TIMEOUT))
                .health(h -> h.withTimeout(Duration.ofSeconds(2)).withMonitorInterval(Duration.ZERO));
        fault.make.accept(b);
        return b.build();
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void migrateFailsWithinTheConnectTimeoutWithTheCauseAndTheSettingToChange(Fault fault) {
        try (JeexDatabase db = JeexDatabase.create(config(fault))) {
            long start = System.nanoTime();
            Throwable thrown = catchThrowable(db::migrate);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            System.out.println("migrate() with " + fault + " failed in " + took.toMillis() + " ms: "
                    + (thrown == null ? "nothing thrown" : thrown.getMessage()));

            assertThat(thrown).isInstanceOf(fault.type);
            assertThat(took).as("within the connect timeout (2 s) + 1 s").isLessThan(CONNECT_TIMEOUT.plusSeconds(1));
            assertThat(thrown.getMessage()).startsWith("faults: ").contains(fault.cause).contains(fault.migrationFix)
                    .doesNotContain(WRONG).doesNotContain(ScramServer.PASSWORD).doesNotContain("HikariPool")
                    .doesNotContain("total=");
            assertThat(thrown.getMessage().indexOf(fault.cause)).as("the cause before the fix")
                    .isLessThan(thrown.getMessage().indexOf(fault.migrationFix));
            assertThat(catchThrowable(db::migrations)).as("migrations()").isInstanceOf(fault.type);
            assertThat(catchThrowable(db::validateMigrations)).as("validateMigrations()").isInstanceOf(fault.type);
        }
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void healthIsDownWithinItsTimeoutAndSaysWhetherTheServerAnswered(Fault fault) {
        try (JeexDatabase db = JeexDatabase.create(config(fault))) {
            long start = System.nanoTime();
            HealthReport report = db.health();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            System.out.println("health() with " + fault + " DOWN in " + took.toMillis() + " ms: " + report.reasons());

            assertThat(report.status()).isEqualTo(HealthStatus.DOWN);
            assertThat(report.live()).isFalse();
            assertThat(took).as("within the health timeout (2 s) + 1 s").isLessThan(Duration.ofSeconds(3));
            assertThat(String.join("; ", report.reasons())).contains(fault.healthWords)
                    .doesNotContain(WRONG).doesNotContain(ScramServer.PASSWORD);
            if (fault.type == AuthenticationFailedException.class) {
                assertThat(report.reasons()).as("the server answered: not 'did not answer'")
                        .noneMatch(r -> r.contains("did not answer")).anyMatch(r -> r.contains("JEEX_DB_PASSWORD"));
            }
        }
    }
}

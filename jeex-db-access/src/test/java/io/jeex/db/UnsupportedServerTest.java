package io.jeex.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.jeex.db.error.UnsupportedServerException;
import io.jeex.db.faults.OldPostgres;
import io.jeex.db.health.HealthReport;
import io.jeex.db.health.HealthStatus;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestkitException;
import io.jeex.db.testkit.TestkitSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real PostgreSQL 15 (no {@code uuidv7()}): the runtime refuses it before Flyway touches the
 * database, with the testkit's sentence, and health reports it DOWN and not ready.
 */
class UnsupportedServerTest {

    private static final String PROBLEM = "PostgreSQL 18 or newer is required (the schema uses uuidv7()), but the "
            + "server is PostgreSQL 15.";
    private static OldPostgres pg15;

    @BeforeAll
    static void start() {
        pg15 = OldPostgres.start();
    }

    @AfterAll
    static void stop() {
        if (pg15 != null) {
            pg15.close();
        }
    }

    private static JeexDatabase open() {
        return JeexDatabase.create(JeexDbConfig.builder(pg15.jdbcUrl("postgres")).name("old").user("postgres")
                .poolSize(0).pool(p -> p.withMaxOverflow(1).withConnectTimeout(Duration.ofSeconds(2)))
                .health(h -> h.withMonitorInterval(Duration.ZERO))
                .build());
    }

    @Test
    void migrateRefusesTheServerBeforeTouchingIt() throws Exception {
        try (JeexDatabase db = open()) {
            Throwable thrown = catchThrowable(db::migrate);

            assertThat(thrown).isInstanceOf(UnsupportedServerException.class);
            assertThat(thrown.getMessage()).startsWith("old: " + PROBLEM)
                    .endsWith(". Point JEEX_DB_MIGRATION_URL (or JEEX_DB_URL when that is unset) at a PostgreSQL 18 server")
                    .doesNotContain("uuidv7() does not exist").doesNotContainIgnoringCase("flyway");
            assertThat(catchThrowable(db::migrations)).isInstanceOf(UnsupportedServerException.class);
            assertThat(catchThrowable(db::validateMigrations)).isInstanceOf(UnsupportedServerException.class);
        }
        try (Connection c = DriverManager.getConnection(pg15.jdbcUrl("postgres"), "postgres", "");
             ResultSet rs = c.createStatement().executeQuery("select count(*) from pg_class where relname = "
                     + "'jeex_schema_history' or relname = 'users'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("no history table, no schema created").isZero();
        }
    }

    @Test
    void healthReportsTheServerDownAndNotReadyWithTheReason() {
        try (JeexDatabase db = open()) {
            HealthReport report = db.health();

            assertThat(report.status()).isEqualTo(HealthStatus.DOWN);
            assertThat(report.ready()).isFalse();
            assertThat(report.live()).as("it answered").isTrue();
            assertThat(report.serverVersion()).startsWith("15.");
            assertThat(report.reasons()).singleElement().asString().startsWith(PROBLEM)
                    .endsWith("; point JEEX_DB_URL at a PostgreSQL 18 server");
        }
    }

    @Test
    void theTestkitRefusesItWithTheSameSentence() {
        Throwable thrown = catchThrowable(() -> JeexPostgres.start(TestkitSettings.of(
                Map.of(TestkitSettings.URL, pg15.jdbcUrl("postgres"), TestkitSettings.PREFETCH, "0"), Map.of())));

        assertThat(thrown).isInstanceOf(TestkitException.class).hasMessageContaining("jeex-db testkit: " + PROBLEM)
                .hasMessageContaining("Point " + TestkitSettings.URL + " at a PostgreSQL 18 server");
    }
}

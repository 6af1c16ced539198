package io.jeex.db.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jeex.db.cli.CliProcess.Run;
import io.jeex.db.faults.FaultServers;
import io.jeex.db.faults.OldPostgres;
import io.jeex.db.faults.Ports;
import io.jeex.db.faults.ScramServer;
import io.jeex.db.schema.JeexSchema;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real faults met by the tool as an operator runs it ({@code java -jar}, environment variables):
 * each fails within the connect timeout, with the cause first and the variable to change, in one
 * line on stderr, exit status 1; {@code health --json} prints one JSON document saying DOWN.
 */
class FaultsProcessTest {

    /** The connect timeout of these runs; a process also needs about a second to start. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /**
     * The connect timeout, 1 s of slack and a generous start of the JVM: a 2-core machine running
     * the build's modules in parallel (mvn -T 2) took up to 11.5 s for a first run, which also
     * writes the class-data archive. Still half the 30 s acquire timeout it replaces.
     */
    private static final Duration BOUND = CONNECT_TIMEOUT.plusSeconds(1).plus(Duration.ofSeconds(12));
    private static final String WRONG = FaultServers.WRONG_PASSWORD;

    enum Fault {
        WRONG_PASSWORD("the database refused the login (SQLSTATE 28P01", "JEEX_DB_MIGRATION_PASSWORD",
                e -> e.put("JEEX_DB_PASSWORD", WRONG)),
        NO_USER(" (SQLSTATE 08004, The server requested SCRAM-based authentication, but no password was provided)",
                "JEEX_DB_USER", e -> {
                    e.remove("JEEX_DB_USER");
                    e.remove("JEEX_DB_PASSWORD");
                }),
        MISSING_DATABASE("the database does not exist (SQLSTATE 3D000", "database name in JEEX_DB_MIGRATION_URL",
                e -> e.put("JEEX_DB_URL", FaultServers.scram().jdbcUrl("no_such_db"))),
        TLS_NOT_OFFERED("the server does not offer TLS", "sslmode in JEEX_DB_MIGRATION_URL",
                e -> e.put("JEEX_DB_URL", FaultServers.scram().jdbcUrl() + "?sslmode=require")),
        REFUSED_PORT("the connection was refused (SQLSTATE 08001", "host and port in JEEX_DB_MIGRATION_URL",
                e -> e.put("JEEX_DB_URL", "jdbc:postgresql://127.0.0.1:" + Ports.closed() + "/jeex")),
        NO_ANSWER("did not answer within the connect timeout (2 s)", "JEEX_DB_CONNECT_TIMEOUT",
                e -> e.put("JEEX_DB_URL", "jdbc:postgresql://127.0.0.1:" + FaultServers.blackhole().port() + "/jeex")),
        UNKNOWN_HOST("the database host is unknown", "host name in JEEX_DB_MIGRATION_URL",
                e -> e.put("JEEX_DB_URL", "jdbc:postgresql://no-such-host.invalid:5432/jeex"));

        final String cause;
        final String fix;
        final Consumer<Map<String, String>> make;

        Fault(String cause, String fix, Consumer<Map<String, String>> make) {
            this.cause = cause;
            this.fix = fix;
            this.make = make;
        }
    }

    private static Map<String, String> env(Fault fault) {
        Map<String, String> env = new HashMap<>(Map.of("JEEX_DB_URL", FaultServers.scram().jdbcUrl(), "JEEX_DB_USER",
                ScramServer.USER, "JEEX_DB_PASSWORD", ScramServer.PASSWORD, "JEEX_DB_CONNECT_TIMEOUT", "2s",
                "JEEX_DB_HEALTH_TIMEOUT", "2s"));
        fault.make.accept(env);
        return env;
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void migrateFailsFastWithTheCauseAndTheVariableInOneLine(Fault fault) {
        Run run = CliProcess.run(env(fault), "migrate");
        System.out.println("jeex-db migrate with " + fault + ": exit " + run.status() + " after "
                + run.took().toMillis() + " ms: " + run.err().strip());

        assertThat(run.status()).as("%s", run).isOne();
        assertThat(run.took()).as("connect timeout + 1 s + the JVM's start").isLessThan(BOUND);
        assertThat(run.err()).startsWith("jeex-db migrate: ").contains(fault.cause).contains(fault.fix)
                .hasLineCount(1).containsOnlyOnce("jeex-db").doesNotContain(WRONG).doesNotContain(ScramServer.PASSWORD)
                .doesNotContain("HikariPool").doesNotContain("WARNING");
        assertThat(run.err().indexOf(fault.cause)).isLessThan(run.err().indexOf(fault.fix));
        assertThat(run.out()).startsWith("database: ").doesNotContain(WRONG);
    }

    /** Every fault's health words are ConnectFailureTest's; here, that a probe gets one JSON document. */
    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"WRONG_PASSWORD", "REFUSED_PORT", "NO_ANSWER"})
    void healthJsonIsOneDocumentSayingDown(Fault fault) {
        Run run = CliProcess.run(env(fault), "health", "--json");
        System.out.println("jeex-db health --json with " + fault + ": exit " + run.status() + " after "
                + run.took().toMillis() + " ms");

        assertThat(run.status()).as("%s", run).isOne();
        assertThat(run.took()).as("health timeout + 1 s + the JVM's start").isLessThan(BOUND);
        JsonNode json = run.json();
        assertThat(json.get("status").asText()).isEqualTo("DOWN");
        assertThat(json.get("live").asBoolean()).isFalse();
        assertThat(json.get("reasons").get(0).asText()).doesNotContain(WRONG);
        assertThat(run.out() + run.err()).doesNotContain(WRONG).doesNotContain(ScramServer.PASSWORD);
    }

    @Test
    void anUnsupportedServerIsRefusedByMigrateAndDownInHealth() {
        try (OldPostgres pg15 = OldPostgres.start()) {
            Map<String, String> env = Map.of("JEEX_DB_URL", pg15.jdbcUrl("postgres"), "JEEX_DB_USER", "postgres");
            Run migrate = CliProcess.run(env, "migrate");
            assertThat(migrate.status()).as("%s", migrate).isOne();
            assertThat(migrate.err()).startsWith("jeex-db migrate: PostgreSQL 18 or newer is required (the schema "
                    + "uses uuidv7()), but the server is PostgreSQL 15.").contains("Point JEEX_DB_MIGRATION_URL")
                    .hasLineCount(1).doesNotContain("does not exist").doesNotContainIgnoringCase("flyway");

            Run health = CliProcess.run(env, "health");
            assertThat(health.status()).as("%s", health).isOne();
            assertThat(health.out()).contains("health: DOWN (live=true, ready=false)").contains("server: PostgreSQL 15.")
                    .contains("reason: PostgreSQL 18 or newer is required (the schema uses uuidv7())");
        }
    }

    @Test
    void aFailingMigrationIsReportedInTheToolsOwnWordsFromTheBundledJar() {
        try (TestDatabase empty = JeexPostgres.shared().newEmptyDatabase()) {
            JeexSchema.flywayConfiguration(empty.dataSource()).baselineVersion("0").load().baseline();
            empty.dsl().execute("create table users (id int)");

            Run run = CliProcess.run(Map.of("JEEX_DB_URL", empty.jdbcUrl(), "JEEX_DB_USER", empty.user()), "migrate");

            assertThat(run.status()).as("%s", run).isOne();
            assertThat(run.err()).startsWith("jeex-db migrate: migrating the JEEX schema failed: migration "
                    + "V1__initial_schema.sql failed at line 36 (CREATE TABLE users): SQLSTATE 42P07, relation "
                    + "\"users\" already exists. PostgreSQL rolled the migration back; fix the cause and migrate again; "
                    + "the restore point before it is jeex-migrate-").hasLineCount(1);
        }
    }
}

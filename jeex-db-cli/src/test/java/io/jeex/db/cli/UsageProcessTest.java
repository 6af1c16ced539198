package io.jeex.db.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.cli.CliProcess.Run;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The tool's help, version and usage errors, as an operator meets them: a real {@code java -jar} process. */
class UsageProcessTest {

    @Test
    void helpListsTheCommandsTheEnvironmentAndTheExitStatusOnStdout() {
        Run help = CliProcess.run(Map.of(), "--help");

        assertThat(help.status()).as("%s", help).isZero();
        assertThat(help.err()).isEmpty();
        assertThat(help.out()).contains("Usage: jeex-db").contains("--version").contains("--data-dir")
                .contains("migrate").contains("info").contains("validate").contains("health").contains("demo")
                .contains("embedded").contains("JEEX_DB_URL").contains("JEEX_DB_MIGRATION_PASSWORD")
                .contains("JEEX_DB_EMBEDDED_DIR").contains("Exit status:").contains("3   health: DEGRADED");
        assertThat(help.out().lines()).as("fits a terminal of 80 columns, unwrapped").allMatch(l -> l.length() <= 80);
    }

    @ParameterizedTest
    @ValueSource(strings = {"migrate", "info", "validate", "health", "demo"})
    void eachCommandsHelpListsItsOptionsEnvironmentAndExitStatus(String command) {
        Run help = CliProcess.run(Map.of(), command, "--help");

        assertThat(help.status()).as("%s", help).isZero();
        assertThat(help.err()).isEmpty();
        assertThat(help.out()).contains("Usage: jeex-db " + command).contains("--help").contains("Exit status:")
                .contains("JEEX_DB_URL").contains("JEEX_DB_CONNECT_TIMEOUT");
        assertThat(help.out().lines()).allMatch(l -> l.length() <= 80);
        if (!command.equals("demo")) {
            assertThat(help.out()).contains("--json");
        }
    }

    @Test
    void versionNamesTheToolAndItsVersion() {
        Run version = CliProcess.run(Map.of(), "--version");

        assertThat(version.status()).isZero();
        assertThat(version.out()).startsWith("jeex-db 0.1.0-SNAPSHOT\n");
    }

    @Test
    void anUnknownCommandSaysWhichWordWasWrong() {
        Run run = CliProcess.run(Map.of(), "frobnicate");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("'frobnicate'").contains("Try 'jeex-db --help'");
    }

    @Test
    void anUnknownOptionSaysWhichOptionWasWrong() {
        Run run = CliProcess.run(Map.of(), "health", "--yaml");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).contains("--yaml").contains("Try 'jeex-db health --help'");
    }

    @Test
    void noCommandIsBadUsage() {
        Run run = CliProcess.run(Map.of());

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("a command is required").contains("Usage: jeex-db");
    }

    @Test
    void aBadPortIsAConfigurationErrorInOneLineWithoutDriverOrPoolMessages() {
        Run run = CliProcess.run(Map.of("JEEX_DB_URL", "jdbc:postgresql://localhost:99999/jeex"), "health", "--json");

        assertThat(run.status()).as("%s", run).isEqualTo(2);
        assertThat(run.err()).isEqualTo("jeex-db health: JEEX_DB_URL: url must have a port from 1 to 65535, but was "
                + "'jdbc:postgresql://localhost:99999/jeex'\n");
        assertThat(run.json().get("error").get("type").asText()).isEqualTo("ConfigurationError");
        assertThat(run.json().get("error").get("exitCode").asInt()).isEqualTo(2);
    }

    @Test
    void aMalformedVariableIsAConfigurationErrorNamingIt() {
        Run run = CliProcess.run(Map.of("JEEX_DB_URL", "jdbc:postgresql://localhost:5432/jeex",
                "JEEX_DB_CONNECT_TIMEOUT", "soon"), "migrate");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("jeex-db migrate: JEEX_DB_CONNECT_TIMEOUT must be ").doesNotContain("\tat ");
    }
}

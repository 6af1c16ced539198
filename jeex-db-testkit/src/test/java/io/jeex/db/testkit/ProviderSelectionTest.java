package io.jeex.db.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The provider chain's decision, with the environment and Docker replaced by fixed answers. */
class ProviderSelectionTest {

    private static final BooleanSupplier DOCKER = () -> true;
    private static final BooleanSupplier NO_DOCKER = () -> false;

    @Test
    void externalUrlWinsOverDocker() {
        var settings = TestkitSettings.of(Map.of(TestkitSettings.URL, "jdbc:postgresql://db:5432/postgres"), Map.of());
        AtomicInteger asked = new AtomicInteger();
        ProviderSelection choice = ProviderSelection.choose(settings, () -> asked.incrementAndGet() > 0);
        assertThat(choice.kind()).isEqualTo(ProviderKind.EXTERNAL);
        assertThat(asked).as("Docker is not even asked").hasValue(0);
    }

    @Test
    void externalUrlFromTheEnvironmentIsHonoured() {
        var settings = TestkitSettings.of(Map.of(), Map.of("JEEX_DB_TEST_URL", "jdbc:postgresql://db/postgres"));
        assertThat(ProviderSelection.choose(settings, DOCKER).kind()).isEqualTo(ProviderKind.EXTERNAL);
    }

    @Test
    void systemPropertyOverridesTheEnvironment() {
        var settings = TestkitSettings.of(Map.of(TestkitSettings.PROVIDER, "embedded"),
                Map.of("JEEX_DB_TEST_PROVIDER", "testcontainers"));
        assertThat(ProviderSelection.choose(settings, DOCKER).kind()).isEqualTo(ProviderKind.EMBEDDED);
    }

    @Test
    void dockerSelectsTestcontainers() {
        ProviderSelection choice = ProviderSelection.choose(TestkitSettings.of(Map.of(), Map.of()), DOCKER);
        assertThat(choice.kind()).isEqualTo(ProviderKind.TESTCONTAINERS);
    }

    @Test
    void noDockerFallsBackToEmbedded() {
        ProviderSelection choice = ProviderSelection.choose(TestkitSettings.of(Map.of(), Map.of()), NO_DOCKER);
        assertThat(choice.kind()).isEqualTo(ProviderKind.EMBEDDED);
        assertThat(choice.reason()).contains("no Docker");
    }

    @Test
    void forcedProviderIsHonouredEvenAgainstAUrlOrDocker() {
        var forcedEmbedded = TestkitSettings.of(Map.of(TestkitSettings.PROVIDER, "EMBEDDED",
                TestkitSettings.URL, "jdbc:postgresql://db/postgres"), Map.of());
        assertThat(ProviderSelection.choose(forcedEmbedded, DOCKER).kind()).isEqualTo(ProviderKind.EMBEDDED);

        var forcedContainers = TestkitSettings.of(Map.of(), Map.of("JEEX_DB_TEST_PROVIDER", "testcontainers"));
        assertThat(ProviderSelection.choose(forcedContainers, NO_DOCKER).kind()).isEqualTo(ProviderKind.TESTCONTAINERS);

        var auto = TestkitSettings.of(Map.of(TestkitSettings.PROVIDER, "auto"), Map.of());
        assertThat(ProviderSelection.choose(auto, NO_DOCKER).kind()).isEqualTo(ProviderKind.EMBEDDED);
    }

    @Test
    void forcingExternalWithoutAUrlNamesTheSettingToSet() {
        var settings = TestkitSettings.of(Map.of(TestkitSettings.PROVIDER, "external"), Map.of());
        assertThatThrownBy(() -> ProviderSelection.choose(settings, DOCKER))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jeex.db.test.url").hasMessageContaining("JEEX_DB_TEST_URL");
    }

    @Test
    void unknownProviderNamesTheChoices() {
        var settings = TestkitSettings.of(Map.of(TestkitSettings.PROVIDER, "h2"), Map.of());
        assertThatThrownBy(() -> ProviderSelection.choose(settings, DOCKER))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("jeex.db.test.provider must be one of external, testcontainers, embedded or auto, but was 'h2'");
    }

    @Test
    void badPrefetchIsRejectedWithItsRule() {
        var settings = TestkitSettings.of(Map.of(TestkitSettings.PREFETCH, "-1"), Map.of());
        assertThatThrownBy(settings::prefetch)
                .hasMessage("jeex.db.test.prefetch must be an integer from 0 to 16, but was '-1'");
    }

    @Test
    void passwordsInUrlsAreMaskedInLogsAndToString() {
        var settings = TestkitSettings.of(Map.of(TestkitSettings.URL,
                "jdbc:postgresql://db/postgres?user=a&password=s3cr3t", TestkitSettings.PASSWORD, "s3cr3t"), Map.of());
        assertThat(settings.toString()).doesNotContain("s3cr3t").contains("password=****");
        assertThat(new ExternalServer("jdbc:postgresql://db/postgres?password=s3cr3t", "u", "s3cr3t").description())
                .doesNotContain("s3cr3t");
        assertThat(new TestDatabase("d", "jdbc:postgresql://db/d", "u", "s3cr3t", null).toString())
                .doesNotContain("s3cr3t");
    }

    @Test
    void malformedExternalUrlIsRejectedWithAnExample() {
        assertThatThrownBy(() -> new ExternalServer("postgres://db/x", "u", ""))
                .hasMessageContaining("jdbc:postgresql://host:5432/postgres");
    }

    @Test
    void aDatabaseUrlKeepsTheServersHostsAndParameters() {
        assertThat(PostgresServer.withDatabase("jdbc:postgresql://a:5432,b:5433/postgres?ssl=true&password=pw", "jeex_test_1"))
                .isEqualTo("jdbc:postgresql://a:5432,b:5433/jeex_test_1?ssl=true&password=pw");
        assertThat(PostgresServer.withDatabase("jdbc:postgresql://db:5432", "x")).isEqualTo("jdbc:postgresql://db:5432/x");
        assertThatThrownBy(() -> PostgresServer.withDatabase("postgres://u:s3cr3t@db/x?password=s3cr3t", "y"))
                .hasMessageContaining(TestkitSettings.URL).hasMessageNotContaining("s3cr3t");
    }
}

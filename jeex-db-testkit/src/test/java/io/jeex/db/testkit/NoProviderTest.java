package io.jeex.db.testkit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class NoProviderTest {

    @Test
    void anUnreachableServerFailsWithAMessageThatNamesTheFix() {
        var settings = TestkitSettings.of(Map.of(
                TestkitSettings.URL, "jdbc:postgresql://127.0.0.1:1/postgres?connectTimeout=1&password=s3cr3t",
                TestkitSettings.PASSWORD, "s3cr3t"), Map.of());
        assertThatThrownBy(() -> JeexPostgres.start(settings))
                .isInstanceOf(TestkitException.class)
                .hasMessageContaining("cannot connect to external server jdbc:postgresql://127.0.0.1:1/postgres")
                .hasMessageContaining("jeex.db.test.url")
                .hasMessageContaining("-Djeex.db.test.provider=external|testcontainers|embedded")
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(e.getMessage()).doesNotContain("s3cr3t"));
    }
}

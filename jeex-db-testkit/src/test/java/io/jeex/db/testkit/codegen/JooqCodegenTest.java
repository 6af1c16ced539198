package io.jeex.db.testkit.codegen;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestkitSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JooqCodegenTest {

    private static final String CONFIG = """
            <configuration xmlns="http://www.jooq.org/xsd/jooq-codegen-3.19.0.xsd">
              <logging>WARN</logging>
              <generator>
                <database>
                  <name>org.jooq.meta.postgres.PostgresDatabase</name>
                  <inputSchema>public</inputSchema>
                  <includes>users|projects</includes>
                </database>
                <generate><javaTimeTypes>true</javaTimeTypes></generate>
                <target><packageName>test.generated</packageName></target>
              </generator>
            </configuration>
            """;

    /** The shared test server, reached as an external one: no second server is started. */
    private static TestkitSettings sharedServer() {
        return TestkitSettings.of(Map.of(
                TestkitSettings.URL, JeexPostgres.shared().jdbcUrl("postgres"),
                TestkitSettings.USER, "postgres"), Map.of());
    }

    /** A server that does not exist: any attempt to provision fails. */
    private static TestkitSettings noServer() {
        return TestkitSettings.of(Map.of(TestkitSettings.PROVIDER, "external",
                TestkitSettings.URL, "jdbc:postgresql://127.0.0.1:1/nothing?connectTimeout=1"), Map.of());
    }

    @Test
    void generatesOnceThenSkipsWithoutAServerUntilTheConfigurationChanges(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("jooq.xml");
        Path output = dir.resolve("generated");
        Path state = dir.resolve("state.sha256");
        Files.writeString(config, CONFIG);

        assertThat(JooqCodegen.generate(config, output, state, sharedServer())).isTrue();
        assertThat(javaFiles(output)).isGreaterThanOrEqualTo(4);
        assertThat(output.resolve("test/generated/tables/Users.java")).exists();
        assertThat(state).exists();

        // unchanged inputs: skipped, and it never reaches for a server (the unreachable one would fail)
        assertThat(JooqCodegen.generate(config, output, state, noServer())).isFalse();

        // the generator configuration changed: generates again
        Files.writeString(config, CONFIG.replace("users|projects", "users|projects|exports"));
        assertThat(JooqCodegen.generate(config, output, state, sharedServer())).isTrue();
        assertThat(output.resolve("test/generated/tables/Exports.java")).exists();

        // output deleted (mvn clean of generated sources only): generates again
        try (Stream<Path> files = Files.walk(output)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        assertThat(JooqCodegen.generate(config, output, state, sharedServer())).isTrue();
    }

    @Test
    void theInputsHashFollowsTheConfiguration() {
        assertThat(JooqCodegen.inputsHash("a".getBytes())).isEqualTo(JooqCodegen.inputsHash("a".getBytes()))
                .isNotEqualTo(JooqCodegen.inputsHash("b".getBytes()));
    }

    private static long javaFiles(Path output) throws Exception {
        try (Stream<Path> files = Files.walk(output)) {
            return files.filter(p -> p.toString().endsWith(".java")).count();
        }
    }
}

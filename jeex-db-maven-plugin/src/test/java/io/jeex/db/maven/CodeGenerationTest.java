package io.jeex.db.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.schema.ServiceMigrations;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestkitSettings;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jooq.codegen.GenerationTool;
import org.jooq.meta.jaxb.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin's generation without Maven: jeex-db's own schema (as jeex-db-codegen builds it),
 * and a service's tables (its migrations in the test resources {@code db/migration/plugintest}).
 */
class CodeGenerationTest {

    private static final String JEEX_CONFIG = """
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

    private static final String SERVICE_CONFIG = """
            <configuration xmlns="http://www.jooq.org/xsd/jooq-codegen-3.19.0.xsd">
              <logging>WARN</logging>
              <generator>
                <target><packageName>test.service</packageName></target>
              </generator>
            </configuration>
            """;

    /** The shared test server, reached as an external one: no second server is started. */
    private static TestkitSettings sharedServer() {
        return TestkitSettings.of(Map.of(TestkitSettings.URL, JeexPostgres.shared().jdbcUrl("postgres"),
                TestkitSettings.USER, "postgres"), Map.of());
    }

    /** A server that does not exist: any attempt to provision fails. */
    private static TestkitSettings noServer() {
        return TestkitSettings.of(Map.of(TestkitSettings.PROVIDER, "external",
                TestkitSettings.URL, "jdbc:postgresql://127.0.0.1:1/nothing?connectTimeout=1"), Map.of());
    }

    private static Configuration load(String xml) throws Exception {
        return GenerationTool.load(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    private static CodeGeneration generation(String xml, Path dir, ServiceMigrations service, TestkitSettings settings,
                                             List<String> log) throws Exception {
        return new CodeGeneration(load(xml), dir.resolve("generated"), dir.resolve("state.sha256"), service,
                CodeGenerationTest.class.getClassLoader(), settings, log::add);
    }

    @Test
    void generatesOnceThenSkipsWithoutAServerUntilTheConfigurationChanges(@TempDir Path dir) throws Exception {
        List<String> log = new ArrayList<>();
        Path output = dir.resolve("generated");

        assertThat(generation(JEEX_CONFIG, dir, null, sharedServer(), log).run()).isTrue();
        assertThat(output.resolve("test/generated/tables/Users.java")).exists();

        // unchanged inputs: skipped, and it never reaches for a server (the unreachable one would fail)
        assertThat(generation(JEEX_CONFIG, dir, null, noServer(), log).run()).isFalse();
        assertThat(log.get(log.size() - 1)).startsWith("jOOQ code generation skipped: migrations and generator "
                + "configuration unchanged").endsWith("PostgreSQL not started");

        // the generator configuration changed: generates again
        String more = JEEX_CONFIG.replace("users|projects", "users|projects|exports");
        assertThat(generation(more, dir, null, sharedServer(), log).run()).isTrue();
        assertThat(output.resolve("test/generated/tables/Exports.java")).exists();

        // output deleted (mvn clean of generated sources only): generates again
        try (Stream<Path> files = Files.walk(output)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        assertThat(generation(more, dir, null, sharedServer(), log).run()).isTrue();
    }

    @Test
    void aServiceGetsClassesForItsOwnTablesOnlyAndSkipsUntilItsMigrationsChange(@TempDir Path dir) throws Exception {
        List<String> log = new ArrayList<>();
        ServiceMigrations service = ServiceMigrations.of("plugintest", "classpath:db/migration/plugintest");
        Path output = dir.resolve("generated");

        assertThat(generation(SERVICE_CONFIG, dir, service, sharedServer(), log).run()).isTrue();
        try (Stream<Path> files = Files.walk(output)) {
            assertThat(output.resolve("test/service/tables/Gadgets.java")).as("generated: %s", files.toList()).exists();
        }
        assertThat(output.resolve("test/service/tables/Users.java")).as("jeex-db's tables are jeex-db-codegen's")
                .doesNotExist();
        assertThat(output.resolve("test/service/tables/PlugintestSchemaHistory.java")).doesNotExist();
        assertThat(log.get(log.size() - 1)).contains("for the tables of plugintest");

        assertThat(generation(SERVICE_CONFIG, dir, service, noServer(), log).run()).isFalse();

        // another location of the same service (a new script): the inputs changed
        Path more = Files.createDirectories(dir.resolve("more"));
        Files.writeString(more.resolve("V2__gizmos.sql"), "CREATE TABLE gizmos (id uuid PRIMARY KEY);");
        ServiceMigrations grown = new ServiceMigrations("plugintest", List.of("classpath:db/migration/plugintest",
                "filesystem:" + more), "public", "plugintest_schema_history");
        assertThat(generation(SERVICE_CONFIG, dir, grown, sharedServer(), log).run()).isTrue();
        assertThat(output.resolve("test/service/tables/Gizmos.java")).exists();
    }

    @Test
    void aServiceWhoseMigrationsCreateNothingSaysWhatToCheck(@TempDir Path dir) throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Files.writeString(empty.resolve("V1__nothing.sql"), "SELECT 1;");
        ServiceMigrations nothing = ServiceMigrations.of("nothing", "filesystem:" + empty);
        assertThatThrownBy(() -> generation(SERVICE_CONFIG, dir, nothing, sharedServer(), new ArrayList<>()).run())
                .hasMessageContaining("created no table").hasMessageContaining("<includes>");
    }
}

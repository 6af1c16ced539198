package io.jeex.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * README.md's "Adding jeex-db to a service" shows code of examples/jeex-service-example (built
 * and tested by CI against the deployed jars); this test fails when the two drift apart.
 */
class ReadmeServiceExampleTest {

    private static final Path EXAMPLE = Path.of("../examples/jeex-service-example/src");

    @Test
    void readmeShowsTheExampleServiceVerbatim() throws Exception {
        String readme = normalize(Files.readString(Path.of("../README.md")));
        List<String> names = new ArrayList<>();
        for (Path file : List.of(EXAMPLE.resolve("main/java/io/jeex/example/IdeaService.java"),
                EXAMPLE.resolve("test/java/io/jeex/example/IdeaServiceTest.java"))) {
            Matcher m = Pattern.compile("(?m)^\\s*// README: (\\S+)\\n(.*?)^\\s*// README: end$", Pattern.DOTALL)
                    .matcher(Files.readString(file));
            while (m.find()) {
                names.add(m.group(1));
                assertThat(readme).as("README.md shows '%s' of %s", m.group(1), file).contains(normalize(m.group(2)));
            }
        }
        assertThat(names).containsExactly("service-migrations", "service-bootstrap", "service-work",
                "service-own-table", "service-typed-query", "service-test", "service-duplicate");
    }

    @Test
    void readmeShowsTheExamplesCodeGenerationAndTestSettingsVerbatim() throws Exception {
        String readme = normalize(Files.readString(Path.of("../README.md")));
        String pom = Files.readString(EXAMPLE.resolveSibling("pom.xml"));
        Matcher plugin = Pattern.compile("(?s)\\n(\\s*<plugin>\\s*<groupId>io\\.jeex</groupId>\\s*"
                + "<artifactId>jeex-db-maven-plugin</artifactId>.*?</plugin>)").matcher(pom);
        assertThat(plugin.find()).as("the example builds with jeex-db-maven-plugin").isTrue();
        assertThat(readme).as("README shows the example's plugin configuration").contains(normalize(plugin.group(1)));
        String settings = Files.readString(EXAMPLE.resolve("test/resources/jeex-db-test.properties")).lines()
                .filter(l -> !l.startsWith("#") && !l.isBlank()).reduce("", (a, b) -> a + b + "\n");
        assertThat(readme).as("README shows the example's jeex-db-test.properties").contains(normalize(settings));
    }

    private static String normalize(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).reduce("", (a, b) -> a + b + "\n");
    }
}

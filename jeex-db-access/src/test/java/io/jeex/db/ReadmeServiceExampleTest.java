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
        assertThat(names).containsExactly("service-bootstrap", "service-work", "service-test", "service-duplicate");
    }

    private static String normalize(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).reduce("", (a, b) -> a + b + "\n");
    }
}

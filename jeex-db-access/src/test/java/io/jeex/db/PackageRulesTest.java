package io.jeex.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of docs/architecture.md, read from the sources of jeex-db-access: the API
 * packages never reach back into the facade and engine package (no cycle), and the repositories'
 * implementations reach the engine through its one port, never through the facade.
 */
class PackageRulesTest {

    private static final Path SOURCES = Path.of("src/main/java/io/jeex/db");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(io\\.jeex\\.db\\.[\\w.]+);", Pattern.MULTILINE);

    private static List<String> imports(Path file) {
        try {
            Matcher m = IMPORT.matcher(Files.readString(file));
            return m.results().map(r -> r.group(1)).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<Path> sources(String subpackage) throws IOException {
        try (Stream<Path> files = Files.list(subpackage.isEmpty() ? SOURCES : SOURCES.resolve(subpackage))) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
    }

    @Test
    void theApiPackagesImportNothingOfTheFacadeAndEnginePackage() throws IOException {
        for (String api : List.of("tx", "repository", "health", "error")) {
            List<Path> files = sources(api);
            assertThat(files).as("sources of io.jeex.db.%s", api).isNotEmpty();
            for (Path file : files) {
                assertThat(imports(file)).as("%s may import only io.jeex.db.error (and its own package)", file)
                        .allMatch(i -> i.startsWith("io.jeex.db.error.") || i.startsWith("io.jeex.db." + api + "."));
            }
        }
    }

    @Test
    void theErrorsDependOnNothingElseOfJeexDb() throws IOException {
        for (Path file : sources("error")) {
            assertThat(imports(file)).as("%s", file).allMatch(i -> i.startsWith("io.jeex.db.error."));
        }
    }

    @Test
    void theRepositoriesReachTheEngineThroughItsPortNeverThroughTheFacade() throws IOException {
        List<Path> stores = sources("").stream()
                .filter(f -> f.getFileName().toString().endsWith("Store.java")
                        || f.getFileName().toString().equals("ScopedRepositories.java"))
                .toList();
        assertThat(stores).hasSizeGreaterThanOrEqualTo(6);
        for (Path store : stores) {
            String code = Files.readString(store).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
            assertThat(code).as("%s", store).doesNotContain("JeexDatabase").doesNotContain("DatabaseRuntime")
                    .doesNotContain("TransactionRunner");
        }
    }
}

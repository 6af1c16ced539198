package io.jeex.db.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every migration and rollback script passes squawk, a maintained PostgreSQL migration linter
 * (npm package {@code squawk-cli}, which ships its own binary), with the repository's
 * {@code .squawk.toml}: the rules we disable are listed and justified there. Without squawk on the
 * PATH this fails with the install command ({@code .ci/run} installs the pinned version);
 * {@code -Djeex.test.skip-squawk=true} skips it on a machine where it cannot be installed.
 */
class MigrationLintTest {

    /** The version .ci/run installs. */
    static final String SQUAWK_VERSION = "2.66.0";
    private static final String SKIP_PROPERTY = "jeex.test.skip-squawk";

    private static Path repository() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve(".squawk.toml"))) {
                return d;
            }
        }
        throw new IllegalStateException(".squawk.toml not found above " + dir + ": run the tests from the repository");
    }

    private static List<Path> scripts(Path repo) throws IOException {
        List<Path> scripts = new ArrayList<>();
        for (String folder : List.of(JeexSchema.RESOURCE_FOLDER, JeexSchema.ROLLBACK_FOLDER)) {
            try (Stream<Path> files = Files.list(repo.resolve("jeex-db-schema/src/main/resources").resolve(folder))) {
                files.filter(f -> f.toString().endsWith(".sql")).sorted().forEach(scripts::add);
            }
        }
        return scripts;
    }

    private static Path squawk() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, "squawk");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        Assumptions.assumeFalse(Boolean.getBoolean(SKIP_PROPERTY), "squawk skipped (-D" + SKIP_PROPERTY + "=true)");
        throw new AssertionError("squawk is not on the PATH: npm install -g squawk-cli@" + SQUAWK_VERSION
                + " (.ci/run installs it), or skip with -D" + SKIP_PROPERTY + "=true");
    }

    @Test
    void everyMigrationAndRollbackScriptPassesSquawk() throws Exception {
        Path squawk = squawk();
        Path repo = repository();
        List<Path> scripts = scripts(repo);
        assertThat(scripts).extracting(p -> p.getFileName().toString()).contains("V1__initial_schema.sql",
                "V2__acting_user_function.sql");

        List<String> command = new ArrayList<>(List.of(squawk.toString(), "--config", repo.resolve(".squawk.toml")
                .toString(), "--reporter", "gcc"));
        scripts.forEach(s -> command.add(repo.relativize(s).toString()));
        Path output = Files.createTempFile("jeex-squawk-", ".txt");
        try {
            Process p = new ProcessBuilder(command).directory(repo.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("squawk ends within 60 s").isTrue();
            String report = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(report).as("squawk's findings").doesNotContain("warning").doesNotContain("error");
            assertThat(p.exitValue()).as(report).isZero();
        } finally {
            Files.deleteIfExists(output);
        }
    }

    @Test
    void squawkFindsWhatItShouldWithTheRepositoryConfiguration() throws Exception {
        Path squawk = squawk();
        Path repo = repository();
        // A migration that would block the application: an index built without CONCURRENTLY on an
        // existing table. The configuration must not have disabled that.
        Path bad = Files.createTempFile("jeex-squawk-bad-", ".sql");
        try {
            Files.writeString(bad, "CREATE INDEX idx_users_name ON users (name);\n");
            Process p = new ProcessBuilder(squawk.toString(), "--config", repo.resolve(".squawk.toml").toString(),
                    "--reporter", "gcc", bad.toString()).redirectErrorStream(true).start();
            String report = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(report).contains("require-concurrent-index-creation");
            assertThat(p.exitValue()).isNotZero();
        } finally {
            Files.deleteIfExists(bad);
        }
    }
}

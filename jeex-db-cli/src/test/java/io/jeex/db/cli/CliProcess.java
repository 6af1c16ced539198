package io.jeex.db.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The tool as an operator runs it: {@code java -jar target/jeex-db.jar <args>} in a process of its
 * own, with an environment of the test's choosing (no JEEX_DB_* variable of the build's
 * environment leaks in), stdout and stderr captured apart.
 */
final class CliProcess {

    /** Set by the process-tests execution of the POM: the packaged jar. */
    static final String JAR_PROPERTY = "jeex.cli.jar";
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** One run: exit status, stdout, stderr, and how long the process took. */
    record Run(int status, String out, String err, Duration took) {
        /** @return stdout parsed as exactly one JSON document; fails on anything else */
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("stdout is not exactly one JSON document: " + out, e);
            }
        }

        @Override
        public String toString() {
            return "exit " + status + " after " + took.toMillis() + " ms\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private CliProcess() {
    }

    /** @return the jar; aborts the test when run outside the process-tests execution (no jar yet) */
    static Path jar() {
        String jar = System.getProperty(JAR_PROPERTY);
        Assumptions.assumeTrue(jar != null, "runs in the integration-test phase (mvn verify), on the packaged jar");
        Path path = Path.of(jar);
        assertThat(path).as("the packaged jar").exists();
        return path;
    }

    static Run run(Map<String, String> env, String... args) {
        return start(env, null, args).await();
    }

    /** A running process of the tool. */
    static final class Started {
        private final Process process;
        private final Path dir;
        private final long start;
        private final String[] args;

        private Started(Process process, Path dir, long start, String[] args) {
            this.process = process;
            this.dir = dir;
            this.start = start;
            this.args = args;
        }

        /** @return what it wrote to stderr so far */
        String errSoFar() {
            try {
                return Files.readString(dir.resolve("stderr"), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** @return the run, once it ended (at most 180 s) */
        Run await() {
            try {
                if (!process.waitFor(180, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("jeex-db " + String.join(" ", args) + " did not end within 180 s");
                }
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                Path out = dir.resolve("stdout");
                Path err = dir.resolve("stderr");
                Run run = new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8), took);
                Files.delete(out);
                Files.delete(err);
                Files.delete(dir);
                return run;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /**
     * Starts the tool.
     *
     * @param env its environment (no other JEEX_DB_* variable)
     * @param extraClassPath a folder put on the class path after the jar (for example one holding
     *     a migration a newer jeex-db would ship), or null to run {@code java -jar}
     * @param args the command line
     * @return the running process
     */
    static Started start(Map<String, String> env, Path extraClassPath, String... args) {
        Path jar = jar();
        String javaCommand = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(extraClassPath == null ? List.of(javaCommand, "-jar", jar.toString())
                : List.of(javaCommand, "-cp", jar + java.io.File.pathSeparator + extraClassPath, JeexDbCli.class.getName()));
        command.addAll(List.of(args));
        try {
            Path dir = Files.createTempDirectory("jeex-cli-run-");
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(dir.resolve("stdout").toFile())
                    .redirectError(dir.resolve("stderr").toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("JEEX_DB_"));
            pb.environment().putAll(env);
            long start = System.nanoTime();
            return new Started(pb.start(), dir, start, args);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

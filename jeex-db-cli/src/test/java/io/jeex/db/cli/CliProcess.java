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
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;

/**
 * The tool as an operator runs it: {@code java -jar target/jeex-db.jar <args>} in a process of its
 * own, with an environment of the test's choosing (no JEEX_DB_* variable of the build's
 * environment leaks in), stdout and stderr captured apart.
 *
 * <p>Start-up: a cold {@code java -jar} spends about 5 s of CPU loading and compiling classes
 * before and around the command's own work, on a build machine with 2 cores. So the first run of
 * each test JVM also writes the classes it loaded to a class-data-sharing archive
 * ({@code -XX:ArchiveClassesAtExit}, JDK 13+) beside the jar, and the runs after it map that archive
 * ({@code -XX:SharedArchiveFile}) and compile with C1 only ({@code -XX:TieredStopAtLevel=1}): the
 * same jar, classes and command line, in about a third of the CPU. Where the JDK cannot write an
 * archive the runs go on without one; {@code -Xlog:disable} keeps the JVM's own CDS warnings out of
 * the captured output either way.
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

    /** Where the class-data archive of the runs stands in this test JVM. */
    private enum Archive { NONE, WRITING, READY, UNAVAILABLE }

    private static final AtomicReference<Archive> ARCHIVE = new AtomicReference<>(Archive.NONE);

    /** @return this test JVM's archive (one per fork: they run at the same time) */
    private static Path archive(Path jar) {
        return jar.resolveSibling("jeex-db-" + ProcessHandle.current().pid() + ".jsa");
    }

    /**
     * @param mayWrite whether this run may write the archive: only a plain {@code java -jar} does,
     *     since an archive holds its class path and is mapped only by runs whose class path starts so
     * @param writes set to the archive being written by this run, if it is the one to write it
     * @return the JVM options of the next run: map the archive if there is one; else have this run
     *     write it, unless another run already does or the JDK cannot
     */
    private static List<String> jvmOptions(Path jar, boolean mayWrite, AtomicReference<Path> writes) {
        Path archive = archive(jar);
        List<String> options = new ArrayList<>(List.of("-Xlog:disable"));
        if (ARCHIVE.get() == Archive.READY) {
            options.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:SharedArchiveFile=" + archive));
        } else if (mayWrite && ARCHIVE.compareAndSet(Archive.NONE, Archive.WRITING)) {
            Path partial = archive.resolveSibling(archive.getFileName() + ".partial");
            writes.set(partial);
            options.add("-XX:ArchiveClassesAtExit=" + partial);
        } else {
            options.add("-XX:TieredStopAtLevel=1");
        }
        return options;
    }

    /** The run that wrote the archive ended: the archive is ready, or a later run tries again. */
    private static void archiveWritten(Path partial, int status) {
        Path archive = partial.resolveSibling(partial.getFileName().toString().replace(".partial", ""));
        try {
            // any exit of the tool's own (0, 1, 2...), not a signal's (128 + n): the JVM wrote it whole
            if (status >= 0 && status < 128 && Files.isRegularFile(partial) && Files.size(partial) > 0) {
                Files.move(partial, archive, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                archive.toFile().deleteOnExit();
                ARCHIVE.set(Archive.READY);
                return;
            }
            Files.deleteIfExists(partial);
        } catch (IOException e) {
            // no archive: the runs go on without one
        }
        // a run that exited by itself without writing one: this JDK cannot; a killed run: try again
        ARCHIVE.set(status >= 0 && status < 128 ? Archive.UNAVAILABLE : Archive.NONE);
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

        /** Sends the process SIGTERM, as a service manager stopping it or {@code kill} does. */
        void terminate() {
            process.destroy();
        }

        /** @return whether the process still runs */
        boolean alive() {
            return process.isAlive();
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
        AtomicReference<Path> writes = new AtomicReference<>();
        List<String> command = new ArrayList<>(List.of(javaCommand));
        command.addAll(jvmOptions(jar, extraClassPath == null, writes));
        command.addAll(extraClassPath == null ? List.of("-jar", jar.toString())
                : List.of("-cp", jar + java.io.File.pathSeparator + extraClassPath, JeexDbCli.class.getName()));
        command.addAll(List.of(args));
        try {
            Path dir = Files.createTempDirectory("jeex-cli-run-");
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(dir.resolve("stdout").toFile())
                    .redirectError(dir.resolve("stderr").toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("JEEX_DB_"));
            pb.environment().putAll(env);
            long start = System.nanoTime();
            Process process;
            try {
                process = pb.start();
            } catch (IOException e) {
                if (writes.get() != null) {
                    archiveWritten(writes.get(), -1);
                }
                throw e;
            }
            if (writes.get() != null) {
                process.onExit().thenAccept(p -> archiveWritten(writes.get(), p.exitValue()));
            }
            return new Started(process, dir, start, args);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

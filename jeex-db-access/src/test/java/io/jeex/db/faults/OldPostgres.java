package io.jeex.db.faults;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL 15 (Debian's {@code postgresql-15} package), for tests of what the library
 * and the tool do on a server older than the schema needs (no {@code uuidv7()}). Started from its
 * binaries in a temporary data directory, trusted from localhost, stopped and deleted by
 * {@link #close()}. As root (CI), the server runs through {@code unshare -U}, as the embedded
 * PostgreSQL does, since PostgreSQL refuses to run as root.
 */
public final class OldPostgres implements AutoCloseable {

    /** Skips these tests when PostgreSQL 15 is not installed (local use only; CI never sets it). */
    public static final String SKIP_PROPERTY = "jeex.test.skip-postgresql15";
    /** Where Debian's package puts the binaries; override with {@code -Djeex.test.postgresql15-bin=...}. */
    static final String BIN = System.getProperty("jeex.test.postgresql15-bin", "/usr/lib/postgresql/15/bin");

    private final Process process;
    private final Path dir;
    private final int port;

    private OldPostgres(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** @return a started PostgreSQL 15; fails with the install command when it is missing */
    public static OldPostgres start() {
        return start(List.of());
    }

    /**
     * @param settings more server settings, {@code name=value} each (passed as {@code -c})
     * @return a started PostgreSQL 15; fails with the install command when it is missing
     */
    public static OldPostgres start(List<String> settings) {
        Path bin = Path.of(BIN);
        if (!Files.isExecutable(bin.resolve("postgres")) || !Files.isExecutable(bin.resolve("initdb"))) {
            String message = "PostgreSQL 15 is not installed in " + BIN + ", but these tests run a real one: install "
                    + "it with `apt-get install -y postgresql-15` (Debian; .ci/run does this), or skip them locally "
                    + "with -D" + SKIP_PROPERTY + "=true";
            if (Boolean.getBoolean(SKIP_PROPERTY)) {
                Assumptions.abort(message);
            }
            fail(message);
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("jeex-pg15-");
            Path data = dir.resolve("data");
            Path log = dir.resolve("server.log");
            run(command(bin.resolve("initdb").toString(), "-D", data.toString(), "-A", "trust", "-U", "postgres",
                    "-E", "UTF-8", "--no-sync"), log);
            int port = Ports.closed();
            List<String> postgres = command(bin.resolve("postgres").toString(), "-D", data.toString(),
                    "-p", Integer.toString(port), "-k", dir.toString(), "-c", "listen_addresses=127.0.0.1",
                    "-c", "fsync=off");
            settings.forEach(setting -> postgres.addAll(List.of("-c", setting)));
            Process p = new ProcessBuilder(postgres).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            OldPostgres server = new OldPostgres(p, dir, port);
            server.awaitReady(log);
            return server;
        } catch (IOException e) {
            deleteQuietly(dir);
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> command(String... args) {
        List<String> c = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            c.add("unshare");
            c.add("-U");
        }
        c.addAll(List.of(args));
        return c;
    }

    private static void run(List<String> command, Path log) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " failed: " + Files.readString(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void awaitReady(Path log) throws IOException {
        try {
            Awaitility.await("PostgreSQL 15 accepts connections")
                    .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .failFast("the PostgreSQL 15 process exited", () -> !process.isAlive())
                    .ignoreExceptionsInstanceOf(SQLException.class)
                    .until(() -> {
                        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), "postgres", "")) {
                            return true;
                        }
                    });
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            String serverLog = Files.readString(log); // before close(), which deletes the directory it is in
            close();
            throw new IllegalStateException("PostgreSQL 15 did not start: " + serverLog, e);
        }
    }

    /**
     * @param database a database name
     * @return its JDBC URL (user {@code postgres}, no password)
     */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** @return the port it listens on, on 127.0.0.1 */
    public int port() {
        return port;
    }

    /** @return its data directory */
    public Path dataDirectory() {
        return dir.resolve("data");
    }

    @Override
    public void close() {
        process.destroy(); // SIGTERM: smart shutdown
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteQuietly(dir);
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // left for the OS's temp cleaning
        }
    }
}

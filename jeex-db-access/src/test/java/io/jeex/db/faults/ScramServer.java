package io.jeex.db.faults;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/**
 * A PostgreSQL 18 of a test's own (zonky embedded, as the testkit's) that checks passwords as a
 * production server does: SCRAM for every role but the superuser (trusted from localhost, for
 * set-up), and one application role {@value #USER} with password {@value #PASSWORD} owning the
 * empty database {@value #DATABASE}. No TLS.
 */
public final class ScramServer implements AutoCloseable {

    /** The application role. */
    public static final String USER = "jeex_app";
    /** Its password. */
    public static final String PASSWORD = "right-s3cr3t";
    /** Its database, empty. */
    public static final String DATABASE = "jeex_app";

    private final EmbeddedPostgres postgres;

    private ScramServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** @return a started server with the role and its database */
    public static ScramServer start() {
        List<String> hba = List.of("local all all trust", "host all postgres 127.0.0.1/32 trust",
                "host all postgres ::1/128 trust", "host all all 127.0.0.1/32 scram-sha-256",
                "host all all ::1/128 scram-sha-256");
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60))
                    .setRegisterShutdownHook(true).setCleanDataDirectory(true)
                    .setServerConfig("fsync", "off").setServerConfig("password_encryption", "scram-sha-256")
                    .setDataDirectoryCustomizer(dir -> {
                        try {
                            Files.write(dir.toPath().resolve("pg_hba.conf"), hba, StandardCharsets.UTF_8);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }).start();
            ScramServer server = new ScramServer(pg);
            try (Connection c = DriverManager.getConnection(server.jdbcUrl("postgres"), "postgres", "");
                 Statement s = c.createStatement()) {
                s.execute("CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'");
                s.execute("CREATE DATABASE " + DATABASE + " OWNER " + USER);
            }
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("the embedded PostgreSQL 18 did not start: " + e.getMessage(), e);
        } catch (SQLException e) {
            throw new IllegalStateException("setting up the SCRAM server failed", e);
        }
    }

    /** @return the port */
    public int port() {
        return postgres.getPort();
    }

    /**
     * @param database a database name
     * @return its JDBC URL on this server, no credentials
     */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    /** @return the JDBC URL of {@value #DATABASE} */
    public String jdbcUrl() {
        return jdbcUrl(DATABASE);
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}

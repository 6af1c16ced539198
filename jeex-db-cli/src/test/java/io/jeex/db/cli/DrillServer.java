package io.jeex.db.cli;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;

/**
 * A PostgreSQL 18 of a recovery drill (the embedded binaries): durable as a production server
 * (fsync, synchronous commit and full-page writes on), WAL archived into a folder by
 * {@code archive_command}, or a server started on a restored data directory (archiving off, so
 * that it never writes into the drill's archive).
 */
final class DrillServer implements AutoCloseable {

    private final EmbeddedPostgres pg;
    private final Path dataDirectory;
    private final int port;

    private DrillServer(EmbeddedPostgres pg, Path dataDirectory, int port) {
        this.pg = pg;
        this.dataDirectory = dataDirectory;
        this.port = port;
    }

    /**
     * A durable primary archiving its WAL.
     *
     * @param dataDirectory its data directory, created
     * @param archiveCommand the archive_command ({@code %p}, {@code %f})
     */
    static DrillServer primary(Path dataDirectory, String archiveCommand) {
        String settings = "\narchive_mode = on\narchive_command = '" + archiveCommand.replace("'", "''") + "'\n";
        return start(dataDirectory, Map.of("fsync", "on", "synchronous_commit", "on", "full_page_writes", "on",
                "wal_level", "replica"), dir -> append(dir.resolve("postgresql.auto.conf"), settings));
    }

    /** A server on a restored data directory: it recovers as postgresql.auto.conf says; archiving off. */
    static DrillServer restored(Path dataDirectory) {
        return start(dataDirectory, Map.of("archive_mode", "off", "fsync", "on", "synchronous_commit", "on"),
                dir -> { });
    }

    private static DrillServer start(Path dir, Map<String, String> config,
                                     java.util.function.Consumer<Path> customize) {
        try {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            boolean fresh = !Files.exists(dir.resolve("postgresql.conf"));
            EmbeddedPostgres.Builder b = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false)
                    .setPort(port).setRegisterShutdownHook(false).setPGStartupWait(Duration.ofSeconds(120))
                    .setServerConfig("timezone", "UTC").setServerConfig("max_connections", "40")
                    .setDataDirectoryCustomizer(f -> {
                        if (fresh) {
                            customize.accept(f.toPath());
                        }
                    });
            config.forEach(b::setServerConfig);
            return new DrillServer(b.start(), dir, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void append(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port + "/postgres";
    }

    Path dataDirectory() {
        return dataDirectory;
    }

    /** @return the environment of the tool for this server: its URL, as the superuser */
    Map<String, String> env() {
        return Map.of("JEEX_DB_URL", jdbcUrl(), "JEEX_DB_USER", "postgres");
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), "postgres", "");
    }

    /**
     * Ends the current WAL segment and waits until the archive holds it, so that recovery can read
     * past every commit made so far.
     */
    void archiveCurrentWal() throws SQLException {
        String segment;
        try (Connection c = connect(); Statement s = c.createStatement()) {
            // A WAL record first: a switch on a segment without activity since the last one does
            // nothing and returns a position in the current, unarchived segment.
            try (ResultSet rs = s.executeQuery("select pg_create_restore_point('jeex-drill-switch')")) {
                rs.next();
            }
            try (ResultSet rs = s.executeQuery("select pg_walfile_name(pg_switch_wal())")) {
                rs.next();
                segment = rs.getString(1);
            }
            // on a timeout, Awaitility's message shows the archiver's failure count read last
            Awaitility.await("the archive gets " + segment)
                    .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        try (ResultSet rs = s.executeQuery("select coalesce(last_archived_wal, '') >= '" + segment
                                + "', failed_count from pg_stat_archiver")) {
                            rs.next();
                            return new Archived(rs.getBoolean(1), rs.getLong(2));
                        }
                    }, Archived::done);
        }
    }

    /** A look at pg_stat_archiver: whether the segment is archived, and how often archiving failed. */
    private record Archived(boolean done, long failedCount) {
    }

    @Override
    public void close() {
        try {
            pg.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

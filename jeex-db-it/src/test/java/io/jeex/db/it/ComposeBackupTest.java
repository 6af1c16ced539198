package io.jeex.db.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.faults.OldPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The compose backup job ({@code docker/backup/}, service {@code backup} of profile
 * {@code backup}). No Docker engine runs here and the PostgreSQL 18 image's tools cannot run, so:
 * the service's wiring is checked in {@code compose.yaml}, and {@code backup.sh} itself runs with
 * bash against a real PostgreSQL 15 with Debian's PostgreSQL 15 client tools (pg_basebackup,
 * pg_verifybackup, pg_archivecleanup: the same commands and options as in the image), Debian's
 * age and coreutils: a verified, encrypted backup that decrypts into a data directory holding its
 * backup manifest, and retention removing older backups and the WAL only they needed.
 */
class ComposeBackupTest {

    private static final Path PG15_BIN = Path.of(System.getProperty("jeex.test.postgresql15-bin",
            "/usr/lib/postgresql/15/bin"));
    private final Map<String, Object> compose = Compose.load("compose.yaml");
    private final Path root = Path.of(System.getProperty("java.io.tmpdir"), "jeex-compose-backup-" + System.nanoTime());

    @AfterEach
    void cleanUp() {
        TempDirs.deleteQuietly(root);
    }

    @Test
    void theBackupServiceRunsOnTheServersImageNextToItWithTheArchiveAndItsSecrets() throws IOException {
        Map<String, Object> backup = Compose.service(compose, "backup");
        Map<String, Object> postgres = Compose.service(compose, "postgres");

        assertThat(Compose.strings(backup.get("profiles"))).containsExactly("backup");
        assertThat(backup.get("build")).isEqualTo("./backup");
        String dockerfile = Files.readString(DockerFiles.dir().resolve("backup/Dockerfile"));
        assertThat(dockerfile).as("the tools of the server's major version").contains("FROM " + postgres.get("image")
                + "\n").contains("apt-get install -y --no-install-recommends age").contains("COPY backup.sh");
        assertThat(backup.get("network_mode")).as("127.0.0.1 reaches the server").isEqualTo("service:postgres");
        assertThat(Compose.strings(backup.get("volumes"))).contains("backups:/backups", "pgdata:/var/lib/postgresql");
        @SuppressWarnings("unchecked")
        Map<String, Object> env = (Map<String, Object>) backup.get("environment");
        String archiveCommand = Files.readAllLines(DockerFiles.postgresqlConf()).stream()
                .filter(l -> l.startsWith("archive_command")).findFirst().orElseThrow();
        assertThat(archiveCommand).as("the archive the job cleans up is where the server archives")
                .contains(env.get("JEEX_WAL_ARCHIVE") + "/%f");
        assertThat(Compose.strings(backup.get("secrets"))).containsExactly("postgres_password", "backup_recipients");
        assertThat(env.get("PGPASSWORD_FILE")).isEqualTo("/run/secrets/postgres_password");
        @SuppressWarnings("unchecked")
        Map<String, Object> secrets = (Map<String, Object>) compose.get("secrets");
        assertThat(secrets).containsKey("backup_recipients");
        assertThat(Files.readString(DockerFiles.dir().resolve("secrets/README.md"))).contains("`backup_recipients`");
    }

    @Test
    void backupShTakesAVerifiedEncryptedBackupAndKeepsTheNewestWithTheWalTheyNeed() throws Exception {
        Path archive = Files.createDirectories(root.resolve("archive"));
        Path backups = Files.createDirectories(root.resolve("backups"));
        Path key = root.resolve("backup-key.txt");
        Path recipients = root.resolve("backup_recipients");
        run(List.of("age-keygen", "-o", key.toString()), Map.of());
        run(List.of("age-keygen", "-y", "-o", recipients.toString(), key.toString()), Map.of());
        try (OldPostgres pg15 = OldPostgres.start(List.of("archive_mode=on", "wal_level=replica",
                "archive_command=cp %p " + archive + "/%f"))) {
            Map<String, String> env = Map.of("PATH", PG15_BIN + ":" + System.getenv("PATH"), "PGHOST", "127.0.0.1",
                    "PGPORT", Integer.toString(pg15.port()), "PGUSER", "postgres", "JEEX_BACKUP_DIR",
                    backups.toString(), "JEEX_WAL_ARCHIVE", archive.toString(), "JEEX_BACKUP_KEEP", "1",
                    "JEEX_BACKUP_RECIPIENTS_FILE", recipients.toString());
            Path script = DockerFiles.dir().resolve("backup/backup.sh");

            String first = run(List.of("bash", script.toString()), env);
            assertThat(first).contains("verified");
            switchWal(pg15);
            String second = run(List.of("bash", script.toString()), env);
            assertThat(second).contains("removed").contains("WAL archive cleaned up to");

            List<Path> kept;
            try (Stream<Path> dirs = Files.list(backups)) {
                kept = dirs.toList();
            }
            assertThat(kept).as("JEEX_BACKUP_KEEP=1").hasSize(1);
            Path backup = kept.get(0);
            assertThat(backup.resolve("base.tar.age")).isRegularFile();
            assertThat(backup.resolve("base.tar")).doesNotExist();
            run(List.of("sha256sum", "--check", "SHA256SUMS"), Map.of(), backup);
            String startWal = Files.readString(backup.resolve("start_wal")).strip();
            try (Stream<Path> files = Files.list(archive)) {
                List<String> left = files.map(p -> p.getFileName().toString()).filter(f -> f.matches("[0-9A-F]{24}"))
                        .sorted().toList();
                assertThat(left).isNotEmpty().allMatch(f -> f.substring(8).compareTo(startWal.substring(8)) >= 0);
            }

            Path restored = Files.createDirectories(root.resolve("restored"));
            run(List.of("bash", "-c", "set -o pipefail; age --decrypt --identity '" + key + "' '"
                    + backup.resolve("base.tar.age") + "' | tar -x -C '" + restored + "'"), Map.of());
            assertThat(restored.resolve("backup_manifest")).isRegularFile();
            assertThat(restored.resolve("PG_VERSION")).hasContent("15");
            run(List.of(PG15_BIN.resolve("pg_verifybackup").toString(), "--quiet", "--no-parse-wal",
                    restored.toString()), Map.of());
            assertThat(first + second).doesNotContain("AGE-SECRET-KEY");
        }
    }

    private static void switchWal(OldPostgres pg) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"), "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("create table if not exists drill (id int)");
            s.execute("insert into drill select generate_series(1, 1000)");
            try (ResultSet rs = s.executeQuery("select pg_walfile_name(pg_switch_wal())")) {
                rs.next();
            }
        }
    }

    private String run(List<String> command, Map<String, String> env) throws Exception {
        return run(command, env, root);
    }

    private static String run(List<String> command, Map<String, String> env, Path dir) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s ends", command).isTrue();
        assertThat(p.exitValue()).as("%s: %s", command, out).isZero();
        return out;
    }
}

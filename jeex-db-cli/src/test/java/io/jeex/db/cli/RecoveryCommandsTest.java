package io.jeex.db.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jeex.db.cli.InProcess.Run;
import io.jeex.db.schema.JeexSchema;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The recovery commands in this JVM ({@link JeexDbCli#run}): drift of every kind reported by
 * {@code validate}, {@code rollback}, and what {@code backup} and {@code restore} refuse or detect
 * (no archiving, a damaged backup, a wrong key, a non-empty target), with their exit status; the
 * drills with {@code java -jar} are {@code RecoveryDrillProcessTest}.
 */
class RecoveryCommandsTest {

    private final Path root = Path.of(System.getProperty("java.io.tmpdir"), "jeex-recovery-cli-" + System.nanoTime());

    @AfterEach
    void cleanUp() {
        Restore.deleteTree(root);
    }

    private static Run run(Map<String, String> env, String... args) {
        return InProcess.run(env, args);
    }

    private static Map<String, String> env(TestDatabase db) {
        return Map.of("JEEX_DB_URL", db.jdbcUrl(), "JEEX_DB_USER", db.user());
    }

    @Test
    void validateReportsEveryKindOfDriftByObject() {
        try (TestDatabase db = JeexPostgres.shared().newEmptyDatabase()) {
            assertThat(run(env(db), "migrate").status()).isZero();
            Run clean = run(env(db), "validate");
            assertThat(clean.status()).as(clean.err()).isZero();
            assertThat(clean.out()).contains("drift: none (the catalog is what the migrations make at version "
                    + JeexSchema.latestVersion() + ")");

            db.dsl().execute("create index idx_users_name_hotfix on users (name)");
            db.dsl().execute("alter table projects alter column status set default 'in_progress'");
            db.dsl().execute("alter table exports drop constraint exports_manifest_object_check");
            db.dsl().execute("alter table users add column nickname text");
            db.dsl().execute("alter table document_versions alter column content drop not null");
            db.dsl().execute("drop trigger users_touch_updated_at on users");
            db.dsl().execute("comment on table projects is 'changed by hand'");
            db.dsl().execute("create or replace function jeex_acting_user_id() returns uuid language sql stable "
                    + "as $$ select null::uuid $$");
            db.dsl().execute("drop index idx_exports_expires");

            Run drift = run(env(db), "validate");
            assertThat(drift.status()).isOne();
            assertThat(drift.err()).isEqualTo("jeex-db validate: the database differs from what the migrations make: "
                    + "10 differences (listed on stdout); put each change into a migration, or undo it\n");
            assertThat(drift.out()).contains("drift: 10 differences from what the migrations make at version "
                    + JeexSchema.latestVersion() + ":")
                    .contains("  index idx_users_name_hotfix: in the database, but not made by the migrations (CREATE "
                            + "INDEX idx_users_name_hotfix ON public.users USING btree (name))")
                    .contains("  column projects.status: default differs: the migrations make 'draft'::character "
                            + "varying, the database has 'in_progress'::character varying")
                    .contains("  constraint exports.exports_manifest_object_check: made by the migrations, but missing "
                            + "in the database (CHECK ((jsonb_typeof(manifest) = 'object'::text)))")
                    .contains("  column users.nickname: in the database, but not made by the migrations")
                    .contains("  column document_versions.content: not null differs: the migrations make true, the "
                            + "database has none")
                    .contains("  trigger users.users_touch_updated_at: made by the migrations, but missing in the database")
                    .contains("  table projects: comment differs: the migrations make A JEEX idea project")
                    .contains("  function jeex_acting_user_id(): definition differs:")
                    .contains("  index idx_exports_expires: made by the migrations, but missing in the database");

            JsonNode json = run(env(db), "validate", "--json").json();
            assertThat(json.get("ok").asBoolean()).isFalse();
            assertThat(json.get("error").get("type").asText()).isEqualTo("Drift");
            List<String> kinds = new ArrayList<>();
            json.get("drift").forEach(d -> kinds.add(d.get("kind").asText() + " " + d.get("name").asText()));
            assertThat(kinds).contains("index idx_users_name_hotfix", "column projects.status",
                    "constraint exports.exports_manifest_object_check", "trigger users.users_touch_updated_at",
                    "function jeex_acting_user_id()", "table projects");
            assertThat(run(env(db), "validate", "--skip-drift").status()).isZero();
        }
    }

    @Test
    void rollbackGoesBackOneVersionAfterARestorePointAndRefusesATargetAhead() {
        try (TestDatabase db = JeexPostgres.shared().newEmptyDatabase()) {
            assertThat(run(env(db), "migrate").status()).isZero();
            String latest = JeexSchema.latestVersion();
            String previous = Integer.toString(Integer.parseInt(latest) - 1);

            Run back = run(env(db), "rollback", "--to", previous);
            assertThat(back.status()).as(back.err()).isZero();
            assertThat(back.out()).containsPattern("restore point: jeex-rollback-" + latest + "-to-" + previous
                    + "-\\S+ at LSN [0-9A-F]+/[0-9A-F]+")
                    .contains("rollback: 1 rolled back, schema version " + latest + " -> " + previous + "\n")
                    .contains("  V" + latest + "__");
            assertThat(run(env(db), "info").out()).contains("schema version: " + previous + ", 1 pending");

            Run ahead = run(env(db), "rollback", "--to", "99", "--json");
            assertThat(ahead.status()).isOne();
            assertThat(ahead.json().get("error").get("message").asText()).isEqualTo("rolling back the JEEX schema "
                    + "refused: the target version 99 is ahead of the schema version " + previous
                    + ": rollback only goes back; to go forward, migrate");
            assertThat(run(env(db), "rollback", "--to", "one").status()).isEqualTo(JeexDbCli.EXIT_USAGE);
            assertThat(run(env(db), "rollback").status()).as("--to is required").isEqualTo(JeexDbCli.EXIT_USAGE);

            JsonNode again = run(env(db), "migrate", "--json").json();
            assertThat(again.get("applied").asInt()).isOne();
            assertThat(again.get("restorePoint").get("name").asText()).startsWith("jeex-migrate-" + previous + "-to-"
                    + latest + "-");
        }
    }

    @Test
    void backupRefusesAServerThatDoesNotArchiveItsWal() throws IOException {
        try (TestDatabase db = JeexPostgres.shared().newEmptyDatabase()) {
            Run run = run(env(db), "backup", "--to", root.resolve("backups").toString(), "--wal-archive",
                    Files.createDirectories(root.resolve("archive")).toString());
            assertThat(run.status()).isEqualTo(JeexDbCli.EXIT_USAGE);
            assertThat(run.err()).startsWith("jeex-db backup: the server does not archive its WAL (archive_mode = off)")
                    .hasLineCount(1);
            assertThat(root.resolve("backups")).doesNotExist();
        }
    }

    @Test
    void backupOfAServerThatDoesNotAnswerExitsOneNamingTheSettings() throws IOException {
        Run run = run(Map.of("JEEX_DB_URL", "jdbc:postgresql://127.0.0.1:" + io.jeex.db.faults.Ports.closed() + "/x",
                "JEEX_DB_PASSWORD", "s3cr3t-pw", "JEEX_DB_CONNECT_TIMEOUT", "1s"), "backup", "--to",
                root.resolve("backups").toString(), "--wal-archive", Files.createDirectories(root.resolve("archive"))
                        .toString(), "--json");
        assertThat(run.status()).isOne();
        assertThat(run.json().get("error").get("message").asText()).startsWith("the database could not be reached or "
                + "refused the login (SQLSTATE 08001").contains("check JEEX_DB_MIGRATION_URL");
        assertThat(run.out() + run.err()).doesNotContain("s3cr3t-pw");
    }

    @Test
    void backupsStartedAtOnceEachGetAFolderOfTheirOwnAndKeepCountsOnlyCompleteBackupsOfTheRunningServer() throws Exception {
        Path archive = Files.createDirectories(root.resolve("archive"));
        try (DrillServer server = DrillServer.primary(root.resolve("primary"), "cp %p " + archive + "/%f")) {
            Path backups = root.resolve("backups");
            // a stopped copy of the data directory (a restore, a standby's folder) has the same
            // system identifier: it is refused, not backed up with the running server's backup_label
            Path copy = Files.createDirectories(root.resolve("copy/global"));
            Files.copy(server.dataDirectory().resolve("global/pg_control"), copy.resolve("pg_control"));
            Run stoppedCopy = run(server.env(), "backup", "--to", backups.toString(), "--wal-archive",
                    archive.toString(), "--pgdata", copy.getParent().toString());
            assertThat(stoppedCopy.status()).as(stoppedCopy.err()).isEqualTo(JeexDbCli.EXIT_USAGE);
            assertThat(stoppedCopy.err()).contains("is not the data directory the server at JEEX_DB_MIGRATION_URL runs "
                    + "on: it holds no postmaster.pid");
            List<String> pid = new ArrayList<>(Files.readAllLines(server.dataDirectory().resolve("postmaster.pid")));
            pid.set(3, "1");
            Files.write(copy.getParent().resolve("postmaster.pid"), pid);
            Run otherPort = run(server.env(), "backup", "--to", backups.toString(), "--wal-archive",
                    archive.toString(), "--pgdata", copy.getParent().toString());
            assertThat(otherPort.status()).as(otherPort.err()).isEqualTo(JeexDbCli.EXIT_USAGE);
            assertThat(otherPort.err()).contains("its postmaster.pid is of a server on port 1, this one listens on port");
            assertThat(backups).as("nothing written for a refused backup").doesNotExist();
            Path aFile = Files.writeString(root.resolve("a-file"), "not a folder");
            Run underAFile = run(server.env(), "backup", "--to", aFile.resolve("backups").toString(), "--wal-archive",
                    archive.toString(), "--pgdata", server.dataDirectory().toString());
            assertThat(underAFile.status()).isOne();
            assertThat(underAFile.err()).startsWith("jeex-db backup: the backup could not be written or read (")
                    .contains("check that --to is a folder").hasLineCount(1);

            List<String> backup = List.of("backup", "--to", backups.toString(), "--wal-archive", archive.toString(),
                    "--pgdata", server.dataDirectory().toString(), "--json");
            // three runs in the same second: two cron hosts and a retried job
            ExecutorService threads = Executors.newFixedThreadPool(3);
            List<Future<Run>> started = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                started.add(threads.submit(() -> run(server.env(), backup.toArray(String[]::new))));
            }
            Set<String> dirs = new HashSet<>();
            for (Future<Run> f : started) {
                Run r = f.get(120, TimeUnit.SECONDS);
                assertThat(r.status()).as(r.err()).isZero();
                dirs.add(r.json().get("dir").asText());
            }
            threads.shutdown();
            assertThat(dirs).as("a folder each").hasSize(3);
            assertThat(BackupSet.list(backups)).hasSize(3)
                    .allMatch(b -> Files.isRegularFile(b.dir().resolve(BackupSet.BASE)));
            try (Stream<Path> left = Files.list(backups)) {
                assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".partial"));
            }

            // a folder that lost its base archive (a disk error, a hand-made copy) is no backup:
            // --keep neither counts it nor keeps it instead of a complete one
            Path husk = Files.createDirectories(backups.resolve("29991231T235959Z"));
            Files.copy(BackupSet.list(backups).get(0).dir().resolve(BackupSet.PROPERTIES),
                    husk.resolve(BackupSet.PROPERTIES));
            assertThat(BackupSet.list(backups)).hasSize(3);
            List<String> keep = new ArrayList<>(backup);
            keep.addAll(List.of("--keep", "2"));
            Run kept = run(server.env(), keep.toArray(String[]::new));
            assertThat(kept.status()).as(kept.err()).isZero();
            assertThat(kept.json().get("removedBackups").asInt()).as("4 complete backups, 2 kept").isEqualTo(2);
            assertThat(BackupSet.list(backups)).hasSize(2).extracting(b -> b.dir().toString())
                    .contains(kept.json().get("dir").asText());
        }
    }

    @Test
    void backupsClaimedInOneSecondGetIdsThatSortInTheOrderOfTheirClaims() throws IOException {
        Path backups = Files.createDirectories(root.resolve("claims"));
        java.util.concurrent.atomic.AtomicReference<Path> claimed = new java.util.concurrent.atomic.AtomicReference<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            BaseBackup.Claim claim = BaseBackup.claim(backups, "20260102T030405Z", claimed);
            assertThat(claimed.get()).isEqualTo(claim.partial()).isDirectory();
            ids.add(claim.id());
        }
        assertThat(ids).startsWith("20260102T030405Z", "20260102T030405Z-02").endsWith("20260102T030405Z-12")
                .doesNotHaveDuplicates().isSorted();
        assertThat(ids.get(11)).isLessThan("20260102T030406Z");
        // an id whose backup is complete already is not claimed again
        Files.createDirectories(backups.resolve("20260102T030407Z"));
        assertThat(BaseBackup.claim(backups, "20260102T030407Z", claimed).id()).isEqualTo("20260102T030407Z-02");
    }

    @Test
    void restoreChecksTheBackupTheKeyAndTheTargetBeforeWritingAnything() throws Exception {
        Path archive = Files.createDirectories(root.resolve("archive"));
        Path key = root.resolve("key.txt");
        Path otherKey = root.resolve("other-key.txt");
        for (Path k : List.of(key, otherKey)) {
            Process p = new ProcessBuilder("age-keygen", "-o", k.toString()).redirectErrorStream(true).start();
            assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0)
                    .as("age-keygen (apt-get install age; .ci/run installs it)").isTrue();
        }
        String secret = Files.readAllLines(key).stream().filter(l -> l.startsWith("AGE-SECRET-KEY-")).findFirst()
                .orElseThrow();
        try (DrillServer server = DrillServer.primary(root.resolve("primary"), "cp %p " + archive + "/%f")) {
            Path backups = root.resolve("backups");
            String[] backup = {"backup", "--to", backups.toString(), "--wal-archive", archive.toString(), "--pgdata",
                    server.dataDirectory().toString(), "--key-file", key.toString(), "--keep", "1", "--json"};
            Run first = run(server.env(), backup);
            assertThat(first.status()).as(first.err()).isZero();
            server.archiveCurrentWal();
            Run second = run(server.env(), backup);
            assertThat(second.status()).as(second.err()).isZero();
            JsonNode b = second.json();
            assertThat(b.get("removedBackups").asInt()).as("keep 1").isOne();
            assertThat(b.get("removedWalFiles").asInt()).as("the WAL only the removed backup needed").isPositive();
            assertThat(BackupSet.list(backups)).hasSize(1);
            try (Stream<Path> files = Files.list(archive)) {
                assertThat(files.map(p -> p.getFileName().toString()).filter(WalFiles::isSegment))
                        .allMatch(f -> !WalFiles.isBefore(f, BackupSet.list(backups).get(0).get("start.wal")));
            }
            Path dir = Path.of(b.get("dir").asText());
            assertThat(first.out() + first.err() + second.out() + second.err()).doesNotContain(secret);

            Path target = root.resolve("restored");
            Run noKey = run(Map.of(), "restore", "--from", dir.toString(), "--pgdata", target.toString());
            assertThat(noKey.status()).isEqualTo(JeexDbCli.EXIT_USAGE);
            assertThat(noKey.err()).contains("is encrypted: --key-file must name the age identity file");

            Run wrongKey = run(Map.of(), "restore", "--from", dir.toString(), "--pgdata", target.toString(),
                    "--key-file", otherKey.toString());
            assertThat(wrongKey.status()).isOne();
            assertThat(wrongKey.err()).startsWith("jeex-db restore: age failed decrypting base.tar.age: ")
                    .doesNotContain("AGE-SECRET-KEY");
            assertThat(target).isEmptyDirectory();

            Run early = run(Map.of(), "restore", "--from", dir.toString(), "--pgdata", target.toString(), "--wal-archive",
                    archive.toString(), "--key-file", key.toString(), "--target-time", "2020-01-01T00:00:00Z");
            assertThat(early.status()).isEqualTo(JeexDbCli.EXIT_USAGE);
            assertThat(early.err()).contains("is before the backup").contains("restore from an older backup");

            try (RandomAccessFile f = new RandomAccessFile(dir.resolve("base.tar.age").toFile(), "rw")) {
                f.seek(f.length() / 2);
                int x = f.read();
                f.seek(f.length() / 2);
                f.write(x ^ 0xff);
            }
            Run damaged = run(Map.of(), "restore", "--from", dir.toString(), "--pgdata", target.toString(),
                    "--key-file", key.toString(), "--json");
            assertThat(damaged.status()).isOne();
            assertThat(damaged.json().get("error").get("message").asText()).contains("is damaged, nothing was restored: "
                    + "base.tar.age is damaged (its SHA-256 differs from manifest.sha256)");
            assertThat(target).isEmptyDirectory();

            Files.writeString(target.resolve("PG_VERSION"), "18\n");
            Run notEmpty = run(Map.of(), "restore", "--from", dir.toString(), "--pgdata", target.toString(),
                    "--key-file", key.toString());
            assertThat(notEmpty.status()).isEqualTo(JeexDbCli.EXIT_USAGE);
            assertThat(notEmpty.err()).contains("restore never overwrites a data directory");
        }
    }
}

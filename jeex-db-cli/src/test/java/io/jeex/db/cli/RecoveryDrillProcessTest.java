package io.jeex.db.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.cli.CliProcess.Run;
import io.jeex.db.schema.JeexSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Recovery drills as an operator runs them, with {@code java -jar jeex-db.jar backup} and
 * {@code restore} against a durable PostgreSQL 18 (fsync on) that archives its WAL:
 * <ul>
 *   <li>point in time: a base backup, then a workload whose every acknowledged commit is recorded
 *       with the time it started and the time it was acknowledged; restored to a target time in the
 *       middle of it into a new data directory and started: every commit acknowledged before the
 *       target is there, none that started after it (a commit in flight at the target may go either
 *       way, as in PostgreSQL); restored from a plain and from an encrypted backup (age), the WAL
 *       archive encrypted by archive_command;</li>
 *   <li>restore point: {@link RestorePointDrillProcessTest}.</li>
 * </ul>
 * Each prints the restore time for its data size.
 */
class RecoveryDrillProcessTest extends DrillFolderProcessTest {

    static Map<String, String> env(DrillServer server) {
        return new HashMap<>(server.env());
    }

    /** A commit of the workload: which row, when its transaction began, when COMMIT was acknowledged. */
    private record Commit(String email, Instant started, Instant acknowledged) {
    }

    private static Path ageKey(Path dir) throws Exception {
        Path key = dir.resolve("backup-key.txt");
        Process p = new ProcessBuilder("age-keygen", "-o", key.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("age-keygen (apt-get install age; .ci/run installs it)").isZero();
        return key;
    }

    private static Path publicKey(Path key) throws Exception {
        Path pub = key.resolveSibling("backup-key.pub");
        Process p = new ProcessBuilder("age-keygen", "-y", "-o", pub.toString(), key.toString()).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        return pub;
    }

    @Test
    void restoreToATimeKeepsEveryCommitAcknowledgedBeforeItAndNoneStartedAfterFromAPlainAndAnEncryptedBackup()
            throws Exception {
        Path archive = Files.createDirectories(root.resolve("archive"));
        Path key = ageKey(Files.createDirectories(root.resolve("keys")));
        // The WAL archive is encrypted by archive_command, with the public key only.
        String archiveCommand = "test ! -f " + archive + "/%f.age && age --encrypt --recipients-file " + publicKey(key)
                + " --output " + archive + "/%f.age %p";
        DrillServer primary = closing(DrillServer.primary(root.resolve("primary"), archiveCommand));
        JeexDatabase db = closing(JeexDatabase.create(JeexDbConfig.builder(primary.jdbcUrl()).name("drill")
                .user("postgres").poolSize(4).pool(p -> p.withMaxOverflow(0))
                .health(h -> h.withMonitorInterval(Duration.ZERO)).build()));
        db.migrate();
        try (Connection c = primary.connect(); Statement s = c.createStatement()) {
            // some data before the backup: 2,000 users with a 2 KB profile each
            s.execute("insert into users (email, name, profile_data) select 'before-' || i || '@example.com', 'User ' || i, "
                    + "jsonb_build_object('bio', repeat('x', 2000)) from generate_series(1, 2000) i");
        }
        Map<Boolean, Run> backups = new HashMap<>();
        for (boolean encrypted : List.of(false, true)) {
            List<String> args = new ArrayList<>(List.of("backup", "--to", root.resolve(encrypted ? "sealed" : "plain")
                    .toString(), "--wal-archive", archive.toString(), "--pgdata", primary.dataDirectory().toString(),
                    "--json"));
            if (encrypted) {
                args.addAll(List.of("--key-file", key.toString()));
            }
            Run backup = CliProcess.run(env(primary), args.toArray(String[]::new));
            assertThat(backup.status()).as("%s", backup).isZero();
            JsonNode b = backup.json();
            assertThat(b.get("encrypted").asBoolean()).isEqualTo(encrypted);
            assertThat(b.get("verified").asText()).contains("checksums of every file and of the")
                    .contains("base archive");
            assertThat(Path.of(b.get("dir").asText()).resolve(encrypted ? "base.tar.age" : "base.tar")).isRegularFile();
            backups.put(encrypted, backup);
        }

        // the workload: two writers; every acknowledged commit recorded with its start and acknowledgement
        List<Commit> commits = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger n = new AtomicInteger();
        ExecutorService writers = Executors.newFixedThreadPool(2);
        for (int w = 0; w < 2; w++) {
            writers.submit(() -> {
                while (!stop.get()) {
                    String email = "drill-" + n.incrementAndGet() + "@example.com";
                    Instant started = Instant.now();
                    db.actingAsNewUser().users().create(email, "Drill");
                    commits.add(new Commit(email, started, Instant.now()));
                }
                return null;
            });
        }
        Awaitility.await("200 commits")
                .atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(10))
                .until(() -> commits.size() >= 200);
        Instant target;
        try (Connection c = primary.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select clock_timestamp()")) {
            rs.next();
            target = rs.getTimestamp(1).toInstant();
        }
        Awaitility.await("200 commits started after the target")
                .atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(10))
                .until(() -> countStartedAfter(commits, target) >= 200);
        stop.set(true);
        writers.shutdown();
        assertThat(writers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        primary.archiveCurrentWal();
        List<Commit> before = commits.stream().filter(x -> x.acknowledged().isBefore(target)).toList();
        List<Commit> after = commits.stream().filter(x -> x.started().isAfter(target)).toList();
        assertThat(before).as("acknowledged before the target").hasSizeGreaterThanOrEqualTo(100);
        assertThat(after).as("started after the target").hasSizeGreaterThanOrEqualTo(200);

        for (boolean encrypted : List.of(false, true)) {
            JsonNode b = backups.get(encrypted).json();
            Path restored = root.resolve(encrypted ? "restored-sealed" : "restored-plain");
            // the key decrypts the encrypted archive for both, and the encrypted backup itself
            Run restore = CliProcess.run(Map.of(), "restore", "--from", b.get("dir").asText(), "--pgdata",
                    restored.toString(), "--wal-archive", archive.toString(), "--target-time", target.toString(),
                    "--key-file", key.toString());
            assertThat(restore.status()).as("%s", restore).isZero();
            assertThat(restore.out()).contains("recovery: recovery_target_time = '").contains("next: start PostgreSQL 18");

            long startedRecovery = System.nanoTime();
            try (DrillServer copy = DrillServer.restored(restored); Connection c = copy.connect()) {
                awaitPromoted(c);
                Duration recovery = Duration.ofNanos(System.nanoTime() - startedRecovery);
                Set<String> present = new HashSet<>();
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("select email from users where email like 'drill-%'")) {
                    while (rs.next()) {
                        present.add(rs.getString(1));
                    }
                }
                assertThat(before).as("acknowledged before the target, restored from the %s backup",
                        encrypted ? "encrypted" : "plain").allMatch(x -> present.contains(x.email()));
                assertThat(after).as("started after the target").noneMatch(x -> present.contains(x.email()));
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("select count(*) from users where email like 'before-%'")) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("the data of the backup").isEqualTo(2000);
                }
                System.out.printf(Locale.ROOT, "recovery drill (%s backup): backup of %d files, %.1f MB, in %.1f s; "
                                + "restore command %.1f s (process included), recovery to the target %.1f s; %d "
                                + "commits acknowledged before the target all present, %d started after it all absent, "
                                + "%d in flight at the target%n", encrypted ? "encrypted" : "plain",
                        b.get("files").asInt(), b.get("bytes").asLong() / 1e6,
                        backups.get(encrypted).took().toMillis() / 1000.0, restore.took().toMillis() / 1000.0,
                        recovery.toMillis() / 1000.0, before.size(), after.size(),
                        commits.size() - before.size() - after.size());
            }
        }
    }

    static List<String> data(Connection c) throws SQLException {
        List<String> rows = new ArrayList<>();
        for (String query : List.of("select email || '|' || name from users order by email",
                "select p.name || '|' || u.email from projects p join users u on u.id = p.created_by order by 1",
                "select version || '|' || script from " + JeexSchema.HISTORY_TABLE + " order by installed_rank")) {
            try (PreparedStatement ps = c.prepareStatement(query); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getString(1));
                }
            }
        }
        return rows;
    }

    private static long countStartedAfter(List<Commit> commits, Instant target) {
        synchronized (commits) {
            return commits.stream().filter(c -> c.started().isAfter(target)).count();
        }
    }

    /** Waits until recovery reached the target and the server was promoted (read-write). */
    static void awaitPromoted(Connection c) {
        Awaitility.await("promoted (recovery reached the target)")
                .atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    try (Statement s = c.createStatement();
                         ResultSet rs = s.executeQuery("select pg_is_in_recovery()")) {
                        rs.next();
                        return !rs.getBoolean(1);
                    }
                });
    }
}

package io.jeex.db.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.cli.CliProcess.Run;
import io.jeex.db.cli.CliProcess.Started;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The tool stopped by SIGTERM (a service manager, {@code kill}, Ctrl-C's SIGINT alike) while a
 * command writes: what the command had half made is undone before the process ends, and the
 * operator is told so on stderr.
 */
class InterruptedCommandsProcessTest {

    private final Path root = Path.of(System.getProperty("java.io.tmpdir"), "jeex-interrupted-" + System.nanoTime());

    @AfterEach
    void cleanUp() {
        Restore.deleteTree(root);
    }

    @Test
    void aBackupStoppedBySigtermLeavesNoFolderAndTheNextBackupWorks() throws Exception {
        Path archive = Files.createDirectories(root.resolve("archive"));
        try (DrillServer primary = DrillServer.primary(root.resolve("primary"), "cp %p " + archive + "/%f")) {
            try (Connection c = primary.connect(); Statement s = c.createStatement()) {
                // data enough that the copy takes a while: about 25 MB more
                s.execute("create table filler as select i, repeat(md5(i::text), 30) as t "
                        + "from generate_series(1, 25000) i");
            }
            Path backups = root.resolve("backups");
            String[] backup = {"backup", "--to", backups.toString(), "--wal-archive", archive.toString(), "--pgdata",
                    primary.dataDirectory().toString()};
            Started running = CliProcess.start(primary.env(), null, backup);
            Awaitility.await("the backup's folder").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                    .until(() -> !running.alive() || entries(backups).stream().anyMatch(n -> n.endsWith(".partial")));
            assertThat(running.alive()).as("still copying when it is stopped").isTrue();
            running.terminate();
            Run stopped = running.await();

            assertThat(stopped.status()).as("%s", stopped).isEqualTo(128 + 15);
            assertThat(stopped.err()).contains("jeex-db backup: stopped by a signal before it ended: ");
            assertThat(entries(backups)).as("no folder left behind").isEmpty();

            Run next = CliProcess.run(primary.env(), backup);
            assertThat(next.status()).as("%s", next).isZero();
            assertThat(BackupSet.list(backups)).hasSize(1);
        }
    }

    private static List<String> entries(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).toList();
        }
    }
}

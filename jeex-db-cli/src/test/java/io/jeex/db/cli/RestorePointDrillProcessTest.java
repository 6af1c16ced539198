package io.jeex.db.cli;

import static io.jeex.db.cli.RecoveryDrillProcessTest.awaitPromoted;
import static io.jeex.db.cli.RecoveryDrillProcessTest.data;
import static io.jeex.db.cli.RecoveryDrillProcessTest.env;
import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.cli.CliProcess.Run;
import io.jeex.db.schema.Catalog;
import io.jeex.db.schema.JeexSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The restore-point drill, as an operator runs it with {@code java -jar jeex-db.jar}: a backup of
 * a database at V1 with data, {@code migrate} (which creates the restore point and prints it), more
 * writes; restored to the restore point into a new data directory and started: the catalog and the
 * data are exactly those before the migration. (Its own class, so that it runs beside
 * {@link RecoveryDrillProcessTest}'s point-in-time drill in another test JVM.)
 */
class RestorePointDrillProcessTest extends DrillFolderProcessTest {

    @Test
    void restoreToTheRestorePointOfAMigrationGivesTheSchemaAndDataOfBefore() throws Exception {
        Path archive = Files.createDirectories(root.resolve("archive"));
        DrillServer primary = closing(DrillServer.primary(root.resolve("primary"), "test ! -f " + archive
                + "/%f && cp %p " + archive + "/%f"));
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(primary.jdbcUrl());
        ds.setUser("postgres");
        // a database that an older jeex-db migrated to V1, with data
        JeexSchema.flywayConfiguration(ds).target("1").load().migrate();
        try (Connection c = primary.connect(); Statement s = c.createStatement()) {
            s.execute("insert into users (email, name) select 'u' || i || '@example.com', 'User' from "
                    + "generate_series(1, 300) i");
            s.execute("insert into projects (name, created_by) select 'Project', id from users");
        }
        Run backup = CliProcess.run(env(primary), "backup", "--to", root.resolve("backups").toString(),
                "--wal-archive", archive.toString(), "--pgdata", primary.dataDirectory().toString(), "--json");
        assertThat(backup.status()).as("%s", backup).isZero();
        try (Connection c = primary.connect(); Statement s = c.createStatement()) {
            s.execute("insert into users (email, name) values ('after-backup@example.com', 'Late')");
        }
        Catalog before;
        List<String> dataBefore;
        try (Connection c = primary.connect()) {
            before = Catalog.read(c);
            dataBefore = data(c);
        }

        Run migrate = CliProcess.run(env(primary), "migrate");
        assertThat(migrate.status()).as("%s", migrate).isZero();
        String line = migrate.out().lines().filter(l -> l.startsWith("restore point: ")).findFirst().orElseThrow();
        String name = line.substring("restore point: ".length(), line.indexOf(" at LSN "));
        assertThat(name).startsWith("jeex-migrate-1-to-" + JeexSchema.latestVersion() + "-");
        try (Connection c = primary.connect(); Statement s = c.createStatement()) {
            s.execute("insert into users (email, name) values ('after-migration@example.com', 'Later')");
            s.execute("update projects set name = 'Renamed'");
        }
        primary.archiveCurrentWal();

        Path restored = root.resolve("restored");
        Run restore = CliProcess.run(Map.of(), "restore", "--from", backup.json().get("dir").asText(), "--pgdata",
                restored.toString(), "--wal-archive", archive.toString(), "--target-name", name);
        assertThat(restore.status()).as("%s", restore).isZero();
        long started = System.nanoTime();
        DrillServer copy = closing(DrillServer.restored(restored));
        try (Connection c = copy.connect()) {
            awaitPromoted(c);
            System.out.printf(Locale.ROOT, "restore-point drill: restore command %.1f s, recovery to %s %.1f s%n",
                    restore.took().toMillis() / 1000.0, name, (System.nanoTime() - started) / 1e9);
            assertThat(before.differencesTo(Catalog.read(c))).as("the catalog before the migration").isEmpty();
            assertThat(data(c)).as("the data before the migration").isEqualTo(dataBefore);
        }
    }
}

package io.jeex.db.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.cli.CliProcess.Run;
import org.junit.jupiter.api.Test;

/**
 * The demo next to the persistent embedded database, and {@code embedded path} / {@code remove}
 * (apart from {@link EmbeddedProcessTest}, so that the test JVMs run the two side by side).
 */
class EmbeddedDemoProcessTest extends EmbeddedDirectoryProcessTest {

    @Test
    void theDemoLeavesThePersistentDatabaseAloneAndRemoveDeletesIt() {
        Run migrate = run("migrate");
        assertThat(migrate.status()).as("%s", migrate).isZero();

        Run demo = run("demo");
        assertThat(demo.status()).as("%s", demo).isZero();
        assertThat(demo.out()).contains("a fresh embedded PostgreSQL 18.").contains("deleted when the demo ends")
                .contains("\nmigrate: " + MIGRATIONS + " applied, schema version <empty> -> " + LATEST + "\n");
        assertThat(run("info").out()).as("the demo did not touch the persistent database")
                .contains("schema version: " + LATEST + ", 0 pending");

        Run path = run("embedded", "path");
        assertThat(path.out()).isEqualTo(dir + "\n");
        Run remove = run("embedded", "remove");
        assertThat(remove.status()).as("%s", remove).isZero();
        assertThat(remove.out()).isEqualTo("embedded remove: deleted " + dir + "\n");
        assertThat(dir).doesNotExist();
    }
}

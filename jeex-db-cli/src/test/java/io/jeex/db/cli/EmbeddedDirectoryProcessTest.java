package io.jeex.db.cli;

import io.jeex.db.cli.CliProcess.Run;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/** A persistent embedded data directory of the tool's own for one test, deleted after it. */
abstract class EmbeddedDirectoryProcessTest {

    /** How many migrations the schema has, and the version they bring a database to. */
    static final int MIGRATIONS = io.jeex.db.schema.JeexSchema.migrationScripts().size();
    static final String LATEST = io.jeex.db.schema.JeexSchema.latestVersion();

    final Path dir = Path.of(System.getProperty("java.io.tmpdir"), "jeex-cli-embedded-" + System.nanoTime());

    @AfterEach
    void removeDirectory() {
        Restore.deleteTree(dir);
    }

    Run run(String... args) {
        return CliProcess.run(Map.of("JEEX_DB_EMBEDDED_DIR", dir.toString()), args);
    }
}

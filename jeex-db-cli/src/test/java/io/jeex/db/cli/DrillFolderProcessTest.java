package io.jeex.db.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** A drill's folder under java.io.tmpdir and the servers and handles it opened, closed after each test. */
abstract class DrillFolderProcessTest {

    final Path root = Path.of(System.getProperty("java.io.tmpdir"), "jeex-drill-" + System.nanoTime());
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        Collections.reverse(open);
        for (AutoCloseable c : open) {
            c.close();
        }
        Restore.deleteTree(root);
    }

    /** @return the resource, closed (newest first) after the test, before the folder is deleted */
    <T extends AutoCloseable> T closing(T resource) {
        open.add(resource);
        return resource;
    }
}

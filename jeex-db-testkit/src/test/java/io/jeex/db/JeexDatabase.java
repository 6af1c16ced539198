package io.jeex.db;

/**
 * Stands in, in the testkit's own tests only, for jeex-db-access's {@code JeexDatabase}, which the
 * testkit does not depend on: {@code MissingJunitModuleTest} asks for a parameter of this name.
 */
public final class JeexDatabase {
    private JeexDatabase() {
    }
}

package io.jeex.db;

import java.util.Optional;

/**
 * What {@link JeexDatabase#migrate()} did.
 *
 * @param migrationsApplied how many migrations were applied now; 0 when the schema was current
 * @param previousVersion the schema version before, or null for an empty database
 * @param currentVersion the schema version now, for example {@code 1}
 */
public record MigrationResult(int migrationsApplied, String previousVersion, String currentVersion) {

    /** @return the schema version before, empty for an empty database */
    public Optional<String> previous() {
        return Optional.ofNullable(previousVersion);
    }
}

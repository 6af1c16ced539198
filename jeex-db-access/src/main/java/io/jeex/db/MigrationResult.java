package io.jeex.db;

import java.util.Optional;

/**
 * What {@link JeexDatabase#migrate()} did.
 *
 * @param migrationsApplied how many migrations were applied now; 0 when the schema was current
 * @param previousVersion the schema version before, or null for an empty database
 * @param currentVersion the schema version now, for example {@code 1}
 * @param restorePoint the restore point created before anything was applied, or null when nothing
 *     was pending, or {@link JeexDbConfig#migrationRestorePoint()} is off or the server refused it
 */
public record MigrationResult(int migrationsApplied, String previousVersion, String currentVersion,
                              RestorePoint restorePoint) {

    /**
     * A result without a restore point.
     *
     * @param migrationsApplied how many migrations were applied now
     * @param previousVersion the schema version before, or null
     * @param currentVersion the schema version now
     */
    public MigrationResult(int migrationsApplied, String previousVersion, String currentVersion) {
        this(migrationsApplied, previousVersion, currentVersion, null);
    }

    /** @return the schema version before, empty for an empty database */
    public Optional<String> previous() {
        return Optional.ofNullable(previousVersion);
    }

    /** @return the restore point created before the migrations, if one was */
    public Optional<RestorePoint> restorePointBefore() {
        return Optional.ofNullable(restorePoint);
    }
}

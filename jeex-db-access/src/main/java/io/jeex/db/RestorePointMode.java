package io.jeex.db;

/**
 * Whether a named restore point is created before the schema changes
 * ({@link MigrationConfig#restorePoint()}), so that the database can be restored to the
 * moment just before a migration or rollback ({@code recovery_target_name}).
 */
public enum RestorePointMode {
    /**
     * Create one; if the server refuses ({@code pg_create_restore_point} not granted to the
     * migration user, {@code wal_level = minimal}, a standby), change nothing and fail with the
     * reason and the fix. The default.
     */
    REQUIRED,
    /** Create one; if the server refuses, log a WARN with the reason and migrate without it. */
    IF_PERMITTED,
    /** Create none (for example where WAL is not archived, so there is nothing to restore from). */
    OFF
}

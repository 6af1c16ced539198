package io.jeex.db;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A named restore point that {@link JeexDatabase#migrate()} or {@link JeexDatabase#rollback(String)}
 * created ({@code pg_create_restore_point}) before changing the schema. Restore to it with
 * {@code jeex-db restore --target-name <name>} (PostgreSQL's {@code recovery_target_name}) from a
 * base backup taken before it and the archived WAL.
 *
 * @param name the restore point's name, for example {@code jeex-migrate-2-to-3-20260101T120000.123Z}
 * @param lsn the WAL position of the restore point, for example {@code 0/3000090}
 * @param createdAt when it was created (the server's clock)
 */
public record RestorePoint(String name, String lsn, Instant createdAt) {

    /**
     * Checks the values.
     *
     * @throws NullPointerException if a value is null
     */
    public RestorePoint {
        requireNonNull(name, "name");
        requireNonNull(lsn, "lsn");
        requireNonNull(createdAt, "createdAt");
    }
}

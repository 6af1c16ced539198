package io.jeex.db;

import java.util.List;
import java.util.Optional;

/**
 * What {@link JeexDatabase#rollback(String)} did.
 *
 * @param rolledBack the rollback scripts applied, in the order applied (newest migration first),
 *     for example {@code [V3__row_level_security.sql, V2__acting_user_function.sql]}
 * @param previousVersion the schema version before
 * @param currentVersion the schema version now (the target), or null for an empty history
 * @param restorePoint the restore point created before the first rollback script, or null (none
 *     needed, off, or refused and only allowed)
 */
public record RollbackResult(List<String> rolledBack, String previousVersion, String currentVersion,
                             RestorePoint restorePoint) {

    /** Copies the list. */
    public RollbackResult {
        rolledBack = List.copyOf(rolledBack);
    }

    /** @return the restore point created before the rollback, if one was */
    public Optional<RestorePoint> restorePointBefore() {
        return Optional.ofNullable(restorePoint);
    }
}

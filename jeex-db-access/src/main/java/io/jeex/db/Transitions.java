package io.jeex.db;

import io.jeex.db.error.IllegalTransitionException;
import io.jeex.db.error.NotFoundException;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Table;
import org.jooq.TableField;
import org.jooq.TableRecord;
import org.jooq.impl.DSL;

/**
 * The other half of a guarded status change ({@code UPDATE ... WHERE id = ? AND status IN
 * (allowed) RETURNING *}): when no row was updated, tells "no such row" from "not allowed from
 * its current status".
 */
final class Transitions {

    private Transitions() {
    }

    /**
     * @param current the status read after a guarded change changed no row, or empty if there is
     *     no such row
     * @param table the table, for the message
     * @param name what the row is, with its id, for the message
     * @param to the status the change was to
     * @return the failure to throw
     * @throws NotFoundException if there is no such row
     */
    static RuntimeException refused(Optional<String> current, String table, String name, String to) {
        return new IllegalTransitionException(table, name, NotFoundException.requireFound(current, table, name), to);
    }

    /** @return the pre-rendered read of a row's status by id */
    static <R extends TableRecord<R>> Prepared<String> statusOf(Table<R> table, TableField<R, UUID> id,
            TableField<R, String> status) {
        return Prepared.of(DSL.select(status).from(table).where(id.eq(DSL.param("id", id.getDataType()))),
                row -> row.getString(1));
    }

    /**
     * @param retry whether an earlier attempt of this call may have made the change already (its
     *     connection was lost): a row already in the target status is then the change done
     * @return the updated row
     * @throws NotFoundException if there is no row with that id
     * @throws IllegalTransitionException if the row's status does not allow the change
     */
    static <R extends TableRecord<R>> R require(Optional<R> updated, DSLContext dsl, Table<R> table,
            TableField<R, UUID> id, TableField<R, String> status, UUID key, String what, String to, boolean retry) {
        if (updated.isPresent()) {
            return updated.get();
        }
        if (retry) {
            Optional<R> row = dsl.selectFrom(table).where(id.eq(key)).fetchOptional();
            if (row.isPresent() && to.equals(row.get().get(status))) {
                return row.get();
            }
        }
        String name = what + " " + key;
        String current = NotFoundException.requireFound(
                dsl.select(status).from(table).where(id.eq(key)).fetchOptional(status), table.getName(), name);
        throw new IllegalTransitionException(table.getName(), name, current, to);
    }
}

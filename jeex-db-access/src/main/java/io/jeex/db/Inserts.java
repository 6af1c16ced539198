package io.jeex.db;

import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.InsertSetMoreStep;
import org.jooq.Table;
import org.jooq.TableField;
import org.jooq.TableRecord;

/**
 * The repositories' inserts of one row with a client-made id ({@link Ids}). The first attempt
 * is a plain INSERT; a later attempt of the same call (the connection of an earlier one was
 * lost, perhaps after its INSERT committed) inserts only if the id is not there yet and
 * otherwise returns the row the earlier attempt stored: the call never stores the row twice
 * and never reports an unknown outcome.
 */
final class Inserts {

    private Inserts() {
    }

    /**
     * @param insert the INSERT with every column set, the id included
     * @param retry whether an earlier attempt of this call may have stored the row
     * @return the stored row
     */
    static <R extends TableRecord<R>> R once(DSLContext dsl, InsertSetMoreStep<R> insert, Table<R> table,
                                             TableField<R, UUID> id, UUID key, boolean retry) {
        if (!retry) {
            return insert.returning().fetchOne();
        }
        // ON CONFLICT (id) waits for an earlier attempt still in flight on the server, then
        // inserts or does nothing; the next statement's snapshot sees what that attempt stored.
        Optional<R> inserted = insert.onConflict(id).doNothing().returning().fetchOptional();
        return inserted.orElseGet(() -> dsl.selectFrom(table).where(id.eq(key)).fetchSingle());
    }
}

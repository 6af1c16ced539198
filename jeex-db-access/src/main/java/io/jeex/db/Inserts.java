package io.jeex.db;

import java.util.List;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.InsertSetMoreStep;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.TableField;
import org.jooq.TableRecord;
import org.jooq.UniqueKey;
import org.jooq.impl.DSL;

/**
 * The repositories' inserts of one row with a client-made id ({@link Ids}). The first attempt
 * is a plain INSERT; a later attempt of the same call (the connection of an earlier one was
 * lost, perhaps after its INSERT committed) inserts only if the row's primary key is not there yet
 * and otherwise returns the row the earlier attempt stored: the call never stores the row twice
 * and never reports an unknown outcome.
 *
 * <p>The key is given whole, every field of the table's primary key with its value:
 * {@code ON CONFLICT} needs a unique index on exactly its target (else 42P10), and the primary keys
 * of the project tables are {@code (id, project_id)} (V5, V6; docs/scaling.md, "Key changes").
 */
final class Inserts {

    /** One field of a primary key and the value the insert gives it. */
    record KeyValue<R extends Record, T>(TableField<R, T> field, T value) {
        Condition matches() {
            return field.eq(value);
        }
    }

    private Inserts() {
    }

    /** @return the key field with the value of the row to insert */
    static <R extends Record, T> KeyValue<R, T> key(TableField<R, T> field, T value) {
        return new KeyValue<>(field, value);
    }

    /**
     * @param insert the INSERT with every column set, the key's included
     * @param retry whether an earlier attempt of this call may have stored the row
     * @param key every field of the table's primary key, in its order, with the row's values
     * @return the stored row
     * @throws IllegalArgumentException if {@code key} is not the table's primary key
     */
    static <R extends TableRecord<R>> R once(DSLContext dsl, InsertSetMoreStep<R> insert, Table<R> table,
                                             boolean retry, List<KeyValue<R, ?>> key) {
        UniqueKey<R> primaryKey = table.getPrimaryKey();
        List<TableField<R, ?>> fields = key.stream().<TableField<R, ?>>map(KeyValue::field).toList();
        if (primaryKey == null || !primaryKey.getFields().equals(fields)) {
            throw new IllegalArgumentException("the key of an insert into " + table.getName() + " must be its primary "
                    + "key " + (primaryKey == null ? "(none)" : primaryKey.getFields()) + ", but was " + fields);
        }
        if (!retry) {
            return insert.returning().fetchOne();
        }
        // ON CONFLICT (key) waits for an earlier attempt still in flight on the server, then
        // inserts or does nothing; the next statement's snapshot sees what that attempt stored.
        Optional<R> inserted = insert.onConflict(fields).doNothing().returning().fetchOptional();
        return inserted.orElseGet(() -> dsl.selectFrom(table)
                .where(DSL.and(key.stream().map(KeyValue::matches).toList())).fetchSingle());
    }
}

package io.jeex.db.repository;

import org.jooq.DSLContext;
import org.jooq.Query;
import org.jooq.ResultQuery;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.TableRecord;
import org.jooq.impl.DSL;

/**
 * A hot statement written with jOOQ's typed DSL and rendered to SQL once, at class
 * initialisation. Rendering a query is most of jOOQ's own cost per call (measured: over a third
 * of the client-side time of a single-row insert); the rendered text is executed with fresh bind
 * values and read back into the table's typed record.
 *
 * @param <R> the record type
 */
final class Prepared<R extends TableRecord<R>> {

    private static final DSLContext RENDERER = DSL.using(SQLDialect.POSTGRES);

    private final String sql;
    private final Table<R> table;

    private Prepared(String sql, Table<R> table) {
        this.sql = sql;
        this.table = table;
    }

    /**
     * @param query the statement, with {@code DSL.param(name, type)} where values go, in bind order
     * @param table the table whose record it returns
     */
    static <R extends TableRecord<R>> Prepared<R> of(Query query, Table<R> table) {
        return new Prepared<>(RENDERER.render(query), table);
    }

    /** The statement with these bind values, on the transaction's context. */
    ResultQuery<R> bind(DSLContext dsl, Object... values) {
        return dsl.resultQuery(sql, values).coerce(table);
    }

    @Override
    public String toString() {
        return sql;
    }
}

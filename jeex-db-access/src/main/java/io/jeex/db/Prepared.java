package io.jeex.db;

import io.jeex.db.tx.Transaction;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Query;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * A hot statement, written with jOOQ's typed DSL and rendered to SQL once at class
 * initialisation, then run with plain JDBC inside the managed transaction (counted for the
 * retry rules, observed by the query metrics): it skips jOOQ's rendering and per-execution
 * machinery on the repositories' hot paths. Why, with figures: docs/benchmarks.md.
 *
 * @param <T> what a row maps to
 */
final class Prepared<T> {

    private static final DSLContext RENDERER = DSL.using(SQLDialect.POSTGRES);

    /** Reads one row. */
    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    private final String sql;
    private final int shape;
    private final RowMapper<T> mapper;

    private Prepared(String sql, int shape, RowMapper<T> mapper) {
        this.sql = sql;
        this.shape = shape;
        this.mapper = mapper;
    }

    /**
     * @param query the statement, with {@code DSL.param(name, type)} where values go, in bind order
     * @param mapper reads one row of its result
     */
    static <T> Prepared<T> of(Query query, RowMapper<T> mapper) {
        String sql = RENDERER.render(query);
        return new Prepared<>(sql, SqlShape.of(query, sql), mapper);
    }

    /**
     * Runs the statement; the row it returns, if any. As the single statement of auto-committed
     * work, it carries the acting user in its own round trip ({@link Jdbc#query}).
     */
    Optional<T> optional(Transaction tx, Jdbc.Binder binder) throws SQLException {
        return Jdbc.query(tx, sql, shape, binder, rs -> rs.next() ? Optional.of(mapper.map(rs)) : Optional.empty());
    }

    /**
     * Runs the statement; the rows it returns, in order, in a list the caller may change. Like
     * {@link #optional}, as the single statement of auto-committed work it carries the acting user
     * in its own round trip.
     */
    List<T> list(Transaction tx, Jdbc.Binder binder) throws SQLException {
        return Jdbc.query(tx, sql, shape, binder, rs -> {
            List<T> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(mapper.map(rs));
            }
            return rows;
        });
    }

    /** Runs the statement, which returns exactly one row. */
    T one(Transaction tx, Jdbc.Binder binder) throws SQLException {
        return optional(tx, binder).orElseThrow(() -> new IllegalStateException("no row from: " + sql));
    }

    static Instant instant(ResultSet row, String column) throws SQLException {
        OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    static UUID uuid(ResultSet row, String column) throws SQLException {
        return row.getObject(column, UUID.class);
    }

    @Override
    public String toString() {
        return sql;
    }
}

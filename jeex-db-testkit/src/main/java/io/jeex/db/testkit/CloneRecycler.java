package io.jeex.db.testkit;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a used clone fit to hand out again, instead of dropping it ({@link TestkitSettings#RECYCLE}):
 * no {@code DROP DATABASE} (which requests a checkpoint) and no {@code CREATE DATABASE}.
 *
 * <p>A used clone is recycled only when nothing but rows and sequence positions changed:
 * <ol>
 *   <li>it is closed to connections, its sessions are terminated and it is renamed, so that a
 *       pool the test leaked cannot reach the next test's database (it fails as it would after a
 *       drop);</li>
 *   <li>no row of the database's own catalogs may have been written since it was made (relations,
 *       columns, defaults, constraints, indexes, triggers, policies, functions, types, rules,
 *       grants, comments, extensions, large objects...: the cumulative statistics count every
 *       catalog row inserted, updated or deleted), its database-level settings, grants, owner,
 *       comment and template flag must equal the fresh clone's, and the tables that hold rows in
 *       the template (the migration history, rows a migration seeds) must hold exactly the same
 *       rows;</li>
 *   <li>then, in one transaction with {@code session_replication_role = replica} (no triggers,
 *       no foreign-key checks), every other table is emptied with {@code DELETE} and every
 *       sequence is set back to the template's position.</li>
 * </ol>
 * Anything else (a schema change, a temporary table, a prepared transaction, a seeded row
 * changed, an admin user that is no superuser, a server with {@code track_counts} off, any error)
 * and the clone is dropped as before. What it cannot see: catalog writes of a session that turned
 * {@code track_counts} off or reset the statistics ({@code pg_stat_reset()}), both of which only a
 * superuser may do. What a recycled clone
 * does not restore: the tables' physical size and planner statistics (dead rows until vacuumed,
 * {@code pg_class.reltuples}), and cumulative statistics ({@code pg_stat_*}).
 */
final class CloneRecycler {

    /**
     * The schema's change count and the database-level state, in one row. The count is how many
     * rows of the database's own catalogs were inserted, updated or deleted since the database was
     * made, from the cumulative statistics ({@code track_counts}): a new database starts with none
     * (its statistics are its own, by OID), and every DDL, GRANT, COMMENT, {@code TRUNCATE} (a new
     * file), large object or temporary table writes catalog rows, rolled back or not. Rows, VACUUM
     * and ANALYZE write none: VACUUM and ANALYZE update {@code pg_class} in place, and the
     * planner statistics they write ({@code pg_statistic}, {@code pg_statistic_ext_data}) are left
     * out. The statistics of the test's sessions are flushed when they exit, before the rename
     * that waits for them. The database-level state lives in shared catalogs: settings, grants,
     * connection limit, owner, template flag, tablespace, comment and security labels. One catalog
     * scan, about a millisecond; the earlier fingerprint (row count and newest writer of 46
     * catalogs) took 7-20 ms per reset.
     */
    private static final String FINGERPRINT = """
            select 'track_counts ' || current_setting('track_counts') || ', catalog writes ' || (select coalesce(sum(pg_stat_get_tuples_inserted(c.oid)
                       + pg_stat_get_tuples_updated(c.oid) + pg_stat_get_tuples_deleted(c.oid)), 0)
                  from pg_class c
                 where c.relnamespace = 'pg_catalog'::regnamespace and c.relkind = 'r' and not c.relisshared
                   and c.oid not in ('pg_statistic'::regclass, 'pg_statistic_ext_data'::regclass))
                || ' | ' || (select coalesce(d.datacl::text, '') || ' ' || d.datconnlimit || ' ' || coalesce((
                      select string_agg(s.setrole || '=' || s.setconfig::text, ',' order by s.setrole)
                        from pg_db_role_setting s where s.setdatabase = d.oid), '')
                      || ' owner ' || d.datdba::regrole::text || ' template ' || d.datistemplate
                      || ' tablespace ' || d.dattablespace
                      || ' comment ' || coalesce(quote_literal(shobj_description(d.oid, 'pg_database')), '-')
                      || ' labels ' || coalesce((select string_agg(l.provider || '=' || l.label, ',' order by l.provider)
                        from pg_shseclabel l where l.objoid = d.oid and l.classoid = 'pg_database'::regclass), '-')
                      from pg_database d where d.datname = current_database())
            """;

    /** The plain tables and partitions of the schema, to empty or to compare. */
    private static final String TABLES = """
            select quote_ident(n.nspname) || '.' || quote_ident(c.relname)
              from pg_class c join pg_namespace n on n.oid = c.relnamespace
             where c.relkind::text = 'r' and c.relpersistence::text <> 't'
               and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
               and n.nspname not like 'pg_temp%'
             order by 1
            """;

    /**
     * The sequences of the schema. Their positions are read from each sequence itself:
     * {@code pg_sequences.last_value} is null both for a sequence never called and for one a
     * migration set back with {@code setval(..., false)}, and the two differ.
     */
    private static final String SEQUENCES = """
            select quote_ident(schemaname) || '.' || quote_ident(sequencename)
              from pg_sequences
             where schemaname not in ('pg_catalog', 'information_schema')
             order by 1
            """;

    /** What a fresh clone of a template holds, to compare a used clone with. */
    record Reference(String state, List<String> emptyTables, List<String> seededTables,
                     List<SequenceState> sequences) {

        /** @return the statements that empty the tables and set the sequences back, in one script */
        String resetScript() {
            StringBuilder sql = new StringBuilder("BEGIN; SET LOCAL session_replication_role = replica;");
            for (String table : emptyTables) {
                sql.append("DELETE FROM ").append(table).append(';');
            }
            for (SequenceState seq : sequences) {
                sql.append("SELECT setval(").append(literal(seq.name())).append("::regclass, ")
                        .append(seq.lastValue()).append(", ").append(seq.isCalled()).append(");");
            }
            return sql.append("COMMIT;").toString();
        }
    }

    /**
     * A sequence's position in the template, as the sequence holds it: its next value is
     * {@code lastValue} when {@code isCalled} is false, the one after it when true.
     */
    record SequenceState(String name, long lastValue, boolean isCalled) {
    }

    /** The facade's logger, as everywhere in the testkit. */
    private static final Logger LOG = LoggerFactory.getLogger(JeexPostgres.class);

    private final Admin admin;
    private final Map<String, Reference> references = new ConcurrentHashMap<>();
    /** Templates whose clones cannot be told apart from fresh ones (track_counts off): never recycled. */
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    /** Admin connections the resetting threads share, one at a time each. */
    private final BlockingQueue<Connection> adminConnections = new LinkedBlockingQueue<>();

    CloneRecycler(Admin admin) {
        this.admin = admin;
    }

    /**
     * Records what a fresh clone of {@code template} holds, once per template; a later call for
     * the same template does nothing.
     *
     * @param template the template the clone was made from
     * @param freshClone a clone no test has used yet
     * @throws SQLException if the clone cannot be read
     */
    void captureOnce(String template, String freshClone) throws SQLException {
        if (knows(template)) {
            return;
        }
        try (Connection c = admin.connect(freshClone)) {
            if (!countsCatalogWrites(c)) {
                if (refused.add(template)) {
                    LOG.info("jeex-db testkit: the server runs with track_counts off, so a used test database "
                            + "cannot be told apart from a fresh one: test databases are dropped, not recycled. "
                            + "Turn track_counts on (the default) to recycle them");
                }
                return;
            }
            references.putIfAbsent(template, capture(c));
        }
    }

    /** @return whether {@link #captureOnce} has looked at the template (recorded it, or refused it) */
    boolean knows(String template) {
        return references.containsKey(template) || refused.contains(template);
    }

    /**
     * Resets a used clone of {@code template} to what a fresh clone holds, under a new name.
     *
     * @param name the used clone, no longer handed to anyone
     * @param template its template, already {@linkplain #captureOnce captured}
     * @param newName the name to give it, unused so far
     * @return the clone's new name, fit to hand out; empty if it must be dropped instead (then it
     *     may exist under the old or the new name: callers drop both)
     */
    Optional<String> recycle(String name, String template, String newName) {
        Reference reference = references.get(template);
        if (reference == null) {
            return Optional.empty();
        }
        Connection c = adminConnections.poll();
        try {
            if (c == null || c.isClosed()) {
                c = admin.connect();
            }
            // closed to new sessions first (committed), then its sessions ended and renamed (the
            // rename waits, up to 5 s by the server's rule, for the ended sessions to exit): one round trip
            Admin.execute(c, "BEGIN; ALTER DATABASE " + Admin.quote(name) + " WITH ALLOW_CONNECTIONS false; COMMIT; "
                    + "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = " + literal(name)
                    + " AND pid <> pg_backend_pid(); ALTER DATABASE " + Admin.quote(name) + " RENAME TO "
                    + Admin.quote(newName) + "; ALTER DATABASE " + Admin.quote(newName) + " WITH ALLOW_CONNECTIONS true");
            try (Connection clone = admin.connect(newName)) {
                if (!reference.state().equals(state(clone, reference.seededTables()))) {
                    LOG.debug("jeex-db testkit: {} changed beyond its rows (schema, seeded rows, prepared "
                            + "transactions), dropping it", name);
                    return Optional.empty();
                }
                try (Statement s = clone.createStatement()) {
                    s.execute(reference.resetScript()); // one round trip, one transaction
                }
            }
            adminConnections.offer(c);
            c = null;
            return Optional.of(newName);
        } catch (SQLException e) {
            LOG.debug("jeex-db testkit: cannot reset {}, dropping it: {}", name, e.toString());
            return Optional.empty();
        } finally {
            if (c != null) {
                // after a refusal the connection is fine; after an error it may not be: keep it if it answers
                try {
                    if (c.isValid(1)) {
                        adminConnections.offer(c);
                    } else {
                        c.close();
                    }
                } catch (SQLException e) {
                    // not kept
                }
            }
        }
    }

    /** Closes the admin connections; the recycler may be used again afterwards. */
    void close() {
        Connection c;
        while ((c = adminConnections.poll()) != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // closing: nothing to keep
            }
        }
    }

    /** @return whether the server counts catalog writes, which is how a changed schema is seen */
    static boolean countsCatalogWrites(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_setting('track_counts')::bool")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    static Reference capture(Connection c) throws SQLException {
        List<String> empty = new ArrayList<>();
        List<String> seeded = new ArrayList<>();
        for (String table : strings(c, TABLES)) {
            (hasRows(c, table) ? seeded : empty).add(table);
        }
        List<SequenceState> sequences = new ArrayList<>();
        for (String name : strings(c, SEQUENCES)) {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT last_value, is_called FROM " + name)) {
                rs.next();
                sequences.add(new SequenceState(name, rs.getLong(1), rs.getBoolean(2)));
            }
        }
        return new Reference(state(c, seeded), List.copyOf(empty), List.copyOf(seeded), List.copyOf(sequences));
    }

    /**
     * What must not differ from a fresh clone, in one query: the {@linkplain #FINGERPRINT schema's
     * fingerprint}, the number of prepared transactions, and the content of the seeded tables.
     */
    static String state(Connection c, List<String> seededTables) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT (").append(FINGERPRINT).append(
                ") || ' | ' || (SELECT count(*) FROM pg_prepared_xacts WHERE database = current_database())");
        for (String table : seededTables) {
            sql.append(" || ' | ' || (SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM ")
                    .append(table).append(" t)");
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql.toString())) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** A string literal (standard_conforming_strings, on since PostgreSQL 9.1). */
    static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }


    private static boolean hasRows(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT EXISTS (SELECT 1 FROM " + table + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }


    private static List<String> strings(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

}

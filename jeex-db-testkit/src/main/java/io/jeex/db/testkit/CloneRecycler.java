package io.jeex.db.testkit;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 *   <li>a fingerprint of the database's catalogs (every row of the catalogs that hold relations,
 *       columns, defaults, constraints, indexes, triggers, policies, functions, types, rules,
 *       grants, comments, extensions, event triggers, large objects..., by place and writing
 *       transaction) and its database-level settings must equal the fresh clone's, and the
 *       tables that hold rows in the template (the migration history) must hold exactly the
 *       same rows;</li>
 *   <li>then, in one transaction with {@code session_replication_role = replica} (no triggers,
 *       no foreign-key checks), every other table is emptied with {@code DELETE} and every
 *       sequence is set back to the template's position.</li>
 * </ol>
 * Anything else (a schema change, a prepared transaction, a seeded row changed, an admin user
 * that is no superuser, any error) and the clone is dropped as before. What a recycled clone
 * does not restore: the tables' physical size and planner statistics (dead rows until vacuumed,
 * {@code pg_class.reltuples}), and cumulative statistics ({@code pg_stat_*}).
 */
final class CloneRecycler {

    /**
     * The schema's fingerprint: per catalog of the database, how many rows it holds and the id of
     * the newest transaction that wrote one (from {@code age()}, which counts back from the same
     * transaction id within a statement: {@code age('3') + 3 - age(xmin)} is {@code xmin} modulo
     * 2^32, wraparound included; bootstrap and frozen ids are left out); and the database-level state that lives in
     * shared catalogs (settings, grants, connection limit). Any DDL, GRANT, COMMENT... writes
     * catalog rows in a transaction newer than the template's or removes some; VACUUM and ANALYZE
     * update {@code pg_class} in place, which changes neither. A {@code TRUNCATE} gives the table
     * a new file (a new {@code pg_class} row): such a clone is dropped rather than recycled. One
     * scan per catalog and no definition rendered: a few milliseconds.
     */
    private static final String FINGERPRINT = """
            select (select string_agg(catalog || ' ' || n || ' ' || coalesce(
                       ((((age('3'::xid)::bigint + 3 - newest) % 4294967296) + 4294967296) % 4294967296)::text, '-'),
                       ',' order by catalog) from (
                select 'pg_class', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_class
                union all select 'pg_attribute', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_attribute
                union all select 'pg_attrdef', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_attrdef
                union all select 'pg_constraint', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_constraint
                union all select 'pg_index', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_index
                union all select 'pg_trigger', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_trigger
                union all select 'pg_policy', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_policy
                union all select 'pg_proc', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_proc
                union all select 'pg_type', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_type
                union all select 'pg_enum', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_enum
                union all select 'pg_rewrite', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_rewrite
                union all select 'pg_inherits', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_inherits
                union all select 'pg_namespace', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_namespace
                union all select 'pg_event_trigger', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_event_trigger
                union all select 'pg_extension', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_extension
                union all select 'pg_description', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_description
                union all select 'pg_default_acl', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_default_acl
                union all select 'pg_statistic_ext', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_statistic_ext
                union all select 'pg_publication', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_publication
                union all select 'pg_publication_rel', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_publication_rel
                union all select 'pg_largeobject_metadata', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_largeobject_metadata
                union all select 'pg_sequence', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_sequence
                union all select 'pg_partitioned_table', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_partitioned_table
                union all select 'pg_init_privs', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_init_privs
                union all select 'pg_operator', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_operator
                union all select 'pg_opclass', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_opclass
                union all select 'pg_opfamily', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_opfamily
                union all select 'pg_amop', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_amop
                union all select 'pg_amproc', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_amproc
                union all select 'pg_cast', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_cast
                union all select 'pg_collation', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_collation
                union all select 'pg_conversion', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_conversion
                union all select 'pg_aggregate', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_aggregate
                union all select 'pg_language', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_language
                union all select 'pg_foreign_data_wrapper', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_foreign_data_wrapper
                union all select 'pg_foreign_server', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_foreign_server
                union all select 'pg_foreign_table', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_foreign_table
                union all select 'pg_user_mapping', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_user_mapping
                union all select 'pg_ts_config', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_ts_config
                union all select 'pg_ts_dict', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_ts_dict
                union all select 'pg_ts_parser', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_ts_parser
                union all select 'pg_ts_template', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_ts_template
                union all select 'pg_transform', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_transform
                union all select 'pg_seclabel', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_seclabel
                union all select 'pg_range', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_range
                union all select 'pg_am', count(*), min(age(xmin)) filter (where age(xmin) < 2147483647) from pg_am
            ) as catalogs(catalog, n, newest))
                || ' | ' || (select coalesce(d.datacl::text, '') || ' ' || d.datconnlimit || ' ' || coalesce((
                      select string_agg(s.setrole || '=' || s.setconfig::text, ',' order by s.setrole)
                        from pg_db_role_setting s where s.setdatabase = d.oid), '')
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

    private static final String SEQUENCES = """
            select quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value, start_value
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
                        .append(seq.lastValue() == null ? seq.startValue() : seq.lastValue()).append(", ")
                        .append(seq.lastValue() != null).append(");");
            }
            return sql.append("COMMIT;").toString();
        }
    }

    /** A sequence's position in the template: {@code lastValue} null when never called. */
    record SequenceState(String name, Long lastValue, long startValue) {
    }

    /** The facade's logger, as everywhere in the testkit. */
    private static final Logger LOG = LoggerFactory.getLogger(JeexPostgres.class);

    private final Admin admin;
    private final Map<String, Reference> references = new ConcurrentHashMap<>();
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
        if (references.containsKey(template)) {
            return;
        }
        try (Connection c = admin.connect(freshClone)) {
            references.putIfAbsent(template, capture(c));
        }
    }

    /** @return whether {@link #captureOnce} has recorded the template */
    boolean knows(String template) {
        return references.containsKey(template);
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
            // rename waits, up to 5 s by the server's rule, for the ended sessions to exit)
            Admin.execute(c, "ALTER DATABASE " + Admin.quote(name) + " WITH ALLOW_CONNECTIONS false");
            Admin.execute(c, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = " + literal(name)
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

    static Reference capture(Connection c) throws SQLException {
        List<String> empty = new ArrayList<>();
        List<String> seeded = new ArrayList<>();
        for (String table : strings(c, TABLES)) {
            (hasRows(c, table) ? seeded : empty).add(table);
        }
        List<SequenceState> sequences = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(SEQUENCES)) {
            while (rs.next()) {
                String name = rs.getString(1);
                long last = rs.getLong(2);
                Long lastValue = rs.wasNull() ? null : last;
                sequences.add(new SequenceState(name, lastValue, rs.getLong(3)));
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

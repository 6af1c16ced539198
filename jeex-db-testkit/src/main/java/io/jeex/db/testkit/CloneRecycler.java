package io.jeex.db.testkit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
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
 *   <li>a fingerprint of every object the schema holds (relations, columns, defaults,
 *       constraints, indexes, triggers, policies, functions, types, rules, grants, comments,
 *       extensions, event triggers, large objects, database-level settings) must equal the
 *       fresh clone's, and the tables that hold rows in the template (the migration history)
 *       must hold exactly the same rows;</li>
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

    /** Every object of the schema, one line each: equal fingerprints mean an unchanged schema. */
    private static final String FINGERPRINT = """
            with user_ns as (
                select oid from pg_namespace
                 where nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
                   and nspname not like 'pg_temp%' and nspname not like 'pg_toast_temp%'),
            lines(line) as (
                select 'ns ' || n.oid || ' ' || n.nspname || ' ' || n.nspowner || ' ' || coalesce(n.nspacl::text, '')
                  from pg_namespace n where n.oid in (select oid from user_ns)
                union all
                select 'rel ' || c.oid || ' ' || c.relname || ' ' || c.relnamespace || ' ' || c.relkind::text
                       || c.relpersistence::text || ' ' || c.relowner || ' ' || c.relrowsecurity::text || c.relforcerowsecurity::text
                       || ' ' || c.relreplident::text || ' ' || coalesce(c.relacl::text, '') || ' '
                       || coalesce(c.reloptions::text, '') || ' ' || coalesce(pg_get_expr(c.relpartbound, c.oid), '')
                  from pg_class c where c.relnamespace in (select oid from user_ns)
                union all
                select 'att ' || a.attrelid || ' ' || a.attnum || ' ' || a.attname || ' ' || a.atttypid || ' '
                       || a.atttypmod || ' ' || a.attnotnull::text || a.attisdropped::text || a.attidentity::text || a.attgenerated::text
                       || ' ' || a.attcollation || ' ' || coalesce(a.attacl::text, '') || ' '
                       || coalesce(a.attoptions::text, '')
                  from pg_attribute a join pg_class c on c.oid = a.attrelid
                 where c.relnamespace in (select oid from user_ns) and a.attnum > 0
                union all
                select 'def ' || d.oid || ' ' || d.adrelid || ' ' || d.adnum || ' ' || pg_get_expr(d.adbin, d.adrelid)
                  from pg_attrdef d where d.oid >= 16384
                union all
                select 'con ' || o.oid || ' ' || o.conname || ' ' || o.conrelid || ' ' || o.contypid || ' '
                       || o.convalidated::text || ' ' || pg_get_constraintdef(o.oid)
                  from pg_constraint o where o.oid >= 16384
                union all
                select 'idx ' || i.indexrelid || ' ' || pg_get_indexdef(i.indexrelid) || ' ' || i.indisvalid::text
                       || i.indisready::text || i.indisclustered::text || i.indisreplident::text
                  from pg_index i where i.indexrelid >= 16384
                union all
                select 'trg ' || t.oid || ' ' || t.tgenabled::text || ' ' || pg_get_triggerdef(t.oid)
                  from pg_trigger t where t.oid >= 16384
                union all
                select 'pol ' || p.oid || ' ' || p.polrelid || ' ' || p.polname || ' ' || p.polcmd::text || p.polpermissive::text
                       || ' ' || p.polroles::text || ' ' || coalesce(pg_get_expr(p.polqual, p.polrelid), '') || ' '
                       || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '')
                  from pg_policy p
                union all
                select 'proc ' || f.oid || ' ' || f.proname || ' ' || f.pronamespace || ' ' || f.proowner || ' '
                       || f.prosecdef::text || f.provolatile::text || f.proleakproof::text || f.proparallel::text || ' '
                       || md5(coalesce(f.prosrc, '') || coalesce(f.probin, '')) || ' '
                       || coalesce(f.proconfig::text, '') || ' ' || coalesce(f.proacl::text, '') || ' '
                       || pg_get_function_identity_arguments(f.oid)
                  from pg_proc f where f.oid >= 16384
                union all
                select 'type ' || y.oid || ' ' || y.typname || ' ' || y.typtype::text || ' ' || coalesce(y.typacl::text, '')
                  from pg_type y where y.oid >= 16384
                union all
                select 'enum ' || e.enumtypid || ' ' || e.enumsortorder || ' ' || e.enumlabel
                  from pg_enum e where e.oid >= 16384
                union all
                select 'rule ' || r.oid || ' ' || r.ev_class || ' ' || r.rulename || ' ' || r.ev_enabled::text || ' '
                       || md5(pg_get_ruledef(r.oid))
                  from pg_rewrite r where r.oid >= 16384
                union all
                select 'inh ' || h.inhrelid || ' ' || h.inhparent || ' ' || h.inhseqno from pg_inherits h
                union all
                select 'evt ' || v.oid || ' ' || v.evtname || ' ' || v.evtenabled::text from pg_event_trigger v
                union all
                select 'ext ' || x.oid || ' ' || x.extname || ' ' || x.extversion from pg_extension x
                union all
                select 'desc ' || s.classoid || ' ' || s.objoid || ' ' || s.objsubid || ' ' || md5(s.description)
                  from pg_description s where s.objoid >= 16384
                union all
                select 'defacl ' || a.oid || ' ' || a.defaclrole || ' ' || a.defaclnamespace || ' '
                       || a.defaclobjtype::text || ' ' || a.defaclacl::text
                  from pg_default_acl a
                union all
                select 'stx ' || x.oid || ' ' || x.stxname from pg_statistic_ext x
                union all
                select 'pub ' || b.oid || ' ' || b.pubname from pg_publication b
                union all
                select 'lo ' || count(*) from pg_largeobject_metadata
                union all
                select 'dbacl ' || coalesce(d.datacl::text, '') || ' ' || d.datconnlimit
                  from pg_database d where d.datname = current_database()
                union all
                select 'dbset ' || coalesce(s.setconfig::text, '') || ' ' || s.setrole
                  from pg_db_role_setting s where s.setdatabase = (select oid from pg_database
                                                                    where datname = current_database()))
            select md5(string_agg(line, E'\\n' order by line)) from lines
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
    record Reference(String fingerprint, List<String> emptyTables, Map<String, String> seededTables,
                     List<SequenceState> sequences) {
    }

    /** A sequence's position in the template: {@code lastValue} null when never called. */
    record SequenceState(String name, Long lastValue, long startValue) {
    }

    /** The facade's logger, as everywhere in the testkit. */
    private static final Logger LOG = LoggerFactory.getLogger(JeexPostgres.class);

    private final Admin admin;
    private final Map<String, Reference> references = new ConcurrentHashMap<>();

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
        try {
            try (Connection c = admin.connect()) {
                if (preparedTransactions(c, name) > 0) {
                    LOG.debug("jeex-db testkit: {} holds prepared transactions, dropping it", name);
                    return Optional.empty();
                }
                Admin.execute(c, "ALTER DATABASE " + Admin.quote(name) + " WITH ALLOW_CONNECTIONS false");
                Admin.terminateConnections(c, name);
                // waits (up to 5 s, the server's rule) for the terminated sessions to exit
                Admin.execute(c, "ALTER DATABASE " + Admin.quote(name) + " RENAME TO " + Admin.quote(newName));
                Admin.execute(c, "ALTER DATABASE " + Admin.quote(newName) + " WITH ALLOW_CONNECTIONS true");
            }
            try (Connection c = admin.connect(newName)) {
                if (!reference.fingerprint().equals(fingerprint(c))) {
                    LOG.debug("jeex-db testkit: the schema of {} changed, dropping it", name);
                    return Optional.empty();
                }
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    s.execute("SET LOCAL session_replication_role = replica");
                    for (Map.Entry<String, String> seeded : reference.seededTables().entrySet()) {
                        if (!seeded.getValue().equals(contentHash(c, seeded.getKey()))) {
                            LOG.debug("jeex-db testkit: rows the template holds changed in {}, dropping it", name);
                            c.rollback();
                            return Optional.empty();
                        }
                    }
                    for (String table : reference.emptyTables()) {
                        s.execute("DELETE FROM " + table);
                    }
                }
                for (SequenceState seq : reference.sequences()) {
                    try (PreparedStatement ps = c.prepareStatement("SELECT setval(?::regclass, ?, ?)")) {
                        ps.setString(1, seq.name());
                        ps.setLong(2, seq.lastValue() == null ? seq.startValue() : seq.lastValue());
                        ps.setBoolean(3, seq.lastValue() != null);
                        ps.execute();
                    }
                }
                c.commit();
            }
            return Optional.of(newName);
        } catch (SQLException e) {
            LOG.debug("jeex-db testkit: cannot reset {}, dropping it: {}", name, e.toString());
            return Optional.empty();
        }
    }

    static Reference capture(Connection c) throws SQLException {
        List<String> empty = new ArrayList<>();
        Map<String, String> seeded = new LinkedHashMap<>();
        for (String table : strings(c, TABLES)) {
            if (hasRows(c, table)) {
                seeded.put(table, contentHash(c, table));
            } else {
                empty.add(table);
            }
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
        return new Reference(fingerprint(c), List.copyOf(empty), Map.copyOf(seeded), List.copyOf(sequences));
    }

    static String fingerprint(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(FINGERPRINT)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static boolean hasRows(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT EXISTS (SELECT 1 FROM " + table + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static String contentHash(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM " + table + " t")) {
            rs.next();
            return rs.getString(1);
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

    private static int preparedTransactions(Connection c, String database) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_prepared_xacts WHERE database = ?")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}

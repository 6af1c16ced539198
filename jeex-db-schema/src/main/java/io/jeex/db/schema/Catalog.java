package io.jeex.db.schema;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What the catalog of a database holds in its current schema (usually {@code public}), object by
 * object, as PostgreSQL prints it back: tables and views (with row-level security and comments),
 * columns (type, NOT NULL, default, identity, generation, collation, comment), constraints,
 * indexes, policies, triggers, functions and procedures (their whole definition), types (enums,
 * domains) and sequences. Two databases migrated the same way have equal catalogs; a difference is
 * a change made outside the migrations, or a rollback that does not undo its migration.
 *
 * <p>Left out on purpose: Flyway's history table, partitions (and their columns, constraints,
 * indexes and policies: the partition maintenance makes them by the calendar, so two databases
 * migrated in different months differ; their parent is compared), objects that belong to extensions, event
 * triggers (database-wide, set up by deployments), owners and privileges (each deployment grants
 * its own roles).
 */
public final class Catalog {

    /**
     * One object of the catalog.
     *
     * @param kind table, view, column, constraint, index, policy, trigger, function, type or sequence
     * @param name its name, qualified by its table where it belongs to one ({@code users.email})
     * @param attributes what PostgreSQL says of it, attribute to value (absent when null)
     */
    public record Item(String kind, String name, SortedMap<String, String> attributes) {
        /** Copies the attributes. */
        public Item {
            attributes = Collections.unmodifiableSortedMap(new TreeMap<>(attributes));
        }

        /** @return its main definition (DDL or expression), or all attributes */
        String summary() {
            String definition = attributes.get("definition");
            return definition != null ? definition : attributes.toString();
        }
    }

    /**
     * A difference between what the migrations make and what a database has.
     *
     * @param kind the object's kind
     * @param name the object's name
     * @param description the difference in words
     */
    public record Difference(String kind, String name, String description) {
        @Override
        public String toString() {
            return kind + " " + name + ": " + description;
        }
    }

    private static final String SCHEMA = "c.relnamespace = current_schema()::regnamespace";
    private static final String NOT_EXTENSION = "not exists (select 1 from pg_depend d where d.objid = %s "
            + "and d.classid = '%s'::regclass and d.deptype = 'e')";
    private static final String TABLES = "c.relkind in ('r', 'p', 'v', 'm', 'f') and not c.relispartition and c.relname <> '"
            + JeexSchema.HISTORY_TABLE + "' and " + SCHEMA + " and " + NOT_EXTENSION.formatted("c.oid", "pg_class");

    private static final List<String[]> QUERIES = List.of(
            new String[] {"table", """
                select c.relname as name,
                       case c.relkind when 'v' then 'view' when 'm' then 'materialized view'
                            when 'p' then 'partitioned table' when 'f' then 'foreign table' else 'table' end as relation,
                       case when c.relkind in ('v', 'm') then pg_get_viewdef(c.oid) end as definition,
                       nullif(c.relrowsecurity, false)::text as row_level_security,
                       nullif(c.relforcerowsecurity, false)::text as forced_row_level_security,
                       obj_description(c.oid, 'pg_class') as comment
                  from pg_class c where\s""" + TABLES},
            new String[] {"column", """
                select c.relname || '.' || a.attname as name,
                       format_type(a.atttypid, a.atttypmod) as type,
                       nullif(a.attnotnull, false)::text as not_null,
                       pg_get_expr(ad.adbin, ad.adrelid) as default,
                       nullif(a.attidentity, '') as identity,
                       nullif(a.attgenerated, '') as generated,
                       case when a.attcollation <> t.typcollation then co.collname end as collation,
                       col_description(c.oid, a.attnum) as comment
                  from pg_attribute a
                  join pg_class c on c.oid = a.attrelid
                  join pg_type t on t.oid = a.atttypid
                  left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
                  left join pg_collation co on co.oid = a.attcollation
                 where a.attnum > 0 and not a.attisdropped and\s""" + TABLES},
            new String[] {"constraint", """
                select c.relname || '.' || k.conname as name, pg_get_constraintdef(k.oid) as definition,
                       nullif(k.condeferrable, false)::text as deferrable,
                       nullif(k.convalidated, true)::text as validated,
                       obj_description(k.oid, 'pg_constraint') as comment
                  from pg_constraint k join pg_class c on c.oid = k.conrelid where\s""" + TABLES},
            new String[] {"index", """
                select i.relname as name, pg_get_indexdef(i.oid) as definition,
                       nullif(x.indisvalid, true)::text as valid,
                       obj_description(i.oid, 'pg_class') as comment
                  from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class c on c.oid = x.indrelid
                 where not exists (select 1 from pg_constraint k where k.conindid = x.indexrelid and k.conrelid = c.oid)
                   and\s""" + TABLES},
            new String[] {"policy", """
                select c.relname || '.' || p.polname as name, p.polcmd::text as command,
                       case when p.polpermissive then 'permissive' else 'restrictive' end as mode,
                       (select string_agg(case r when 0 then 'public' else pg_get_userbyid(r) end, ','
                                          order by case r when 0 then 'public' else pg_get_userbyid(r) end)
                          from unnest(p.polroles) r) as roles,
                       pg_get_expr(p.polqual, p.polrelid) as using,
                       pg_get_expr(p.polwithcheck, p.polrelid) as with_check,
                       obj_description(p.oid, 'pg_policy') as comment
                  from pg_policy p join pg_class c on c.oid = p.polrelid where\s""" + TABLES},
            new String[] {"trigger", """
                select c.relname || '.' || g.tgname as name, pg_get_triggerdef(g.oid) as definition,
                       g.tgenabled::text as enabled, obj_description(g.oid, 'pg_trigger') as comment
                  from pg_trigger g join pg_class c on c.oid = g.tgrelid where not g.tgisinternal and\s""" + TABLES},
            new String[] {"function", """
                select p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' as name,
                       case when p.prokind in ('f', 'p', 'w') then pg_get_functiondef(p.oid)
                            else p.prokind::text end as definition,
                       obj_description(p.oid, 'pg_proc') as comment
                  from pg_proc p where p.pronamespace = current_schema()::regnamespace and\s"""
                    + NOT_EXTENSION.formatted("p.oid", "pg_proc")},
            new String[] {"type", """
                select t.typname as name,
                       case t.typtype when 'e' then 'enum' when 'd' then 'domain' when 'c' then 'composite'
                            when 'r' then 'range' else t.typtype::text end as type,
                       case t.typtype when 'e' then (select string_agg(quote_literal(e.enumlabel), ', '
                                                               order by e.enumsortorder)
                                                       from pg_enum e where e.enumtypid = t.oid)
                            when 'd' then format_type(t.typbasetype, t.typtypmod)
                                          || coalesce(' default ' || t.typdefault, '')
                                          || case when t.typnotnull then ' not null' else '' end
                                          || coalesce((select ' ' || string_agg(pg_get_constraintdef(k.oid), ' '
                                                                               order by k.conname)
                                                         from pg_constraint k where k.contypid = t.oid), '')
                       end as definition,
                       obj_description(t.oid, 'pg_type') as comment
                  from pg_type t
                  left join pg_class r on r.oid = t.typrelid
                 where t.typnamespace = current_schema()::regnamespace and t.typtype in ('e', 'd', 'c', 'r')
                   and (t.typrelid = 0 or r.relkind = 'c') and\s""" + NOT_EXTENSION.formatted("t.oid", "pg_type")},
            new String[] {"sequence", """
                select c.relname as name, format_type(s.seqtypid, null) as type, s.seqincrement::text as increment,
                       s.seqmin::text as min, s.seqmax::text as max, s.seqstart::text as start,
                       nullif(s.seqcycle, false)::text as cycle,
                       (select o.relname || '.' || a.attname from pg_depend d
                          join pg_class o on o.oid = d.refobjid
                          join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
                         where d.objid = c.oid and d.classid = 'pg_class'::regclass and d.deptype in ('a', 'i')
                         limit 1) as owned_by,
                       obj_description(c.oid, 'pg_class') as comment
                  from pg_class c join pg_sequence s on s.seqrelid = c.oid
                 where c.relkind = 'S' and\s""" + SCHEMA + " and " + NOT_EXTENSION.formatted("c.oid", "pg_class")});

    private final SortedMap<String, Item> items;

    private Catalog(SortedMap<String, Item> items) {
        this.items = items;
    }

    /**
     * Reads the catalog of the connection's database, in its current schema.
     *
     * @param connection an open connection
     * @return the catalog
     * @throws SQLException if a query fails
     */
    public static Catalog read(Connection connection) throws SQLException {
        requireNonNull(connection, "connection");
        SortedMap<String, Item> items = new TreeMap<>();
        for (String[] query : QUERIES) {
            try (PreparedStatement ps = connection.prepareStatement(query[1]); ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData meta = rs.getMetaData();
                while (rs.next()) {
                    SortedMap<String, String> attributes = new TreeMap<>();
                    for (int i = 2; i <= meta.getColumnCount(); i++) {
                        String value = rs.getString(i);
                        if (value != null) {
                            attributes.put(meta.getColumnLabel(i).replace('_', ' '), value);
                        }
                    }
                    Item item = new Item(query[0], rs.getString(1), attributes);
                    items.put(item.kind() + " " + item.name(), item);
                }
            }
        }
        return new Catalog(Collections.unmodifiableSortedMap(items));
    }

    /** @return every object, by kind and name */
    public Map<String, Item> items() {
        return items;
    }

    /**
     * Compares this catalog, made by the migrations, with a database's.
     *
     * @param actual the database's catalog
     * @return every difference, by object, sorted by kind and name; empty when they are equal
     */
    public List<Difference> differencesTo(Catalog actual) {
        requireNonNull(actual, "actual");
        SortedMap<String, Item> all = new TreeMap<>(items);
        actual.items.forEach(all::putIfAbsent);
        List<Difference> differences = new ArrayList<>();
        for (Map.Entry<String, Item> e : all.entrySet()) {
            Item expected = items.get(e.getKey());
            Item found = actual.items.get(e.getKey());
            Item any = e.getValue();
            if (expected == null) {
                differences.add(new Difference(any.kind(), any.name(), "in the database, but not made by the "
                        + "migrations (" + found.summary() + ")"));
            } else if (found == null) {
                differences.add(new Difference(any.kind(), any.name(), "made by the migrations, but missing in the "
                        + "database (" + expected.summary() + ")"));
            } else if (!expected.equals(found)) {
                SortedMap<String, String> attributes = new TreeMap<>(expected.attributes());
                attributes.putAll(found.attributes());
                for (String attribute : attributes.keySet()) {
                    String want = expected.attributes().get(attribute);
                    String have = found.attributes().get(attribute);
                    if (!Objects.equals(want, have)) {
                        differences.add(new Difference(any.kind(), any.name(), attribute + " differs: the migrations "
                                + "make " + shown(want) + ", the database has " + shown(have)));
                    }
                }
            }
        }
        return differences;
    }

    private static String shown(String value) {
        return value == null ? "none" : value.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}

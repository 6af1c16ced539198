package io.jeex.db.cli;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.MigrationResult;
import io.jeex.db.schema.JeexSchema;
import io.jeex.db.tx.IsolationLevel;
import io.jeex.db.tx.TxOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The masking copy of {@code jeex-db mask}: a new database on the source's server, migrated to the
 * source's schema version, filled row by row from one consistent snapshot of the source, with every
 * column the schema tags {@code [pii:<kind>]} replaced by its {@link Pseudonyms pseudonym}.
 *
 * <p>Everything runs in the library's system mode (the migration role, which bypasses row-level
 * security): reading the source in one REPEATABLE READ transaction, creating the database, writing
 * the copy in one transaction. Original values never reach the new database: they are replaced in
 * this process before the INSERT. Tables are copied parents first (foreign keys); a table of the
 * source that the JEEX migrations do not create (a service's own) is skipped and reported. When
 * anything fails after the new database was created, it is dropped again.
 */
final class Mask {

    /** Names the new database may have: a plain lower-case identifier, no quoting surprises. */
    static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private static final Pattern TAG = Pattern.compile("\\[pii:([a-z]+)]");
    private static final int BATCH = 500;

    /** A column of the source: its SQL type, and the kind of its personal-data tag, or null. */
    record Column(String name, String type, String kind) {
    }

    /** What was copied from one table. */
    record Copied(String table, long rows, long masked) {
    }

    /** The copy's outcome. */
    record Result(String target, String schemaVersion, List<Copied> tables, List<String> maskedColumns,
                  List<String> skippedTables) {
        long rows() {
            return tables.stream().mapToLong(Copied::rows).sum();
        }

        long masked() {
            return tables.stream().mapToLong(Copied::masked).sum();
        }
    }

    private final JeexDatabase source;
    private final JeexDbConfig config;
    private final Pseudonyms pseudonyms;

    Mask(JeexDatabase source, JeexDbConfig config, Pseudonyms pseudonyms) {
        this.source = source;
        this.config = config;
        this.pseudonyms = pseudonyms;
    }

    /**
     * Makes the copy.
     *
     * @param target the new database's name ({@link #DATABASE_NAME})
     * @return what was copied
     * @throws IllegalStateException if the database exists, or the source marks no personal column
     * @throws io.jeex.db.error.JeexDbException if the database refuses (the source's migrations not
     *     current, no CREATEDB, ...)
     */
    Result into(String target) {
        source.validateMigrations(); // the copy is migrated by this tool's scripts: the source must match them
        if (exists(target)) {
            throw new IllegalStateException("database " + target + " exists already: choose another --target, "
                    + "or drop it first");
        }
        java.util.concurrent.atomic.AtomicBoolean created = new java.util.concurrent.atomic.AtomicBoolean();
        // one try: the drop needs the server, and a stopping tool must not wait long for it
        UndoOnSignal undo = UndoOnSignal.register("mask", 1, () -> {
            if (!created.get() || !exists(target)) {
                return null;
            }
            drop(target);
            return "dropped the unfinished copy " + target;
        });
        try {
            source.transaction(TxOptions.named("mask.create_database").asSystem().withSingleStatement(true),
                    tx -> tx.dsl().execute("CREATE DATABASE " + quote(target)));
            created.set(true);
            try {
                Result result = fill(target);
                undo.completed();
                return result;
            } catch (RuntimeException | Error e) {
                try {
                    drop(target);
                } catch (RuntimeException dropFailed) {
                    e.addSuppressed(dropFailed);
                }
                throw e;
            }
        } finally {
            undo.close();
        }
    }

    private boolean exists(String target) {
        return source.transaction(TxOptions.named("mask.check_target").asSystem().withSingleStatement(true),
                tx -> tx.dsl().fetchExists(tx.dsl().selectOne().from("pg_database").where("datname = ?", target)));
    }

    private void drop(String target) {
        source.transaction(TxOptions.named("mask.drop_database").asSystem().withSingleStatement(true),
                tx -> tx.dsl().execute("DROP DATABASE IF EXISTS " + quote(target) + " WITH (FORCE)"));
    }

    private Result fill(String target) {
        String url = withDatabase(config.migrationUrl(), target);
        JeexDbConfig targetConfig = config.toBuilder().name(config.name() + "-mask").url(url)
                .migration(m -> m.withUrl(url))
                .pool(p -> p.withPgBouncer(false)).replica(r -> r.withUrl(null)).build();
        try (JeexDatabase copy = JeexDatabase.create(targetConfig)) {
            MigrationResult migrated = copy.migrate();
            // one snapshot of the source for every table, so that the copy's foreign keys hold
            return source.transaction(TxOptions.named("mask.read").asSystem()
                    .withIsolation(IsolationLevel.REPEATABLE_READ), read -> {
                Connection from = read.connection();
                Map<String, List<Column>> tables = tables(from);
                List<String> masked = new ArrayList<>();
                tables.forEach((table, columns) -> columns.stream().filter(c -> c.kind() != null)
                        .forEach(c -> masked.add(table + "." + c.name() + " (" + c.kind() + ")")));
                if (masked.isEmpty()) {
                    throw new IllegalStateException("the source schema marks no column as personal data ([pii:...] "
                            + "in a column comment, migration V4): nothing could be masked, so nothing was copied");
                }
                return copy.transaction(TxOptions.named("mask.write").asSystem(), write -> {
                    Connection to = write.connection();
                    Set<String> present = tableNames(to);
                    List<Copied> copied = new ArrayList<>();
                    List<String> skipped = new ArrayList<>();
                    for (Map.Entry<String, List<Column>> t : tables.entrySet()) {
                        UndoOnSignal.checkpoint();
                        if (present.contains(t.getKey())) {
                            copied.add(copyTable(from, to, t.getKey(), t.getValue()));
                        } else {
                            skipped.add(t.getKey());
                        }
                    }
                    return new Result(target, migrated.currentVersion(), copied, masked, skipped);
                });
            });
        }
    }

    private Copied copyTable(Connection from, Connection to, String table, List<Column> columns) throws SQLException {
        StringJoiner names = new StringJoiner(", ");
        StringJoiner values = new StringJoiner(", ");
        for (Column c : columns) {
            names.add(quote(c.name()));
            values.add("?::" + c.type());
        }
        long rows = 0;
        long masked = 0;
        try (PreparedStatement select = from.prepareStatement("SELECT " + names + " FROM " + quote(table));
             PreparedStatement insert = to.prepareStatement("INSERT INTO " + quote(table) + " (" + names
                     + ") VALUES (" + values + ")")) {
            select.setFetchSize(BATCH); // a cursor: the source is streamed, never held in memory
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    for (int i = 0; i < columns.size(); i++) {
                        String value = rs.getString(i + 1);
                        String kind = columns.get(i).kind();
                        if (kind != null && value != null) {
                            value = pseudonyms.mask(kind, value);
                            masked++;
                        }
                        insert.setString(i + 1, value);
                    }
                    insert.addBatch();
                    if (++rows % BATCH == 0) {
                        insert.executeBatch();
                    }
                }
            }
            if (rows % BATCH != 0) {
                insert.executeBatch();
            }
        }
        return new Copied(table, rows, masked);
    }

    /**
     * The tables of schema public but the migration history and the partitions (a partitioned
     * table is copied through its parent, whose comments carry the tags), parents before children (foreign
     * keys), each with its columns in order and the kind of each column's {@code [pii:...]} tag.
     */
    private static Map<String, List<Column>> tables(Connection c) throws SQLException {
        Map<String, List<Column>> columns = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT t.relname, a.attname, format_type(a.atttypid, a.atttypmod), col_description(t.oid, a.attnum)
                  FROM pg_class t
                  JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
                                     AND a.attgenerated = ''
                 WHERE t.relnamespace = 'public'::regnamespace AND t.relkind IN ('r', 'p') AND NOT t.relispartition
                   AND t.relname <> ?
                 ORDER BY t.relname, a.attnum
                """)) {
            ps.setString(1, JeexSchema.HISTORY_TABLE);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                            .add(new Column(rs.getString(2), rs.getString(3), kind(rs.getString(4))));
                }
            }
        }
        Map<String, Set<String>> parents = new LinkedHashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT child.relname, parent.relname
                  FROM pg_constraint c
                  JOIN pg_class child ON child.oid = c.conrelid
                  JOIN pg_class parent ON parent.oid = c.confrelid
                 WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace AND c.conrelid <> c.confrelid
                """)) {
            while (rs.next()) {
                parents.computeIfAbsent(rs.getString(1), k -> new LinkedHashSet<>()).add(rs.getString(2));
            }
        }
        Map<String, List<Column>> ordered = new LinkedHashMap<>();
        while (ordered.size() < columns.size()) {
            int before = ordered.size();
            for (Map.Entry<String, List<Column>> t : columns.entrySet()) {
                if (!ordered.containsKey(t.getKey())
                        && ordered.keySet().containsAll(parents.getOrDefault(t.getKey(), Set.of()))) {
                    ordered.put(t.getKey(), t.getValue());
                }
            }
            if (ordered.size() == before) {
                throw new IllegalStateException("the source's foreign keys form a cycle; the tables cannot be copied "
                        + "parents first");
            }
        }
        return ordered;
    }

    private static Set<String> tableNames(Connection c) throws SQLException {
        Set<String> names = new LinkedHashSet<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') "
                        + "AND NOT relispartition")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private static String kind(String comment) {
        if (comment == null) {
            return null;
        }
        Matcher m = TAG.matcher(comment);
        return m.find() ? m.group(1) : null;
    }

    /** The same server and settings, another database: {@code jdbc:postgresql://host:port/<database>?...}. */
    static String withDatabase(String url, String database) {
        Matcher m = Pattern.compile("^(jdbc:postgresql://[^/?]*/)([^?]*)(\\?.*)?$").matcher(url);
        if (m.matches()) {
            return m.group(1) + database + (m.group(3) == null ? "" : m.group(3));
        }
        Matcher bare = Pattern.compile("^(jdbc:postgresql:)([^/?][^?]*)(\\?.*)?$").matcher(url);
        if (bare.matches()) {
            return bare.group(1) + database + (bare.group(3) == null ? "" : bare.group(3));
        }
        throw new IllegalArgumentException("JEEX_DB_MIGRATION_URL (or JEEX_DB_URL) must name a database as "
                + "jdbc:postgresql://host:port/database, but was " + Environment.masked(url));
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}

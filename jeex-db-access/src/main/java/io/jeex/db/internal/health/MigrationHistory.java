package io.jeex.db.internal.health;

import io.jeex.db.health.HealthReport.MigrationState;
import io.jeex.db.schema.JeexSchema;
import io.jeex.db.schema.ServiceMigrations;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * The migration state without Flyway on the hot path: the schema's versioned migrations
 * (version and checksum) are resolved once from the class path, and each check reads the history
 * table ({@value JeexSchema#HISTORY_TABLE} in the connection's current schema, where the shared
 * Flyway configuration keeps it) with one plain {@code SELECT}. Flyway itself would connect, log
 * its INFO lines and scan the class path on every check.
 *
 * <p>Checksums are computed the way Flyway computes them for SQL migrations (CRC32 over the
 * UTF-8 bytes of each line, without line terminators, a byte-order mark removed); a test compares
 * them with what Flyway records.
 */
final class MigrationHistory {

    private static final String FIND_TABLE = "select n.nspname from pg_catalog.pg_class c "
            + "join pg_catalog.pg_namespace n on n.oid = c.relnamespace "
            + "where c.relname = ? and n.nspname = coalesce(?, current_schema()) and c.relkind in ('r', 'p')";

    /** A resolved versioned migration: its version as written, its sort key and its checksum. */
    record Resolved(String version, List<BigInteger> key, int checksum) {
    }

    private final Map<List<BigInteger>, Resolved> resolved;
    private final String table;
    private final String schema;
    private final String label;

    private MigrationHistory(Map<List<BigInteger>, Resolved> resolved, String table, String schema, String label) {
        this.resolved = resolved;
        this.table = table;
        this.schema = schema;
        this.label = label;
    }

    /**
     * Resolves the schema's versioned migrations from the class path.
     *
     * @return the resolved history reader
     * @throws UncheckedIOException if a script cannot be read
     */
    static MigrationHistory resolve() {
        Map<List<BigInteger>, Resolved> resolved = new TreeMap<>(MigrationHistory::compare);
        ClassLoader loader = JeexSchema.class.getClassLoader();
        for (String script : JeexSchema.migrationScripts()) {
            if (!script.startsWith("V") || !script.contains("__") || !script.endsWith(".sql")) {
                continue; // repeatable or undo scripts: the schema has none, and health tracks versions
            }
            String version = script.substring(1, script.indexOf("__")).replace('_', '.');
            String resource = JeexSchema.RESOURCE_FOLDER + "/" + script;
            try (InputStream in = loader.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IOException("not found on the class path: " + resource);
                }
                resolved.put(key(version), new Resolved(version, key(version), checksum(in)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the migration " + resource, e);
            }
        }
        return new MigrationHistory(resolved, JeexSchema.HISTORY_TABLE, null, "");
    }

    /**
     * Resolves a service's versioned migrations; its versions are reported as
     * {@code <name>:<version>}.
     *
     * @param service the service's migrations
     * @param loader the class loader of their {@code classpath:} locations
     * @return the resolved history reader of its history table
     * @throws UncheckedIOException if a script cannot be read
     */
    static MigrationHistory resolve(ServiceMigrations service, ClassLoader loader) {
        Map<List<BigInteger>, Resolved> resolved = new TreeMap<>(MigrationHistory::compare);
        for (Map.Entry<String, byte[]> e : service.readScripts(loader).entrySet()) {
            String script = e.getKey().substring(e.getKey().lastIndexOf('/') + 1);
            if (!script.startsWith("V") || !script.contains("__") || !script.endsWith(".sql")) {
                continue;
            }
            String version = script.substring(1, script.indexOf("__")).replace('_', '.');
            try (InputStream in = new java.io.ByteArrayInputStream(e.getValue())) {
                resolved.put(key(version), new Resolved(version, key(version), checksum(in)));
            } catch (IOException ex) {
                throw new UncheckedIOException("cannot read the migration " + e.getKey(), ex);
            }
        }
        return new MigrationHistory(resolved, service.historyTable(), service.schema(), service.name() + ":");
    }

    /** @return the resolved migrations, by ascending version */
    List<Resolved> resolved() {
        return List.copyOf(resolved.values());
    }

    /**
     * Flyway's checksum of one SQL script: CRC32 of each line's UTF-8 bytes, lines read without
     * their terminators, a byte-order mark removed.
     */
    static int checksum(InputStream in) throws IOException {
        CRC32 crc = new CRC32();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 4096);
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            if (!line.isEmpty() && line.charAt(0) == '\uFEFF') {
                line = line.substring(1);
            }
            crc.update(line.getBytes(StandardCharsets.UTF_8));
        }
        return (int) crc.getValue();
    }

    /**
     * Reads the history table and compares it with the resolved migrations.
     *
     * @param connection a connection to the database (current schema as for migrations)
     * @param queryTimeoutSeconds the statement timeout
     * @return the state: current version, applied count, pending, failed and changed versions
     * @throws SQLException if the table cannot be read (for example no {@code SELECT} privilege)
     */
    MigrationState read(Connection connection, int queryTimeoutSeconds) throws SQLException {
        String schema;
        try (PreparedStatement find = connection.prepareStatement(FIND_TABLE)) {
            find.setQueryTimeout(queryTimeoutSeconds);
            find.setString(1, table);
            find.setString(2, this.schema);
            try (ResultSet rs = find.executeQuery()) {
                schema = rs.next() ? rs.getString(1) : null;
            }
        }
        // version key -> latest row for it (installed_rank order)
        Map<List<BigInteger>, Row> applied = new LinkedHashMap<>();
        List<BigInteger> baseline = null;
        if (schema != null) {
            String sql = "select version, checksum, success, type from " + quote(schema) + "."
                    + quote(table) + " order by installed_rank";
            try (Statement s = connection.createStatement()) {
                s.setQueryTimeout(queryTimeoutSeconds);
                try (ResultSet rs = s.executeQuery(sql)) {
                    while (rs.next()) {
                        String version = rs.getString(1);
                        int checksum = rs.getInt(2);
                        boolean hasChecksum = !rs.wasNull();
                        boolean success = rs.getBoolean(3);
                        String type = rs.getString(4);
                        if (version == null || "SCHEMA".equals(type)) {
                            continue; // repeatable migrations and Flyway's schema-creation marker
                        }
                        List<BigInteger> key = key(version);
                        if ("DELETE".equals(type)) {
                            applied.remove(key); // flyway repair's record of a removed migration
                        } else if ("BASELINE".equals(type)) {
                            baseline = key;
                            applied.put(key, new Row(version, null, success));
                        } else {
                            applied.put(key, new Row(version, hasChecksum ? checksum : null, success));
                        }
                    }
                }
            }
        }
        List<String> failed = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<BigInteger> current = null;
        String currentVersion = null;
        int appliedCount = 0;
        for (Map.Entry<List<BigInteger>, Row> e : applied.entrySet()) {
            Row row = e.getValue();
            if (!row.success()) {
                failed.add(label + row.version());
                continue;
            }
            appliedCount++;
            if (current == null || compare(e.getKey(), current) > 0) {
                current = e.getKey();
                currentVersion = row.version();
            }
            Resolved script = resolved.get(e.getKey());
            if (script != null && row.checksum() != null && row.checksum() != script.checksum()) {
                changed.add(label + row.version());
            }
        }
        List<String> pending = new ArrayList<>();
        for (Resolved script : resolved.values()) {
            Row row = applied.get(script.key());
            boolean belowBaseline = baseline != null && compare(script.key(), baseline) <= 0;
            if ((row == null || !row.success()) && !belowBaseline && !failed.contains(label + script.version())) {
                pending.add(label + script.version());
            }
        }
        return new MigrationState(currentVersion, appliedCount, pending, failed, changed);
    }

    private record Row(String version, Integer checksum, boolean success) {
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** Flyway's version order: numeric parts, {@code _} as {@code .}, trailing zeros ignored. */
    static List<BigInteger> key(String version) {
        List<BigInteger> parts = new ArrayList<>();
        for (String part : version.replace('_', '.').split("\\.")) {
            parts.add(part.isEmpty() ? BigInteger.ZERO : new BigInteger(part.trim()));
        }
        while (parts.size() > 1 && parts.get(parts.size() - 1).signum() == 0) {
            parts.remove(parts.size() - 1);
        }
        return List.copyOf(parts);
    }

    private static int compare(List<BigInteger> a, List<BigInteger> b) {
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            BigInteger x = i < a.size() ? a.get(i) : BigInteger.ZERO;
            BigInteger y = i < b.size() ? b.get(i) : BigInteger.ZERO;
            int c = x.compareTo(y);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }
}

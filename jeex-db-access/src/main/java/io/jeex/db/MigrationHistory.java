package io.jeex.db;

import io.jeex.db.health.HealthReport.MigrationState;
import io.jeex.db.schema.JeexSchema;
import io.jeex.db.schema.ResolvedMigration;
import io.jeex.db.schema.ServiceMigrations;
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
import java.util.function.Supplier;
import org.flywaydb.core.api.MigrationVersion;

/**
 * The migration state without a Flyway call per check: the versioned migrations (version and
 * checksum) are resolved by Flyway once ({@link JeexSchema#resolvedMigrations} on the first
 * check), and each check reads the history table with one plain {@code SELECT}. Flyway itself would
 * connect, log its INFO lines and scan the class path on every check. Versions are ordered as
 * Flyway orders them ({@link MigrationVersion}).
 */
final class MigrationHistory {

    private static final String FIND_TABLE = "select n.nspname from pg_catalog.pg_class c "
            + "join pg_catalog.pg_namespace n on n.oid = c.relnamespace "
            + "where c.relname = ? and n.nspname = coalesce(?, current_schema()) and c.relkind in ('r', 'p')";

    private final Supplier<List<ResolvedMigration>> resolver;
    private final String table;
    private final String schema;
    private final String label;
    private volatile Map<MigrationVersion, ResolvedMigration> resolved;

    private MigrationHistory(Supplier<List<ResolvedMigration>> resolver, String table, String schema, String label) {
        this.resolver = resolver;
        this.table = table;
        this.schema = schema;
        this.label = label;
    }

    /**
     * @param dataSource where Flyway resolves the migrations, once
     * @return the history reader of jeex-db's migrations
     */
    static MigrationHistory jeex(javax.sql.DataSource dataSource) {
        return new MigrationHistory(() -> JeexSchema.resolvedMigrations(dataSource), JeexSchema.HISTORY_TABLE, null,
                "");
    }

    /**
     * @param service the service's migrations; their versions are reported as {@code <name>:<version>}
     * @param loader the class loader of their {@code classpath:} locations
     * @param dataSource where Flyway resolves them, once
     * @return the history reader of the service's history table
     */
    static MigrationHistory service(ServiceMigrations service, ClassLoader loader, javax.sql.DataSource dataSource) {
        return new MigrationHistory(() -> service.resolvedMigrations(dataSource, loader), service.historyTable(),
                service.schema(), service.name() + ":");
    }

    private Map<MigrationVersion, ResolvedMigration> resolved() {
        Map<MigrationVersion, ResolvedMigration> r = resolved;
        if (r == null) {
            r = new TreeMap<>();
            for (ResolvedMigration m : resolver.get()) {
                r.put(MigrationVersion.fromVersion(m.version()), m);
            }
            resolved = r;
        }
        return r;
    }

    /**
     * Reads the history table and compares it with the resolved migrations (resolving them first,
     * the first time).
     *
     * @param connection a connection to the database (current schema as for migrations)
     * @param queryTimeoutSeconds the statement timeout
     * @return the state: current version, applied count, pending, failed and changed versions
     * @throws SQLException if the table cannot be read (for example no {@code SELECT} privilege)
     * @throws org.flywaydb.core.api.FlywayException if Flyway cannot resolve the migrations
     */
    MigrationState read(Connection connection, int queryTimeoutSeconds) throws SQLException {
        Map<MigrationVersion, ResolvedMigration> scripts = resolved();
        // version -> latest row for it (installed_rank order)
        Map<MigrationVersion, Row> applied = new LinkedHashMap<>();
        MigrationVersion baseline = null;
        String found = findSchema(connection, queryTimeoutSeconds);
        if (found != null) {
            String sql = "select version, checksum, success, type from " + quote(found) + "."
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
                        MigrationVersion key = MigrationVersion.fromVersion(version);
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
        MigrationVersion current = null;
        String currentVersion = null;
        int appliedCount = 0;
        for (Map.Entry<MigrationVersion, Row> e : applied.entrySet()) {
            Row row = e.getValue();
            if (!row.success()) {
                failed.add(label + row.version());
                continue;
            }
            appliedCount++;
            if (current == null || e.getKey().compareTo(current) > 0) {
                current = e.getKey();
                currentVersion = row.version();
            }
            ResolvedMigration script = scripts.get(e.getKey());
            if (script != null && row.checksum() != null && row.checksum() != script.checksum()) {
                changed.add(label + row.version());
            }
        }
        List<String> pending = new ArrayList<>();
        for (Map.Entry<MigrationVersion, ResolvedMigration> e : scripts.entrySet()) {
            Row row = applied.get(e.getKey());
            boolean belowBaseline = baseline != null && e.getKey().compareTo(baseline) <= 0;
            String version = label + e.getValue().version();
            if ((row == null || !row.success()) && !belowBaseline && !failed.contains(version)) {
                pending.add(version);
            }
        }
        return new MigrationState(currentVersion, appliedCount, pending, failed, changed);
    }

    private String findSchema(Connection connection, int queryTimeoutSeconds) throws SQLException {
        try (PreparedStatement find = connection.prepareStatement(FIND_TABLE)) {
            find.setQueryTimeout(queryTimeoutSeconds);
            find.setString(1, table);
            find.setString(2, schema);
            try (ResultSet rs = find.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private record Row(String version, Integer checksum, boolean success) {
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}

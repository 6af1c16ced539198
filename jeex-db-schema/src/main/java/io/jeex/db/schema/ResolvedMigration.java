package io.jeex.db.schema;

import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * A versioned migration as Flyway resolves it from its script: the version, the description and
 * Flyway's checksum of the script. What a history table records can be compared with these without
 * asking Flyway again (see {@link JeexSchema#resolvedMigrations(javax.sql.DataSource)}).
 *
 * @param version the version as written, for example {@code 1} or {@code 2.1}
 * @param description the description
 * @param checksum Flyway's checksum of the script
 */
public record ResolvedMigration(String version, String description, int checksum) {

    /**
     * Resolves the versioned migrations of a configuration with Flyway ({@code info()}: one
     * connection, the scripts scanned once).
     *
     * @param configuration the Flyway configuration
     * @return the resolved versioned migrations, by ascending version
     * @throws org.flywaydb.core.api.FlywayException if Flyway cannot read the scripts or the database
     */
    static List<ResolvedMigration> resolve(FluentConfiguration configuration) {
        List<ResolvedMigration> resolved = new ArrayList<>();
        for (MigrationInfo m : configuration.load().info().all()) {
            if (m.isVersioned() && m.getState().isResolved() && m.getResolvedChecksum() != null) {
                resolved.add(new ResolvedMigration(m.getVersion().getVersion(), m.getDescription(),
                        m.getResolvedChecksum()));
            }
        }
        return List.copyOf(resolved);
    }
}

package io.jeex.db.maven;

import io.jeex.db.schema.ServiceMigrations;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code <service>} part of the plugin's configuration: the service's own migrations.
 *
 * <pre>{@code
 * <service>
 *   <name>ideas</name>
 *   <locations>
 *     <location>classpath:db/migration/ideas</location>
 *   </locations>
 * </service>
 * }</pre>
 */
public class Service {

    /** The service's name (see {@link ServiceMigrations#name()}). */
    private String name;
    /** Flyway locations of its scripts; {@code classpath:} ones are read from the project's resources and dependencies. */
    private List<String> locations = new ArrayList<>();
    /** Its schema; default {@code public}. */
    private String schema;
    /** Its history table; default {@code <name>_schema_history}. */
    private String historyTable;

    /** @return the migrations, checked */
    ServiceMigrations toMigrations() {
        if (name == null || locations == null || locations.isEmpty()) {
            throw new IllegalArgumentException("<service> needs <name> and at least one <location> in <locations>, "
                    + "for example <name>ideas</name><locations><location>classpath:db/migration/ideas</location>"
                    + "</locations>");
        }
        ServiceMigrations m = ServiceMigrations.of(name, locations.toArray(String[]::new));
        if (schema != null) {
            m = m.withSchema(schema);
        }
        return historyTable == null ? m : m.withHistoryTable(historyTable);
    }
}

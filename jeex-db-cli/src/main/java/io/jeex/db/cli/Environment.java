package io.jeex.db.cli;

import io.jeex.db.JeexDbConfig;
import io.jeex.db.schema.JdbcUrlMask;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The database a command works on, from the environment: {@code JEEX_DB_URL} and the other
 * {@code JEEX_DB_*} variables of {@link JeexDbConfig#fromEnvironment(Map)}, or, when
 * {@code JEEX_DB_URL} is unset, an embedded PostgreSQL 18.
 */
final class Environment {

    /** The embedded server's data directory; overridden by {@code --data-dir}. */
    static final String EMBEDDED_DIR = "JEEX_DB_EMBEDDED_DIR";

    /**
     * The tool's own defaults, used unless the environment sets them: no connection kept open (a
     * command runs a few statements once), no background health monitor.
     */
    private static final Map<String, String> TOOL_DEFAULTS = Map.of("JEEX_DB_POOL_SIZE", "0",
            "JEEX_DB_POOL_MAX_OVERFLOW", "2", "JEEX_DB_MONITOR_INTERVAL", "0s");

    /** What an embedded server ignores: it has its own address and credentials. */
    private static final Set<String> SERVER_VARIABLES = Set.of("JEEX_DB_URL", "JEEX_DB_USER", "JEEX_DB_PASSWORD",
            "JEEX_DB_PASSWORD_FILE", "JEEX_DB_MIGRATION_URL", "JEEX_DB_MIGRATION_USER", "JEEX_DB_MIGRATION_PASSWORD",
            "JEEX_DB_MIGRATION_PASSWORD_FILE", "JEEX_DB_REPLICA_URL", "JEEX_DB_REPLICA_URLS", "JEEX_DB_PGBOUNCER");

    private Environment() {
    }

    /** @return whether {@code JEEX_DB_URL} names the database */
    static boolean hasUrl(Map<String, String> env) {
        String url = env.get("JEEX_DB_URL");
        return url != null && !url.isBlank();
    }

    /**
     * @param env the environment
     * @param dataDir {@code --data-dir}, or null
     * @return the embedded server's data directory: {@code --data-dir}, else {@value #EMBEDDED_DIR},
     *     else {@code ~/.jeex-db/embedded}
     */
    static Path embeddedDirectory(Map<String, String> env, Path dataDir) {
        if (dataDir != null) {
            return dataDir.toAbsolutePath();
        }
        String dir = env.get(EMBEDDED_DIR);
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir).toAbsolutePath();
        }
        return Path.of(System.getProperty("user.home"), ".jeex-db", "embedded");
    }

    /**
     * The configuration for {@code JEEX_DB_URL}.
     *
     * @param env the environment
     * @param defaults more defaults of the command (the demo's pool), before the tool's
     * @return the configuration
     * @throws IllegalArgumentException if a variable is malformed; the message names it
     */
    static JeexDbConfig fromUrl(Map<String, String> env, Map<String, String> defaults) {
        Map<String, String> all = new HashMap<>(TOOL_DEFAULTS);
        all.putAll(defaults);
        all.putAll(env);
        return JeexDbConfig.fromEnvironment(all);
    }

    /**
     * The configuration for an embedded server: its URL and user, with the environment's other
     * settings (timeouts...).
     *
     * @param env the environment
     * @param defaults more defaults of the command
     * @param server the running server
     * @return the configuration
     * @throws IllegalArgumentException if a variable is malformed; the message names it
     */
    static JeexDbConfig forEmbedded(Map<String, String> env, Map<String, String> defaults, EmbeddedServer server) {
        Map<String, String> all = new HashMap<>(TOOL_DEFAULTS);
        all.putAll(defaults);
        env.forEach((k, v) -> {
            if (!SERVER_VARIABLES.contains(k)) {
                all.put(k, v);
            }
        });
        all.put("JEEX_DB_URL", server.jdbcUrl(EmbeddedServer.DATABASE));
        all.put("JEEX_DB_USER", server.user());
        return JeexDbConfig.fromEnvironment(all);
    }

    /** @return the URL with any password masked */
    static String masked(String url) {
        return JdbcUrlMask.mask(url);
    }
}

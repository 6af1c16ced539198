package io.jeex.db.cli;

import io.jeex.db.JeexDbConfig;
import java.nio.file.Path;
import java.util.Map;

/**
 * The database of one command run: {@code JEEX_DB_URL}, or an embedded PostgreSQL 18 started for
 * the run (persistent for the operator commands, throw-away for the demo), stopped by
 * {@link #close()}.
 */
final class Target implements AutoCloseable {

    private final JeexDbConfig config;
    private final EmbeddedServer embedded;
    private final String description;

    private Target(JeexDbConfig config, EmbeddedServer embedded, String description) {
        this.config = config;
        this.embedded = embedded;
        this.description = description;
    }

    /**
     * The operator commands' database: {@code JEEX_DB_URL}, else the persistent embedded server.
     *
     * @param env the environment
     * @param dataDir {@code --data-dir}, or null
     * @return the target; close it when done
     */
    static Target operator(Map<String, String> env, Path dataDir) {
        if (Environment.hasUrl(env)) {
            JeexDbConfig config = Environment.fromUrl(env, Map.of());
            return new Target(config, null, Environment.masked(config.url()) + " (JEEX_DB_URL)");
        }
        Path dir = Environment.embeddedDirectory(env, dataDir);
        EmbeddedServer server = EmbeddedServer.persistent(dir);
        try {
            return new Target(Environment.forEmbedded(env, Map.of(), server), server, "embedded PostgreSQL "
                    + server.version() + ", database " + EmbeddedServer.DATABASE + " in " + dir
                    + " (set JEEX_DB_URL to use another)");
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /**
     * The demo's database: {@code JEEX_DB_URL}, else a fresh embedded server deleted at the end.
     *
     * @param env the environment
     * @return the target; close it when done
     */
    static Target demo(Map<String, String> env) {
        Map<String, String> pool = Map.of("JEEX_DB_POOL_SIZE", "4", "JEEX_DB_POOL_MAX_OVERFLOW", "4");
        if (Environment.hasUrl(env)) {
            JeexDbConfig config = Environment.fromUrl(env, pool);
            return new Target(config, null, Environment.masked(config.url()) + " (JEEX_DB_URL)");
        }
        EmbeddedServer server = EmbeddedServer.throwAway();
        try {
            return new Target(Environment.forEmbedded(env, pool, server), server, "a fresh embedded PostgreSQL "
                    + server.version() + ", deleted when the demo ends (set JEEX_DB_URL to use another)");
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** @return the configuration */
    JeexDbConfig config() {
        return config;
    }

    /** @return whether it is the tool's embedded server (which archives no WAL) */
    boolean embedded() {
        return embedded != null;
    }

    /** @return which database, in words, without credentials */
    String description() {
        return description;
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
    }
}

package io.jeex.db;

import static java.util.Objects.requireNonNull;

import io.jeex.db.schema.JdbcUrlMask;
import io.jeex.db.schema.ServiceMigrations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Reads a {@link JeexDbConfig} from {@code JEEX_DB_*} variables ({@link JeexDbConfig#fromEnvironment(Map)}
 * lists them): each variable is parsed and handed to the builder, whose message is prefixed with
 * the variable's name; password files are read here, and neither a password nor a file's content
 * is ever part of a message.
 */
final class EnvironmentConfig {

    private static final Map<String, BiConsumer<JeexDbConfig.Builder, String>> ENV = new LinkedHashMap<>();

    static {
        ENV.put("JEEX_DB_NAME", JeexDbConfig.Builder::name);
        ENV.put("JEEX_DB_USER", JeexDbConfig.Builder::user);
        ENV.put("JEEX_DB_PASSWORD", JeexDbConfig.Builder::password);
        ENV.put("JEEX_DB_MIGRATION_URL", (b, v) -> b.migration(m -> m.withUrl(v)));
        ENV.put("JEEX_DB_MIGRATION_USER", (b, v) -> b.credentials(c -> c.withMigrationUser(v)));
        ENV.put("JEEX_DB_MIGRATION_PASSWORD", (b, v) -> b.credentials(c -> c.withMigrationPassword(v)));
        ENV.put("JEEX_DB_REPLICA_URL", (b, v) -> b.replica(r -> r.withUrl(v)));
        ENV.put("JEEX_DB_REPLICA_URLS", (b, v) -> b.replica(r -> r.withUrls(replicaUrls(v))));
        ENV.put("JEEX_DB_REPLICA_MAX_LAG", (b, v) -> b.replica(r -> r.withMaxLag(parseDuration(v))));
        ENV.put("JEEX_DB_REPLICA_LAG_PROBE_INTERVAL",
                (b, v) -> b.replica(r -> r.withLagProbeInterval(parseDuration(v))));
        ENV.put("JEEX_DB_APPLICATION_NAME", (b, v) -> b.pool(p -> p.withApplicationName(v)));
        ENV.put("JEEX_DB_POOL_SIZE", (b, v) -> b.pool(p -> p.withSize(parseInt(v))));
        ENV.put("JEEX_DB_POOL_MAX_OVERFLOW", (b, v) -> b.pool(p -> p.withMaxOverflow(parseInt(v))));
        ENV.put("JEEX_DB_ACQUIRE_TIMEOUT", (b, v) -> b.pool(p -> p.withAcquireTimeout(parseDuration(v))));
        ENV.put("JEEX_DB_CONNECT_TIMEOUT", (b, v) -> b.pool(p -> p.withConnectTimeout(parseDuration(v))));
        ENV.put("JEEX_DB_MAX_LIFETIME", (b, v) -> b.pool(p -> p.withMaxLifetime(parseDuration(v))));
        ENV.put("JEEX_DB_IDLE_TIMEOUT", (b, v) -> b.pool(p -> p.withIdleTimeout(parseDuration(v))));
        ENV.put("JEEX_DB_KEEPALIVE_TIME", (b, v) -> b.pool(p -> p.withKeepaliveTime(parseDuration(v))));
        ENV.put("JEEX_DB_STATEMENT_TIMEOUT", (b, v) -> b.pool(p -> p.withStatementTimeout(parseDuration(v))));
        ENV.put("JEEX_DB_PGBOUNCER", (b, v) -> b.pool(p -> p.withPgBouncer(parseBoolean(v))));
        ENV.put("JEEX_DB_PGBOUNCER_PREPARED_STATEMENTS",
                (b, v) -> b.pool(p -> p.withPgBouncerPreparedStatements(parseBoolean(v))));
        ENV.put("JEEX_DB_INCLUDE_ERROR_DETAIL", (b, v) -> b.pool(p -> p.withIncludeErrorDetail(parseBoolean(v))));
        ENV.put("JEEX_DB_RETRY_MAX_ATTEMPTS", (b, v) -> b.retry(r -> r.withMaxAttempts(parseInt(v))));
        ENV.put("JEEX_DB_RETRY_INITIAL_BACKOFF", (b, v) -> b.retry(r -> r.withInitialBackoff(parseDuration(v))));
        ENV.put("JEEX_DB_RETRY_BACKOFF_MULTIPLIER", (b, v) -> b.retry(r -> r.withBackoffMultiplier(parseDouble(v))));
        ENV.put("JEEX_DB_RETRY_MAX_BACKOFF", (b, v) -> b.retry(r -> r.withMaxBackoff(parseDuration(v))));
        ENV.put("JEEX_DB_RETRY_DEADLINE", (b, v) -> b.retry(r -> r.withDeadline(parseDuration(v))));
        ENV.put("JEEX_DB_RETRY_ON_LOCK_TIMEOUT", (b, v) -> b.retry(r -> r.withOnLockTimeout(parseBoolean(v))));
        ENV.put("JEEX_DB_BREAKER_FAILURE_RATE_THRESHOLD",
                (b, v) -> b.breaker(c -> c.withFailureRateThreshold((float) parseDouble(v))));
        ENV.put("JEEX_DB_BREAKER_SLIDING_WINDOW_SIZE", (b, v) -> b.breaker(c -> c.withSlidingWindowSize(parseInt(v))));
        ENV.put("JEEX_DB_BREAKER_MINIMUM_CALLS", (b, v) -> b.breaker(c -> c.withMinimumCalls(parseInt(v))));
        ENV.put("JEEX_DB_BREAKER_WAIT_IN_OPEN_STATE",
                (b, v) -> b.breaker(c -> c.withWaitInOpenState(parseDuration(v))));
        ENV.put("JEEX_DB_BREAKER_HALF_OPEN_CALLS",
                (b, v) -> b.breaker(c -> c.withPermittedCallsInHalfOpenState(parseInt(v))));
        ENV.put("JEEX_DB_HEALTH_TIMEOUT", (b, v) -> b.health(h -> h.withTimeout(parseDuration(v))));
        ENV.put("JEEX_DB_MONITOR_INTERVAL", (b, v) -> b.health(h -> h.withMonitorInterval(parseDuration(v))));
        ENV.put("JEEX_DB_SLOW_QUERY_THRESHOLD", (b, v) -> b.health(h -> h.withSlowQueryThreshold(parseDuration(v))));
        ENV.put("JEEX_DB_REPLICA_READ_CONSISTENCY",
                (b, v) -> b.replica(r -> r.withReadConsistency(parseConsistency(v))));
        ENV.put("JEEX_DB_REPLICA_WAIT_TIMEOUT", (b, v) -> b.replica(r -> r.withWaitTimeout(parseDuration(v))));
        ENV.put("JEEX_DB_DRAIN_TIMEOUT", (b, v) -> b.drainTimeout(parseDuration(v)));
        ENV.put("JEEX_DB_MIGRATION_LOCK_TIMEOUT", (b, v) -> b.migration(m -> m.withLockTimeout(parseDuration(v))));
        ENV.put("JEEX_DB_MIGRATION_LOCK_RETRIES", (b, v) -> b.migration(m -> m.withLockRetries(parseInt(v))));
        ENV.put("JEEX_DB_PARTITION_MONTHS_AHEAD", (b, v) -> b.partitions(p -> p.withMonthsAhead(parseInt(v))));
        ENV.put("JEEX_DB_PARTITION_RETENTION_MONTHS", (b, v) -> b.partitions(p -> p.withRetentionMonths(parseInt(v))));
        ENV.put("JEEX_DB_MIGRATION_RESTORE_POINT",
                (b, v) -> b.migration(m -> m.withRestorePoint(parseRestorePoint(v))));
    }

    private EnvironmentConfig() {
    }

    /** See {@link JeexDbConfig#fromEnvironment(Map)}. */
    static JeexDbConfig read(Map<String, String> env) {
        requireNonNull(env, "env");
        String url = env.get("JEEX_DB_URL");
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("JEEX_DB_URL must be set to a PostgreSQL JDBC URL such as "
                    + "jdbc:postgresql://db:5432/jeex, but was not set");
        }
        JeexDbConfig.Builder b = new JeexDbConfig.Builder();
        apply(env, "JEEX_DB_URL", b, JeexDbConfig.Builder::url);
        if (env.get("JEEX_DB_PASSWORD") != null && env.get("JEEX_DB_PASSWORD_FILE") != null) {
            throw new IllegalArgumentException("JEEX_DB_PASSWORD and JEEX_DB_PASSWORD_FILE must not both be set, "
                    + "but both were: unset one of them");
        }
        if (env.get("JEEX_DB_REPLICA_URL") != null && env.get("JEEX_DB_REPLICA_URLS") != null) {
            throw new IllegalArgumentException("JEEX_DB_REPLICA_URL and JEEX_DB_REPLICA_URLS must not both be set, "
                    + "but both were: list every replica in JEEX_DB_REPLICA_URLS and unset JEEX_DB_REPLICA_URL");
        }
        apply(env, "JEEX_DB_PASSWORD_FILE", b, (bb, v) -> bb.password(readPasswordFile(v)));
        if (env.get("JEEX_DB_MIGRATION_PASSWORD") != null && env.get("JEEX_DB_MIGRATION_PASSWORD_FILE") != null) {
            throw new IllegalArgumentException("JEEX_DB_MIGRATION_PASSWORD and JEEX_DB_MIGRATION_PASSWORD_FILE must not "
                    + "both be set, but both were: unset one of them");
        }
        apply(env, "JEEX_DB_MIGRATION_PASSWORD_FILE", b,
                (bb, v) -> bb.credentials(c -> c.withMigrationPassword(readPasswordFile(v))));
        for (Map.Entry<String, BiConsumer<JeexDbConfig.Builder, String>> e : ENV.entrySet()) {
            apply(env, e.getKey(), b, e.getValue());
        }
        serviceFromEnvironment(env).ifPresent(b::serviceMigrations);
        return b.build();
    }

    /** A value that could not be parsed at all; the message is the rule ("an integer"). */
    private static final class Unparsable extends IllegalArgumentException {
        Unparsable(String rule) {
            super(rule);
        }
    }

    private static void apply(Map<String, String> env, String variable, JeexDbConfig.Builder builder,
                              BiConsumer<JeexDbConfig.Builder, String> setter) {
        String value = env.get(variable);
        if (value == null) {
            return;
        }
        try {
            setter.accept(builder, value);
        } catch (Unparsable e) {
            String shown = variable.endsWith("PASSWORD") ? "****" : "'" + JdbcUrlMask.mask(value) + "'";
            throw new IllegalArgumentException(variable + " must be " + e.getMessage() + ", but was " + shown, e);
        } catch (IllegalArgumentException e) {
            // The builder's message names the property, the rule and the (masked) value.
            throw new IllegalArgumentException(variable + ": " + e.getMessage(), e);
        }
    }
    /**
     * Replica URLs separated by commas. A multi-host URL has commas of its own
     * ({@code //r1:5432,r2:5432/db}): only a comma followed by {@code jdbc:} separates two URLs.
     * An empty entry (two commas in a row, a comma at the start or the end) is refused: read as
     * part of the URL before it, it would name another database.
     */
    static java.util.List<String> replicaUrls(String v) {
        if (v.isBlank()) {
            return java.util.List.of();
        }
        // a comma before jdbc:, before another comma or at the end ends an entry
        java.util.List<String> urls = Arrays.stream(v.split(",(?=\\s*(?:jdbc:|,|$))", -1)).map(String::trim).toList();
        if (urls.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("the list has an empty entry (two commas in a row, or a comma at its "
                    + "start or end): separate the URLs with one comma each");
        }
        return urls;
    }

    private static int parseInt(String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new Unparsable("an integer");
        }
    }

    private static double parseDouble(String v) {
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new Unparsable("a number");
        }
    }

    private static Duration parseDuration(String v) {
        try {
            return Durations.parse(v);
        } catch (IllegalArgumentException e) {
            throw new Unparsable(e.getMessage());
        }
    }

    private static Optional<ServiceMigrations> serviceFromEnvironment(Map<String, String> env) {
        String name = env.get("JEEX_DB_SERVICE_NAME");
        String locations = env.get("JEEX_DB_SERVICE_LOCATIONS");
        if (name == null && locations == null) {
            if (env.get("JEEX_DB_SERVICE_SCHEMA") != null || env.get("JEEX_DB_SERVICE_HISTORY_TABLE") != null) {
                throw new IllegalArgumentException("JEEX_DB_SERVICE_SCHEMA and JEEX_DB_SERVICE_HISTORY_TABLE need "
                        + "JEEX_DB_SERVICE_NAME and JEEX_DB_SERVICE_LOCATIONS: set them too, or unset these");
            }
            return Optional.empty();
        }
        if (name == null || locations == null) {
            throw new IllegalArgumentException((name == null ? "JEEX_DB_SERVICE_NAME" : "JEEX_DB_SERVICE_LOCATIONS")
                    + " must be set together with " + (name == null ? "JEEX_DB_SERVICE_LOCATIONS" : "JEEX_DB_SERVICE_NAME")
                    + " (the service's migrations), but was not set");
        }
        try {
            ServiceMigrations service = ServiceMigrations.of(name.trim(), Arrays.stream(locations.split(","))
                    .map(String::trim).filter(l -> !l.isEmpty()).toArray(String[]::new));
            if (env.get("JEEX_DB_SERVICE_SCHEMA") != null) {
                service = service.withSchema(env.get("JEEX_DB_SERVICE_SCHEMA").trim());
            }
            if (env.get("JEEX_DB_SERVICE_HISTORY_TABLE") != null) {
                service = service.withHistoryTable(env.get("JEEX_DB_SERVICE_HISTORY_TABLE").trim());
            }
            return Optional.of(service);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("JEEX_DB_SERVICE_*: service migrations " + e.getMessage(), e);
        }
    }

    private static ReadConsistency parseConsistency(String v) {
        try {
            return ReadConsistency.valueOf(v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Unparsable("read_your_writes or replica");
        }
    }

    private static RestorePointMode parseRestorePoint(String v) {
        try {
            return RestorePointMode.valueOf(v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Unparsable("required, if_permitted or off");
        }
    }

    private static boolean parseBoolean(String v) {
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new Unparsable("true or false");
        };
    }

    private static String readPasswordFile(String file) {
        try {
            String content = Files.readString(Path.of(file), StandardCharsets.UTF_8);
            return content.endsWith("\r\n") ? content.substring(0, content.length() - 2)
                    : content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
        } catch (IOException | RuntimeException e) {
            // The file's path is safe to show; its content never is.
            throw new Unparsable("a readable file holding the password (reading failed with "
                    + e.getClass().getSimpleName() + ")");
        }
    }
}

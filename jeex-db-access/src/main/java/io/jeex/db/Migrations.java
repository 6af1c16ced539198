package io.jeex.db;

import io.jeex.db.error.AuthenticationFailedException;
import io.jeex.db.error.DatabaseUnavailableException;
import io.jeex.db.error.ErrorContext;
import io.jeex.db.error.JeexDbException;
import io.jeex.db.error.MigrationException;
import io.jeex.db.error.UnsupportedServerException;
import io.jeex.db.schema.JeexSchema;
import io.jeex.db.schema.ServerCheck;
import io.jeex.db.schema.ServiceMigrations;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.CoreErrorCode;
import org.flywaydb.core.api.ErrorCode;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.ValidateOutput;
import org.flywaydb.core.api.output.ValidateResult;
import org.flywaydb.core.internal.sqlscript.FlywaySqlScriptException;
import org.postgresql.util.ServerErrorMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the schema's Flyway operations for {@code JeexDatabase} over direct connections (a new
 * connection per use, each bounded by {@link io.jeex.db.PoolConfig#connectTimeout()}), never through a
 * pool: a server that refuses, does not answer or refuses the login fails the call within the
 * connect timeout, with the cause and the setting to change. Before Flyway runs, one connection
 * checks the server ({@link ServerCheck}: PostgreSQL 18, {@code uuidv7()}).
 *
 * <p>Flyway's own words stay inside: its exceptions become {@link MigrationException}s with the
 * library's message (script, line, the statement's first line, SQLSTATE and the server's message;
 * no hints for Flyway's command line, no vendor links, no class-path locations). Flyway's exception
 * remains the cause, for a stack trace.
 *
 * <p>Every connection runs with {@link io.jeex.db.MigrationConfig#lockTimeout()} as its
 * {@code lock_timeout} (set for the session right after the login); a change that fails on it is tried again
 * ({@link LockRetry}). Before the schema changes, a named restore point is created
 * ({@link #restorePointBefore(Flyway)}, as {@link io.jeex.db.MigrationConfig#restorePoint()} says).
 */
final class Migrations {

    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

    private final JeexDbConfig config;
    private final DirectDataSource dataSource;
    private final LockRetry lockRetry;

    /**
     * @param config the configuration
     * @param dataSource direct connections to {@link JeexDbConfig#migrationUrl()} as the migration user
     */
    public Migrations(JeexDbConfig config, DirectDataSource dataSource) {
        this.config = config;
        this.dataSource = dataSource.withSessionSetting("lock_timeout", config.migration().lockTimeout().toMillis() + "ms");
        this.lockRetry = new LockRetry(config.name(), config.migration().lockTimeout(), config.migration().lockRetries());
    }

    /**
     * Runs one schema change (a Flyway migrate, one rollback step) and tries it again when it failed
     * on the migration lock timeout, up to {@link io.jeex.db.MigrationConfig#lockRetries()} more times.
     *
     * @param <T> the result type
     * @param what the change, for the log
     * @param change one try
     * @return its result
     * @throws RuntimeException the change's failure (the last lock timeout, or any other at once)
     */
    public <T> T retryingOnLockTimeout(String what, Supplier<T> change) {
        return lockRetry.run(what, change);
    }

    /**
     * @param point the restore point made before the failed change, or null
     * @param e the failure
     * @return a {@link MigrationException} whose message ends with the restore point (its
     *     suppressed exceptions kept); a subclass, anything else, or without a point: as it is
     */
    static RuntimeException naming(RestorePoint point, RuntimeException e) {
        // only a failed change: a subclass (UnsupportedServerException...) keeps its type and words
        if (point == null || e.getClass() != MigrationException.class) {
            return e;
        }
        MigrationException m = (MigrationException) e;
        MigrationException named = new MigrationException(m.getMessage() + "; the restore point before it is "
                + point.name() + " at LSN " + point.lsn(), m.context(), m.getCause());
        named.setStackTrace(m.getStackTrace());
        for (Throwable suppressed : m.getSuppressed()) {
            named.addSuppressed(suppressed);
        }
        return named;
    }

    /**
     * Creates the restore point before migrating, when something is pending and
     * {@link io.jeex.db.MigrationConfig#restorePoint()} is not off; logs its name and LSN.
     *
     * @param flyway the schema's Flyway
     * @return the restore point, or null when none was created
     * @throws MigrationException if it is required and the server refuses it
     * @throws DatabaseUnavailableException if the server cannot be reached
     */
    public RestorePoint restorePointBefore(Flyway flyway) {
        MigrationInfo[] pending = flyway.info().pending();
        if (pending.length == 0) {
            return null;
        }
        MigrationInfo current = flyway.info().current();
        String from = current == null || current.getVersion() == null ? null : current.getVersion().getVersion();
        String to = pending[pending.length - 1].getVersion() == null ? "repeatable"
                : pending[pending.length - 1].getVersion().getVersion();
        return restorePoint("migrate", from, to);
    }

    /**
     * Creates a restore point as {@link io.jeex.db.MigrationConfig#restorePoint()} says.
     *
     * @param kind {@code migrate} or {@code rollback}
     * @param from the version before
     * @param to the version after
     * @return the restore point, or null when off or refused (and only allowed)
     * @throws MigrationException if it is required and the server refuses it
     * @throws DatabaseUnavailableException if the server cannot be reached
     */
    RestorePoint restorePoint(String kind, String from, String to) {
        RestorePointMode mode = config.migration().restorePoint();
        if (mode == RestorePointMode.OFF) {
            return null;
        }
        String name = RestorePoints.name(kind, from, to, Instant.now());
        try (Connection c = dataSource.getConnection()) {
            RestorePoint point = RestorePoints.create(c, name);
            LOG.info("{}: restore point {} at LSN {} before {} {} -> {}", config.name(), point.name(), point.lsn(),
                    kind.equals("migrate") ? "migrating" : "rolling back", from == null ? "<empty>" : from, to);
            return point;
        } catch (SQLException e) {
            String refusal = RestorePoints.refusal(e, dataSource.user());
            if (refusal == null) {
                throw unavailable(e);
            }
            if (mode == RestorePointMode.REQUIRED) {
                throw new MigrationException(config.name() + ": no restore point could be created before "
                        + (kind.equals("migrate") ? "migrating" : "rolling back") + ", so the schema was not changed: "
                        + refusal + "; or set migrationRestorePoint (JEEX_DB_MIGRATION_RESTORE_POINT) to if_permitted "
                        + "or off", context(e.getSQLState()), e);
            }
            LOG.warn("{}: {} without a restore point: {} (migrationRestorePoint is if_permitted)", config.name(),
                    kind.equals("migrate") ? "migrating" : "rolling back", refusal);
            return null;
        }
    }

    /** @return the configuration */
    JeexDbConfig config() {
        return config;
    }

    /** @return the direct connections, with the migration lock timeout */
    DirectDataSource dataSource() {
        return dataSource;
    }

    /**
     * Checks the server, then runs a Flyway operation; failures come out in the library's words.
     *
     * @param <T> the result type
     * @param what the operation in a few words, for messages ("migrating the JEEX schema")
     * @param operation what to do with the schema's Flyway
     * @return its result
     * @throws DatabaseUnavailableException if the server cannot be reached (an
     *     {@link AuthenticationFailedException} if it refuses the login)
     * @throws UnsupportedServerException if the server cannot hold the schema
     * @throws MigrationException if the operation fails
     */
    public <T> T run(String what, Function<Flyway, T> operation) {
        checkServer();
        Flyway flyway = JeexSchema.flywayConfiguration(dataSource).load();
        try {
            return operation.apply(flyway);
        } catch (FlywayException e) {
            throw translate(what, e, JeexSchema.HISTORY_TABLE);
        }
    }

    /**
     * Runs a Flyway operation on the service's own migrations ({@link JeexDbConfig#serviceMigrations()}),
     * after the same server check, with failures in the same words.
     *
     * @param <T> the result type
     * @param what the operation in a few words, for messages
     * @param operation what to do with the service's Flyway
     * @return its result, or empty when the service has no migrations of its own
     * @throws DatabaseUnavailableException if the server cannot be reached
     * @throws UnsupportedServerException if the server cannot hold the schema
     * @throws MigrationException if the operation fails
     */
    public <T> java.util.Optional<T> runService(String what, Function<Flyway, T> operation) {
        if (config.serviceMigrations().isEmpty()) {
            return java.util.Optional.empty();
        }
        ServiceMigrations service = config.serviceMigrations().get();
        checkServer();
        Flyway flyway = service.flywayConfiguration(dataSource, ServiceMigrations.serviceLoader()).load();
        try {
            return java.util.Optional.ofNullable(operation.apply(flyway));
        } catch (FlywayException e) {
            throw translate(what, e, service.historyTable());
        }
    }

    /**
     * Validates the applied migrations against the scripts; pending ones fail it.
     *
     * @throws MigrationException listing what differs, each with what to do
     */
    public void validate() {
        run("validating the JEEX schema", flyway -> {
            failIfInvalid(flyway.validateWithResult(), false, "the JEEX schema", JeexSchema.HISTORY_TABLE);
            return null;
        });
        config.serviceMigrations().ifPresent(service -> runService("validating " + "the migrations of " + service.name(),
                flyway -> {
                    failIfInvalid(flyway.validateWithResult(), false, "the migrations of " + service.name(),
                            service.historyTable());
                    return null;
                }));
    }

    /**
     * Before migrating: the applied migrations must match the scripts (pending ones are what
     * migrating is for). Flyway would find the same in its own validation, but say it with hints
     * for its command line.
     *
     * @param flyway the schema's Flyway
     * @throws MigrationException listing what differs, each with what to do
     */
    public void checkApplied(Flyway flyway) {
        failIfInvalid(flyway.validateWithResult(), true, "the JEEX schema", JeexSchema.HISTORY_TABLE);
    }

    /**
     * {@link #checkApplied(Flyway)} for the service's own migrations.
     *
     * @param flyway the service's Flyway
     * @throws MigrationException listing what differs, each with what to do
     */
    public void checkServiceApplied(Flyway flyway) {
        ServiceMigrations service = config.serviceMigrations().orElseThrow();
        failIfInvalid(flyway.validateWithResult(), true, "the migrations of " + service.name(), service.historyTable());
    }

    private void failIfInvalid(ValidateResult result, boolean pendingAllowed, String what, String historyTable) {
        if (result.validationSuccessful) {
            return;
        }
        List<String> problems = new ArrayList<>();
        for (ValidateOutput o : result.invalidMigrations) {
            boolean pending = o.errorDetails != null
                    && o.errorDetails.errorCode == CoreErrorCode.RESOLVED_VERSIONED_MIGRATION_NOT_APPLIED;
            if (!(pending && pendingAllowed)) {
                problems.add(invalid(o, historyTable));
            }
        }
        if (problems.isEmpty() && result.invalidMigrations.isEmpty() && result.errorDetails != null) {
            problems.add(firstLine(result.errorDetails.errorMessage));
        }
        if (!problems.isEmpty()) {
            throw new MigrationException(config.name() + ": " + what + (what.startsWith("the migrations") ? " do" : " does")
                    + " not validate: " + String.join("; ", problems), context(null), null);
        }
    }

    private String invalid(ValidateOutput o, String historyTable) {
        String migration = "migration " + o.version + " (" + o.description + ")";
        ErrorCode code = o.errorDetails == null ? null : o.errorDetails.errorCode;
        if (code == CoreErrorCode.RESOLVED_VERSIONED_MIGRATION_NOT_APPLIED) {
            return migration + " is not applied yet: migrate first";
        }
        if (code == CoreErrorCode.CHECKSUM_MISMATCH) {
            return migration + " was changed after it was applied (its checksum differs): restore the script as "
                    + "it was applied and add the change as a new migration";
        }
        if (code == CoreErrorCode.APPLIED_VERSIONED_MIGRATION_NOT_RESOLVED) {
            return migration + " is applied in the database, but this version of jeex-db does not have its "
                    + "script: use the jeex-db version that applied it, or a newer one";
        }
        if (code == CoreErrorCode.FAILED_VERSIONED_MIGRATION) {
            return migration + " failed when it was applied: repair the database by hand, then remove its failed "
                    + "row from " + historyTable;
        }
        if (code == CoreErrorCode.DESCRIPTION_MISMATCH || code == CoreErrorCode.TYPE_MISMATCH) {
            return migration + " differs from what was applied (" + code.toString().toLowerCase(java.util.Locale.ROOT)
                    .replace('_', ' ') + ")";
        }
        return migration + ": " + (o.errorDetails == null ? "invalid" : firstLine(o.errorDetails.errorMessage));
    }

    /** One connection: reachable, the login accepted, the server able to hold the schema. */
    private void checkServer() {
        ServerCheck check;
        try (Connection c = dataSource.getConnection()) {
            check = ServerCheck.of(c);
        } catch (SQLException e) {
            throw unavailable(e);
        }
        if (!check.supported()) {
            throw new UnsupportedServerException(config.name() + ": " + check.problem().orElseThrow()
                    + ". Point JEEX_DB_MIGRATION_URL (or JEEX_DB_URL when that is unset) at a PostgreSQL 18 server",
                    context(null));
        }
    }

    JeexDbException unavailable(Throwable e) {
        ConnectFailures.Described d = ConnectFailures.describe(e, ConnectFailures.Settings.MIGRATION,
                dataSource.timeoutSeconds());
        String message = config.name() + ": " + d.message();
        ErrorContext context = context(SqlStates.sqlState(e));
        return d.kind() == ConnectFailures.Kind.LOGIN_REFUSED ? new AuthenticationFailedException(message, context, e)
                : new DatabaseUnavailableException(message, context, e);
    }

    private JeexDbException translate(String what, FlywayException e, String historyTable) {
        FlywaySqlScriptException script = SqlStates.find(e, FlywaySqlScriptException.class);
        SQLException sql = SqlStates.find(e, SQLException.class);
        String state = sql == null ? null : sql.getSQLState();
        if (script == null && state != null && (SqlStates.isConnectionState(state) || state.startsWith("28"))) {
            return unavailable(sql);
        }
        StringBuilder m = new StringBuilder(config.name()).append(": ").append(what).append(" failed: ");
        if (script != null) {
            m.append("migration ").append(script.getResource() == null ? "?" : script.getResource().getFilename())
                    .append(" failed at line ").append(script.getLineNumber());
            String statement = firstSqlLine(script.getStatement());
            if (!statement.isEmpty()) {
                m.append(" (").append(statement).append(")");
            }
            m.append(": ").append(serverText(sql, state));
            m.append(LockRetry.LOCK_NOT_AVAILABLE.equals(state) ? lockAdvice()
                    : ". PostgreSQL rolled the migration back; fix the cause and migrate again");
        } else if (e.getErrorCode() == CoreErrorCode.NON_EMPTY_SCHEMA_WITHOUT_SCHEMA_HISTORY_TABLE) {
            m.append("the database already holds tables but no migration history (").append(historyTable)
                    .append("): point JEEX_DB_MIGRATION_URL (or JEEX_DB_URL) at an empty database or at one "
                            + "that jeex-db migrated");
        } else if (sql != null) {
            m.append(serverText(sql, state));
        } else {
            m.append(firstLine(e.getMessage()));
        }
        return new MigrationException(m.toString(), context(state), e);
    }

    /** What to do after the last lock timeout: the holder, and the settings. */
    String lockAdvice() {
        return ". PostgreSQL rolled it back, " + lockRetry.attempts() + (lockRetry.attempts() == 1 ? " time" : " times")
                + ", each after waiting the migration lock "
                + "timeout (" + io.jeex.db.Durations.ms(config.migration().lockTimeout()) + "): a long transaction "
                + "holds a lock the migration needs; find it (pg_locks, pg_stat_activity), let it end or end it, and "
                + "migrate again, or raise JEEX_DB_MIGRATION_LOCK_TIMEOUT or JEEX_DB_MIGRATION_LOCK_RETRIES";
    }

    /** SQLSTATE and the server's message (without DETAIL unless configured). */
    String serverText(SQLException sql, String state) {
        if (sql == null) {
            return "the statement failed";
        }
        ServerErrorMessage server = SqlStates.serverError(sql);
        String text = server != null && server.getMessage() != null ? server.getMessage() : firstLine(sql.getMessage());
        if (config.pool().includeErrorDetail() && server != null && server.getDetail() != null) {
            text += " DETAIL: " + server.getDetail();
        }
        return (state == null ? "" : "SQLSTATE " + state + ", ") + text;
    }

    static ErrorContext context(String state) {
        return new ErrorContext(state, null, null, null, 1);
    }

    /** The first line of a statement that is not blank or a {@code --} comment, trimmed; empty for null. */
    static String firstSqlLine(String sql) {
        if (sql == null) {
            return "";
        }
        for (String line : sql.split("\\R")) {
            if (!line.isBlank() && !line.strip().startsWith("--")) {
                return line.strip();
            }
        }
        return "";
    }

    /** The first non-blank line, trimmed; empty for null. */
    static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        for (String line : text.split("\\R")) {
            if (!line.isBlank()) {
                return line.strip();
            }
        }
        return "";
    }
}

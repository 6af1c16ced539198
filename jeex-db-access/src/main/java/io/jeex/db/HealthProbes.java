package io.jeex.db;

import io.jeex.db.health.HealthReport.MigrationState;
import io.jeex.db.health.HealthReport.ReplicaState;
import io.jeex.db.schema.ServerCheck;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The three probes of a health check, each on a connection of its own (never a pooled one), each
 * completing immutable results: the primary's round trip ({@link RoundTrip}) and then, on the same
 * connection where it can, the migration state ({@link MigrationRead}); the pooler's round trip
 * behind PgBouncer ({@link Answer}); each replica's recovery state and lag ({@link ReplicaRead}).
 * The driver's own timeouts are a backstop one second past the health timeout.
 */
final class HealthProbes {

    /** The primary answered (or not): latency and version, or why it is unusable or unreachable. */
    record RoundTrip(boolean live, Duration latency, String version, String unsupported, String failure) {
    }

    /** The migration state, or why it could not be read. */
    record MigrationRead(MigrationState state, String failure) {
    }

    /** A round trip that answered ({@code failure} null) or failed. */
    record Answer(String failure) {
    }

    /** A replica's state, and why it did not answer (or null). */
    record ReplicaRead(ReplicaState state, String failure) {
    }

    private final DatabaseRuntime runtime;
    private final JeexDbConfig config;
    private final MigrationHistory history;
    private final MigrationHistory serviceHistory;

    /**
     * @param runtime the database's parts
     */
    HealthProbes(DatabaseRuntime runtime) {
        this.runtime = runtime;
        this.config = runtime.config();
        DirectDataSource resolving = runtime.migrationDataSource().with(config.pool().applicationName() + "-health",
                Duration.ofSeconds(seconds()), Duration.ofSeconds(seconds()));
        this.history = MigrationHistory.jeex(resolving);
        this.serviceHistory = config.serviceMigrations().map(s -> MigrationHistory.service(s,
                io.jeex.db.schema.ServiceMigrations.serviceLoader(), resolving)).orElse(null);
    }

    /** Whether the round trip goes to the server directly and the pooler gets a round trip of its own. */
    boolean viaPooler() {
        return config.pool().pgBouncer() && !config.migrationUrl().equals(config.url());
    }

    /**
     * The round trip (on the pooled URL, or directly on the migration URL behind PgBouncer), then
     * the migration state on the same connection when it reaches the migration URL's database as
     * the migration user, else on a direct connection of its own.
     *
     * @param roundTrip completed first
     * @param migrations completed after it (also when the round trip failed)
     */
    void primary(CompletableFuture<RoundTrip> roundTrip, CompletableFuture<MigrationRead> migrations) {
        boolean direct = viaPooler();
        boolean connected = false;
        boolean live = false;
        try (Connection c = direct ? connectForMigrations() : connect(MultiHostUrls.writer(config.url()))) {
            connected = true;
            long start = System.nanoTime();
            ServerCheck server = ServerCheck.of(c);
            Duration latency = Duration.ofNanos(System.nanoTime() - start);
            live = true;
            String unsupported = server.supported() ? null : server.problem().orElseThrow() + "; point "
                    + (direct ? "JEEX_DB_MIGRATION_URL" : "JEEX_DB_URL") + " at a PostgreSQL 18 server";
            roundTrip.complete(new RoundTrip(true, latency, server.version(), unsupported, null));
            if (unsupported != null) {
                migrations.complete(new MigrationRead(null, null));
            } else if (direct || config.migrationUrl().equals(config.url())) {
                migrations.complete(new MigrationRead(migrationState(c), null));
            } else {
                try (Connection m = connectForMigrations()) {
                    migrations.complete(new MigrationRead(migrationState(m), null));
                }
            }
        } catch (SQLException | RuntimeException e) {
            if (live) {
                migrations.complete(new MigrationRead(null, "the migration state could not be read: " + describe(e)));
            } else {
                String failure = connected ? "the database did not answer: " + describe(e)
                        : ConnectFailures.describe(e, direct ? ConnectFailures.Settings.MIGRATION
                                : ConnectFailures.Settings.PRIMARY, seconds()).message();
                roundTrip.complete(new RoundTrip(false, null, null, null, failure));
                migrations.complete(new MigrationRead(null, null));
            }
        }
    }

    /** jeex-db's migration state, with the service's added when it has migrations of its own. */
    private MigrationState migrationState(Connection c) throws SQLException {
        MigrationState jeex = history.read(c, seconds());
        return serviceHistory == null ? jeex : jeex.plus(serviceHistory.read(c, seconds()));
    }

    /** @return the pooler's round trip */
    Answer pooler() {
        try (Connection c = connect(config.url()); Statement s = c.createStatement()) {
            s.setQueryTimeout(seconds());
            try (ResultSet rs = s.executeQuery("select 1")) {
                rs.next();
            }
            return new Answer(null);
        } catch (SQLException | RuntimeException e) {
            return new Answer("the pooler did not answer: " + describe(e));
        }
    }

    /**
     * @param node a replica
     * @param serving whether reads go to it now
     * @return its state: whether it answers on a connection of this check's own and is a standby;
     *     its lag as its probe last measured it
     */
    ReplicaRead replica(ReplicaNode node, boolean serving) {
        String url = MultiHostUrls.reader(config.replica().urls().get(node.index()));
        try (Connection c = connect(url); Statement s = c.createStatement()) {
            s.setQueryTimeout(seconds());
            try (ResultSet rs = s.executeQuery("select pg_is_in_recovery()")) {
                rs.next();
                boolean inRecovery = rs.getBoolean(1);
                ReplicaNode.Reading reading = node.reading();
                Duration lag = inRecovery && reading.state() == ReplicaNode.State.STANDBY ? reading.lag() : null;
                return new ReplicaRead(new ReplicaState(node.index(), node.maskedUrl(), true, inRecovery, lag,
                        serving), null);
            }
        } catch (SQLException | RuntimeException e) {
            return new ReplicaRead(new ReplicaState(node.index(), node.maskedUrl(), false, false, null, serving),
                    "read replica " + node.index() + " (" + node.maskedUrl() + ") did not answer: " + describe(e));
        }
    }

    private Connection connect(String url) throws SQLException {
        return new DirectDataSource(url, config.credentials().user().orElse(null), config.credentials().password().orElse(null),
                config.pool().applicationName() + "-health", Duration.ofSeconds(seconds()), Duration.ofSeconds(seconds()),
                false).getConnection();
    }

    /** A connection to the migration URL with the migration credentials. */
    private Connection connectForMigrations() throws SQLException {
        return runtime.migrationDataSource().with(config.pool().applicationName() + "-health", Duration.ofSeconds(seconds()),
                Duration.ofSeconds(seconds())).getConnection();
    }

    /**
     * The driver's own timeouts (whole seconds) are a backstop one second past the health
     * timeout: the deadline of the check must be what reports a silent server, never a race
     * between it and pgjdbc's login timer firing at the same instant.
     */
    private int seconds() {
        return (int) Math.max(1, (config.health().timeout().toMillis() + 999) / 1000) + 1;
    }

    /** A failure in a few words: its SQLSTATE and message; pgjdbc's messages carry no password. */
    static String describe(Throwable e) {
        String state = SqlStates.sqlState(e);
        Throwable server = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException) {
                server = t; // the server's words, not Flyway's wrapping of them
                break;
            }
        }
        String message = server.getMessage() == null ? server.getClass().getSimpleName() : server.getMessage();
        int newline = message.indexOf('\n');
        if (newline >= 0) {
            message = message.substring(0, newline);
        }
        return (state == null ? "" : "SQLSTATE " + state + ", ") + message;
    }
}

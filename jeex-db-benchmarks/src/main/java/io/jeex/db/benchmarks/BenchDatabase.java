package io.jeex.db.benchmarks;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.TestkitSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * One embedded PostgreSQL 18 and one migrated database per benchmark trial, with a
 * JeexDatabase (retry, breaker and Micrometer metrics on; the periodic health monitor off) whose
 * pool the other libraries share. The embedded server runs with durability off (fsync,
 * synchronous_commit), so the figures show the client side's cost, where a library's overhead
 * lives, at its largest. {@link #throughPgBouncer} puts the shipped PgBouncer configuration
 * between the pool and the server.
 */
final class BenchDatabase implements AutoCloseable {

    final JeexPostgres postgres;
    final TestDatabase database;
    final JeexDatabase db;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final BenchPgBouncer bouncer;

    BenchDatabase(int poolSize) {
        this(poolSize, UnaryOperator.identity());
    }

    /** @param config changes to the configuration (applied after the pool size) */
    BenchDatabase(int poolSize, UnaryOperator<JeexDbConfig.Builder> config) {
        postgres = JeexPostgres.start(TestkitSettings.of(Map.of(TestkitSettings.PROVIDER, "embedded",
                TestkitSettings.PREFETCH, "0"), Map.of()));
        database = postgres.newDatabase();
        bouncer = null;
        db = JeexDatabase.create(config.apply(builder(database.jdbcUrl()).user(database.user())
                .password(database.password()).poolSize(poolSize)).build(), registry);
    }

    private BenchDatabase(int poolSize, int serverConnections, boolean preparedStatements) {
        if (preparedStatements && !BenchPgBouncer.keepsPreparedStatements(BenchPgBouncer.newest())) {
            throw new IllegalStateException("pgBouncerPreparedStatements needs PgBouncer 1.21 or newer, but the newest "
                    + "found is older: build 1.24.1 into /usr/local/bin as .ci/run does");
        }
        postgres = JeexPostgres.start(TestkitSettings.of(Map.of(TestkitSettings.PROVIDER, "embedded",
                TestkitSettings.PREFETCH, "0"), Map.of()));
        database = postgres.newDatabase();
        String user = "bench_user";
        String password = UUID.randomUUID().toString();
        String secret = createRole(user, password);
        bouncer = BenchPgBouncer.start(URI.create(database.jdbcUrl().substring("jdbc:".length())).getPort(),
                database.name(), user, secret, password, serverConnections);
        db = JeexDatabase.create(builder(bouncer.url()).user(user).password(password)
                .pool(p -> p.withPgBouncer(true).withPgBouncerPreparedStatements(preparedStatements))
                .migration(m -> m.withUrl(database.jdbcUrl()))
                .credentials(c -> c.withMigrationUser(database.user()).withMigrationPassword(database.password()))
                .poolSize(poolSize).build(), registry);
    }

    /**
     * The workload's database behind PgBouncer in transaction mode.
     *
     * @param poolSize client connections of the library's pool (to PgBouncer)
     * @param serverConnections PgBouncer's server connections ({@code default_pool_size})
     */
    static BenchDatabase throughPgBouncer(int poolSize, int serverConnections) {
        return new BenchDatabase(poolSize, serverConnections, false);
    }

    /**
     * Behind PgBouncer in transaction mode with the library's {@code pgBouncerPreparedStatements}
     * on: PgBouncer 1.21+ keeps pgjdbc's named statements on its server connections.
     *
     * @param poolSize client connections of the library's pool (to PgBouncer)
     * @param serverConnections PgBouncer's server connections ({@code default_pool_size})
     * @throws IllegalStateException if the newest PgBouncer found is older than 1.21
     */
    static BenchDatabase throughPgBouncerWithPreparedStatements(int poolSize, int serverConnections) {
        return new BenchDatabase(poolSize, serverConnections, true);
    }

    /**
     * Straight to the server, but configured as behind PgBouncer ({@code pgBouncer(true)}: no
     * server-side prepared statements, statement timeouts per transaction or per statement).
     */
    static BenchDatabase directInPgBouncerMode(int poolSize) {
        return directInPgBouncerMode(poolSize, false);
    }

    /**
     * Straight to the server, configured as behind PgBouncer, with or without the library's
     * {@code pgBouncerPreparedStatements}.
     *
     * @param poolSize connections of the library's pool
     * @param preparedStatements whether {@code pgBouncerPreparedStatements} is on as well: what is
     *     left of the switch's cost is the statement timeout set per transaction or per statement
     */
    static BenchDatabase directInPgBouncerMode(int poolSize, boolean preparedStatements) {
        return new BenchDatabase(poolSize, b -> {
            String direct = b.build().url();
            return b.pool(p -> p.withPgBouncer(true).withPgBouncerPreparedStatements(preparedStatements))
                    .migration(m -> m.withUrl(direct));
        });
    }

    private static JeexDbConfig.Builder builder(String url) {
        // The periodic health check is a background cost, not a per-call one: off, so that its
        // runs (every 30 s by default) do not land in random measurement iterations.
        return JeexDbConfig.builder(url).pool(p -> p.withMaxOverflow(0))
                .health(h -> h.withMonitorInterval(Duration.ZERO));
    }

    /** Creates a SCRAM login role for PgBouncer's auth file and returns its stored secret. */
    private String createRole(String user, String password) {
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("create role " + user + " login superuser password '" + password + "'");
            try (PreparedStatement ps = c.prepareStatement("select rolpassword from pg_authid where rolname = ?")) {
                ps.setString(1, user);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        db.close();
        if (bouncer != null) {
            bouncer.close();
        }
        database.close();
        postgres.shutdown();
    }
}

package io.jeex.db.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.error.AuthenticationFailedException;
import io.jeex.db.error.DatabaseTimeoutException;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.jeex.db.tx.IsolationLevel;
import io.jeex.db.tx.TxOptions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The library through a real PgBouncer in transaction mode, started from
 * {@code docker/pgbouncer/pgbouncer.ini}, in front of a PostgreSQL set up by the init scripts
 * (roles, SCRAM, PgBouncer's auth file from {@code 20-passwords.sh}'s query).
 */
class PgBouncerTransactionPoolingTest {

    private static final Logger LOG = LoggerFactory.getLogger(PgBouncerTransactionPoolingTest.class);

    /** Server connections PgBouncer may open for the workload; the clients are four times as many. */
    private static final int SERVER_CONNECTIONS = 2;
    private static final int CLIENT_THREADS = 4 * SERVER_CONNECTIONS;
    private static final int ITERATIONS_PER_THREAD = 25;
    /** Rounds of nine operations per thread in the row-level security test: 8 x 45 x 9 = 3,240 operations. */
    private static final int RLS_ROUNDS = 45;

    private static final String OWNER_PASSWORD = "owner-" + UUID.randomUUID();
    private static final String USER_PASSWORD = "user-" + UUID.randomUUID();

    private static ItServer server;
    private static String userlist;

    @BeforeAll
    static void startPostgresAndMigrate() {
        PgBouncer.binary(); // fails (or skips) first, with the install command, when PgBouncer is missing
        server = ItServer.startLikeCompose(OWNER_PASSWORD, USER_PASSWORD);
        userlist = server.pgBouncerUserlist();
    }

    @AfterAll
    static void stopPostgres() {
        if (server != null) {
            server.close();
        }
    }

    private static PgBouncer startPgBouncer(int serverConnections) {
        return PgBouncer.start(server, userlist, Map.of(
                "default_pool_size", Integer.toString(serverConnections),
                "min_pool_size", "0",
                "reserve_pool_size", "0"), "jeex_user", USER_PASSWORD);
    }

    /** The configuration of a service behind PgBouncer: the application role through it, migrations direct. */
    private static JeexDbConfig.Builder config(PgBouncer bouncer) {
        return JeexDbConfig.builder(bouncer.url())
                .name("it-pgbouncer")
                .user("jeex_user")
                .password(USER_PASSWORD)
                .pool(p -> p.withPgBouncer(true))
                .migration(m -> m.withUrl(server.url(ItServer.DATABASE)))
                .credentials(c -> c.withMigrationUser("jeex_owner")
                .withMigrationPassword(OWNER_PASSWORD))
                .pool(p -> p.withAcquireTimeout(Duration.ofSeconds(30))
                .withConnectTimeout(Duration.ofSeconds(5)));
    }

    private static void migrate(PgBouncer bouncer) {
        try (JeexDatabase db = JeexDatabase.create(config(bouncer).poolSize(0)
                .pool(p -> p.withMaxOverflow(1)).build())) {
            db.migrate();
        }
    }

    @Test
    void wholeRepositoryWorkloadWithFourTimesMoreClientsThanServerConnectionsNeedsNoServerSidePreparedStatements()
            throws Exception {
        try (PgBouncer bouncer = startPgBouncer(SERVER_CONNECTIONS)) {
            migrate(bouncer);
            int logBefore = server.serverLogUpToNow().length();
            JeexDbConfig config = config(bouncer).poolSize(CLIENT_THREADS)
                    .pool(p -> p.withMaxOverflow(CLIENT_THREADS)).build();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            int calls = 0;
            long started = System.nanoTime();
            try (JeexDatabase db = JeexDatabase.create(config)) {
                for (int n : ClientThreads.run(CLIENT_THREADS, thread -> {
                    int n = 0;
                    for (int i = 0; i < ITERATIONS_PER_THREAD; i++) {
                        try {
                            n += Workload.run(db, thread + "-" + i);
                        } catch (RuntimeException | AssertionError e) {
                            failures.add(e);
                        }
                    }
                    return n;
                })) {
                    calls += n;
                }
                int libraryConnections = ((HikariDataSource) db.dataSource()).getHikariPoolMXBean().getTotalConnections();
                assertThat(libraryConnections).as("client connections of the library's pool").isGreaterThan(SERVER_CONNECTIONS);
            }
            LOG.info("workload through PgBouncer: {} threads, {} server connections, {} repository calls in {} ms",
                    CLIENT_THREADS, SERVER_CONNECTIONS, calls, (System.nanoTime() - started) / 1_000_000);

            assertThat(failures).as("failures of the workload (first: %s)", failures.peek()).isEmpty();
            assertThat(Integer.parseInt(server.queryString(ItServer.DATABASE,
                    "SELECT count(*) FROM pg_stat_activity WHERE usename = 'jeex_user'")))
                    .as("server connections of jeex_user (all through PgBouncer)").isLessThanOrEqualTo(SERVER_CONNECTIONS);
            // PgBouncer does not log a server's errors, PostgreSQL does: no "prepared statement ... already
            // exists / does not exist" anywhere, not even one the library retried away (the control in
            // namedServerSidePreparedStatements... shows the server log would have it)
            assertThat(server.serverLogUpToNow().substring(logBefore)).as("the server log during the workload")
                    .doesNotContain("prepared statement");
        }
    }

    /**
     * Requirement: through PgBouncer in transaction mode, with four times more clients than server
     * connections, every client thread acting as its own user, no row of another user is ever
     * returned or changed. Each thread mixes single statements (the acting user travels with the
     * statement), transactions (SET LOCAL), its own SQL, and attempts on the other users' rows; the
     * server connections are shared by all eight users all the time.
     */
    @Test
    void eachClientActingAsItsOwnUserNeverSeesOrChangesAnotherUsersRows() throws Exception {
        try (PgBouncer bouncer = startPgBouncer(SERVER_CONNECTIONS)) {
            migrate(bouncer);
            JeexDbConfig config = config(bouncer).poolSize(CLIENT_THREADS).pool(p -> p.withMaxOverflow(0)).build();
            try (JeexDatabase db = JeexDatabase.create(config)) {
                List<UUID> users = new ArrayList<>();
                Map<UUID, List<UUID>> projects = new java.util.HashMap<>();
                for (int t = 0; t < CLIENT_THREADS; t++) {
                    Repositories as = db.actingAsNewUser();
                    User u = as.users().create("rls-" + t + "@example.com", "User " + t);
                    users.add(u.id());
                    List<UUID> own = new ArrayList<>();
                    for (int p = 0; p < 2; p++) {
                        Project project = as.projects().create(u.id(), "u" + t + " p" + p, "en");
                        as.documents().append(project.id(), "about", "u" + t, Json.EMPTY, u.id());
                        own.add(project.id());
                    }
                    projects.put(u.id(), own);
                }
                java.util.concurrent.atomic.AtomicInteger operations = new java.util.concurrent.atomic.AtomicInteger();
                java.util.concurrent.atomic.AtomicInteger foreignRows = new java.util.concurrent.atomic.AtomicInteger();
                java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
                ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
                ClientThreads.run(CLIENT_THREADS, thread -> {
                        UUID me = users.get(thread);
                        UUID other = users.get((thread + 1) % CLIENT_THREADS);
                        UUID othersProject = projects.get(other).get(0);
                        Repositories as = db.actingAs(me);
                        for (int i = 0; i < RLS_ROUNDS; i++) {
                            try {
                                UUID mine = projects.get(me).get(i % 2);
                                // own rows, single statements and transactions
                                if (!as.projects().byId(mine).map(Project::ownerId).orElseThrow().equals(me)) {
                                    foreignRows.incrementAndGet();
                                }
                                as.projects().rename(mine, "u" + thread + " p" + (i % 2) + " r" + i);
                                for (Project p : as.projects().listByOwner(me, Optional.empty(), 10, Optional.empty())
                                        .items()) {
                                    if (!p.ownerId().equals(me)) {
                                        foreignRows.incrementAndGet();
                                    }
                                }
                                // another user's rows, by id and by owner
                                if (as.projects().byId(othersProject).isPresent()
                                        || as.users().byId(other).isPresent()
                                        || as.documents().latest(othersProject, "about").isPresent()
                                        || !as.projects().listByOwner(other, Optional.empty(), 10, Optional.empty())
                                                .items().isEmpty()) {
                                    foreignRows.incrementAndGet();
                                }
                                try {
                                    as.projects().rename(othersProject, "taken by u" + thread);
                                    foreignRows.incrementAndGet();
                                } catch (io.jeex.db.error.NotFoundException e) {
                                    refused.incrementAndGet();
                                }
                                // its own SQL in a transaction acting as it: only its own rows, whatever the WHERE
                                List<UUID> owners = db.transaction(TxOptions.named("own_sql").withActingUser(me),
                                        tx -> tx.dsl().select(io.jeex.db.codegen.Tables.PROJECTS.CREATED_BY)
                                                .from(io.jeex.db.codegen.Tables.PROJECTS)
                                                .fetch(io.jeex.db.codegen.Tables.PROJECTS.CREATED_BY));
                                if (owners.size() != 2 || owners.stream().anyMatch(o -> !o.equals(me))) {
                                    foreignRows.incrementAndGet();
                                }
                                operations.addAndGet(9);
                            } catch (RuntimeException | AssertionError e) {
                                failures.add(e);
                            }
                        }
                        return null;
                });
                LOG.info("row-level security through PgBouncer: {} threads (one user each), {} server connections, "
                        + "{} operations, {} rows of another user returned or changed, {} writes to another user's "
                        + "rows found nothing", CLIENT_THREADS, SERVER_CONNECTIONS, operations.get(), foreignRows.get(),
                        refused.get());
                assertThat(failures).as("failures (first: %s)", failures.peek()).isEmpty();
                assertThat(operations.get()).isGreaterThanOrEqualTo(3000);
                assertThat(foreignRows).as("rows of another user returned or changed").hasValue(0);
                assertThat(refused).hasValue(CLIENT_THREADS * RLS_ROUNDS);
            }
            // every project still belongs to its owner and bears only its owner's names
            assertThat(server.queryString(ItServer.DATABASE, "SELECT count(*) FROM projects p JOIN users u "
                    + "ON u.id = p.created_by WHERE p.name NOT LIKE 'u' || substring(u.email FROM 'rls-([0-9]+)@') || ' %'"))
                    .isEqualTo("0");
            assertThat(server.queryString(ItServer.DATABASE, "SELECT count(*) FROM projects WHERE name LIKE 'taken%'"))
                    .isEqualTo("0");
            assertThat(Integer.parseInt(server.queryString(ItServer.DATABASE,
                    "SELECT count(*) FROM pg_stat_activity WHERE usename = 'jeex_user'")))
                    .as("server connections of jeex_user (all through PgBouncer)").isLessThanOrEqualTo(SERVER_CONNECTIONS);
        }
    }

    /**
     * PgBouncer does not pass the start-up statement_timeout on, and a single statement has no
     * transaction to SET LOCAL it in: the driver's query timeout (a cancel request, which
     * PgBouncer forwards) must stop it.
     */
    @Test
    void theStatementTimeoutStopsSingleStatementWorkThroughPgBouncer() {
        try (PgBouncer bouncer = startPgBouncer(1);
             JeexDatabase db = JeexDatabase.create(config(bouncer).poolSize(0).pool(p -> p.withMaxOverflow(1)
                     .withStatementTimeout(Duration.ofSeconds(1))).build())) {
            assertThatThrownBy(() -> db.transaction(TxOptions.named("sleep").withSingleStatement(true),
                    tx -> tx.dsl().fetchValue("select pg_sleep(3)")))
                    .isInstanceOfSatisfying(DatabaseTimeoutException.class,
                            e -> assertThat(e.sqlState()).isEqualTo("57014"));
            assertThatThrownBy(() -> db.transaction(TxOptions.named("sleep_tx"),
                    tx -> tx.dsl().fetchValue("select pg_sleep(3)")))
                    .isInstanceOf(DatabaseTimeoutException.class);
        }
    }

    @Test
    void serializableIsolationAndTransactionContextDoNotLeakToTheNextClientOnTheSameServerConnection()
            throws Exception {
        try (PgBouncer bouncer = startPgBouncer(1)) {
            migrate(bouncer);
            JeexDbConfig config = config(bouncer).poolSize(1).pool(p -> p.withMaxOverflow(0)).build();
            UUID actingUser = UUID.randomUUID();
            try (JeexDatabase db = JeexDatabase.create(config); Connection next = rawClient(bouncer)) {
                List<String> inside = List.of(db.transaction(TxOptions.named("serializable_with_context")
                        .withIsolation(IsolationLevel.SERIALIZABLE).withActingUser(actingUser)
                        .withTimeout(Duration.ofSeconds(7)), tx -> tx.dsl().fetchOne(
                        "SELECT pg_backend_pid()::text, current_setting('transaction_isolation'), "
                                + "current_setting('jeex.acting_user_id', true), current_setting('statement_timeout')")
                        .into(String[].class)));
                assertThat(inside.subList(1, 4)).containsExactly("serializable", actingUser.toString(), "7s");

                // another client, its transaction on the same (only) server connection
                List<String> after = row(next, "SELECT pg_backend_pid()::text, current_setting('transaction_isolation'), "
                        + "coalesce(current_setting('jeex.acting_user_id', true), ''), current_setting('statement_timeout')");
                assertThat(after.get(0)).as("the same server backend").isEqualTo(inside.get(0));
                assertThat(after.subList(1, 4)).as("isolation, acting user, statement timeout of the next client")
                        .containsExactly("read committed", "", server.queryString(ItServer.DATABASE,
                                "SHOW statement_timeout"));

                // control: a session-level setting (what the library never sends) does leak, so the
                // check above would have seen it
                try (Connection leaking = rawClient(bouncer); Statement s = leaking.createStatement()) {
                    s.execute("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE");
                }
                assertThat(row(next, "SELECT pg_backend_pid()::text, current_setting('transaction_isolation')"))
                        .containsExactly(inside.get(0), "serializable");
                try (Statement s = next.createStatement()) {
                    s.execute("RESET ALL");
                }
            }
        }
    }

    @Test
    void namedServerSidePreparedStatementsBreakBehindThisPgBouncerWhichIsWhyThePgBouncerSwitchTurnsThemOff()
            throws Exception {
        Map<String, String> settings = new java.util.HashMap<>(Map.of("default_pool_size", "1", "min_pool_size", "0",
                "reserve_pool_size", "0"));
        if (PgBouncer.keepsPreparedStatements(PgBouncer.version(PgBouncer.binary()))) {
            settings.put("max_prepared_statements", "0"); // 1.21+: as a PgBouncer without the feature
        }
        try (PgBouncer bouncer = PgBouncer.start(server, userlist, settings, "jeex_user", USER_PASSWORD)) {
            int logBefore = server.serverLogUpToNow().length();
            // control: pgjdbc's default, named server-side statements (from the first use here)
            try (Connection a = rawClient(bouncer, "1"); Connection b = rawClient(bouncer, "1")) {
                assertThat(selectNumber(a)).isEqualTo(1);
                assertThatThrownBy(() -> selectNumber(b)).isInstanceOf(SQLException.class)
                        .hasMessageContaining("prepared statement");
            }
            assertThat(server.serverLogUpToNow().substring(logBefore)).as("the server log has the error")
                    .containsPattern("ERROR: +prepared statement \"S_\\d+\" (already exists|does not exist)");
            // what pgBouncer(true) sets: unnamed statements only
            try (Connection a = rawClient(bouncer, "0"); Connection b = rawClient(bouncer, "0")) {
                for (int i = 0; i < 10; i++) {
                    assertThat(selectNumber(a)).isEqualTo(1);
                    assertThat(selectNumber(b)).isEqualTo(1);
                }
            }
        }
    }

    private static int selectNumber(Connection c) throws SQLException {
        try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT ?::int")) {
            ps.setInt(1, 1);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @Test
    void migrationsGoStraightToPostgresNotThroughPgBouncer() {
        try (PgBouncer bouncer = startPgBouncer(SERVER_CONNECTIONS)) {
            try (JeexDatabase db = JeexDatabase.create(config(bouncer).poolSize(0)
                    .pool(p -> p.withMaxOverflow(1)).build())) {
                db.migrate();
                assertThat(db.migrate().migrationsApplied()).isZero();
            }
            // The migration role is unknown to PgBouncer (its auth file holds only jeex_user): the
            // migrations above can only have reached PostgreSQL over the direct URL.
            assertThat(userlist).contains("\"jeex_user\"").doesNotContain("jeex_owner");
            assertThat(server.queryString(ItServer.DATABASE,
                    "SELECT string_agg(DISTINCT installed_by, ',') FROM jeex_schema_history")).isEqualTo("jeex_owner");
            JeexDbConfig throughPgBouncer = config(bouncer).migration(m -> m.withUrl(bouncer.url())).poolSize(0)
                    .pool(p -> p.withMaxOverflow(1)).build();
            try (JeexDatabase db = JeexDatabase.create(throughPgBouncer)) {
                // PgBouncer refuses the login at once (it does not know the role), named as such
                assertThatThrownBy(db::migrate).isInstanceOf(AuthenticationFailedException.class)
                        .hasMessageContaining("the database refused the login (SQLSTATE 08P01")
                        .hasMessageContaining("JEEX_DB_MIGRATION_USER")
                        .hasMessageNotContaining(OWNER_PASSWORD).hasMessageNotContaining(USER_PASSWORD);
            }
        }
    }

    @Test
    void healthOfABusyPoolerAnswersWithinItsTimeoutLiveFromTheServerAndDegradedNamingThePooler() throws Exception {
        try (PgBouncer bouncer = startPgBouncer(1)) {
            migrate(bouncer);
            try (JeexDatabase db = JeexDatabase.create(config(bouncer).poolSize(0).pool(p -> p.withMaxOverflow(1))
                    .health(h -> h.withTimeout(Duration.ofSeconds(1)).withMonitorInterval(Duration.ZERO)).build());
                 Connection holder = rawClient(bouncer)) {
                assertThat(db.health().status()).as("an idle pooler").isEqualTo(io.jeex.db.health.HealthStatus.UP);

                // the pooler's only server connection, held by an open transaction: every other client queues
                holder.setAutoCommit(false);
                row(holder, "select 1");
                long start = System.nanoTime();
                io.jeex.db.health.HealthReport report = db.health();
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                holder.rollback();

                assertThat(report.live()).as("%s", report).isTrue();
                assertThat(report.status()).isEqualTo(io.jeex.db.health.HealthStatus.DEGRADED);
                assertThat(report.reasons()).containsExactly(
                        "the pooler did not answer within the health timeout (1000 ms)");
                assertThat(report.migrations().current()).isTrue();
                assertThat(report.serverVersion()).startsWith("18");
                assertThat(took).as("within the health timeout, 1 s margin for scheduling")
                        .isLessThan(Duration.ofSeconds(2));
                assertThat(report.toJson()).doesNotContain(OWNER_PASSWORD).doesNotContain(USER_PASSWORD);
                LOG.info("health with a busy pooler answered in {} ms: {}", took.toMillis(), report.reasons());
            }
        }
    }

    private static Connection rawClient(PgBouncer bouncer) throws SQLException {
        return rawClient(bouncer, "0");
    }

    private static Connection rawClient(PgBouncer bouncer, String prepareThreshold) throws SQLException {
        return bouncer.connect("jeex_user", USER_PASSWORD, prepareThreshold);
    }

    private static List<String> row(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            List<String> values = new ArrayList<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                values.add(rs.getString(i));
            }
            return values;
        }
    }
}

package io.jeex.db.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code PoolConfig.pgBouncerPreparedStatements}: the library keeps pgjdbc's server-side prepared
 * statements behind a PgBouncer of 1.21 or newer (the shipped compose file runs 1.24.1) in
 * transaction mode, started from the shipped {@code docker/pgbouncer/pgbouncer.ini} and its
 * {@code max_prepared_statements}, with four times more clients than server connections.
 */
class PgBouncerPreparedStatementsTest {

    private static final int SERVER_CONNECTIONS = 2;
    private static final int CLIENT_THREADS = 4 * SERVER_CONNECTIONS;
    private static final int ITERATIONS_PER_THREAD = 20;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PgBouncerPreparedStatementsTest.class);

    private static final String OWNER_PASSWORD = "owner-" + UUID.randomUUID();
    private static final String USER_PASSWORD = "user-" + UUID.randomUUID();
    /** The server connections' statements that PgBouncer prepared for its clients (it names them PGBOUNCER_n). */
    private static final String SERVER_STATEMENTS = "SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'PGBOUNCER%'";

    private static Path binary;
    private static ItServer server;
    private static String userlist;

    @BeforeAll
    static void startPostgresAndMigrate() {
        binary = PgBouncer.withPreparedStatements(); // fails (or skips) first, saying how to get one
        server = ItServer.startLikeCompose(OWNER_PASSWORD, USER_PASSWORD);
        userlist = server.pgBouncerUserlist();
        try (PgBouncer bouncer = startPgBouncer(1);
             JeexDatabase db = JeexDatabase.create(config(bouncer, false).poolSize(0)
                     .pool(p -> p.withMaxOverflow(1)).build())) {
            db.migrate();
        }
    }

    @AfterAll
    static void stopPostgres() {
        if (server != null) {
            server.close();
        }
    }

    private static PgBouncer startPgBouncer(int serverConnections) {
        return PgBouncer.start(binary, server, userlist, Map.of(
                "default_pool_size", Integer.toString(serverConnections),
                "min_pool_size", "0",
                "reserve_pool_size", "0"), "jeex_user", USER_PASSWORD);
    }

    private static JeexDbConfig.Builder config(PgBouncer bouncer, boolean preparedStatements) {
        return JeexDbConfig.builder(bouncer.url())
                .name("it-pgbouncer-prepared")
                .user("jeex_user")
                .password(USER_PASSWORD)
                .pool(p -> p.withPgBouncerPreparedStatements(preparedStatements).withPgBouncer(true)
                        .withAcquireTimeout(Duration.ofSeconds(30)).withConnectTimeout(Duration.ofSeconds(5)))
                .migration(m -> m.withUrl(server.url(ItServer.DATABASE)))
                .credentials(c -> c.withMigrationUser("jeex_owner").withMigrationPassword(OWNER_PASSWORD));
    }

    @Test
    void theWholeWorkloadRunsOnStatementsPreparedOnTheServerConnectionsAndFailsNothing() throws Exception {
        try (PgBouncer bouncer = startPgBouncer(SERVER_CONNECTIONS)) {
            int logBefore = server.serverLogUpToNow().length();
            int calls = runWorkload(bouncer, true);

            assertThat(calls).isGreaterThan(CLIENT_THREADS * ITERATIONS_PER_THREAD * 20);
            assertThat(server.serverLogUpToNow().substring(logBefore)).as("the server log during the workload")
                    .doesNotContain("prepared statement");
            try (Connection c = rawClient(bouncer, "0")) {
                assertThat(count(c, SERVER_STATEMENTS)).as("statements PgBouncer prepared on the server connection")
                        .isGreaterThan(5);
            }
            assertThat(Integer.parseInt(server.queryString(ItServer.DATABASE,
                    "SELECT count(*) FROM pg_stat_activity WHERE usename = 'jeex_user'")))
                    .as("server connections of jeex_user (all through PgBouncer)").isLessThanOrEqualTo(SERVER_CONNECTIONS);
        }
    }

    /** The control: without the option the same workload prepares nothing on the server (unnamed statements only). */
    @Test
    void withoutTheOptionTheSameWorkloadPreparesNoStatementOnTheServer() throws Exception {
        try (PgBouncer bouncer = startPgBouncer(SERVER_CONNECTIONS)) {
            runWorkload(bouncer, false);
            try (Connection c = rawClient(bouncer, "0")) {
                assertThat(count(c, SERVER_STATEMENTS)).isZero();
            }
        }
    }

    /** What the option relies on: named statements of two clients on one server connection, which PgBouncer 1.18 breaks. */
    @Test
    void namedStatementsOfTwoClientsWorkOnOneServerConnection() throws Exception {
        try (PgBouncer bouncer = startPgBouncer(1)) {
            int logBefore = server.serverLogUpToNow().length();
            try (Connection a = rawClient(bouncer, "1"); Connection b = rawClient(bouncer, "1")) {
                for (int i = 0; i < 10; i++) {
                    assertThat(selectNumber(a, i)).isEqualTo(i);
                    assertThat(selectNumber(b, i)).isEqualTo(i);
                }
            }
            assertThat(server.serverLogUpToNow().substring(logBefore)).doesNotContain("prepared statement");
        }
    }

    /**
     * Row-level security on statements prepared once and run for many users: the plan does not
     * keep the user it was planned for. Every client acts as its own user on the two shared server
     * connections and reads its own row and the next client's, many times past the prepare threshold.
     */
    @Test
    void aStatementPreparedForOneUserReturnsOnlyTheRowsOfWhicheverUserRunsIt() throws Exception {
        try (PgBouncer bouncer = startPgBouncer(SERVER_CONNECTIONS);
             JeexDatabase db = JeexDatabase.create(config(bouncer, true).poolSize(CLIENT_THREADS)
                     .pool(p -> p.withMaxOverflow(0)).build())) {
            List<UUID> users = new ArrayList<>();
            for (int t = 0; t < CLIENT_THREADS; t++) {
                users.add(db.actingAsNewUser().users().create("prepared-rls-" + t + "@example.com", "User " + t).id());
            }
            AtomicInteger own = new AtomicInteger();
            AtomicInteger foreign = new AtomicInteger();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            ClientThreads.run(CLIENT_THREADS, thread -> {
                    UUID me = users.get(thread);
                    UUID other = users.get((thread + 1) % CLIENT_THREADS);
                    Repositories as = db.actingAs(me);
                    for (int i = 0; i < 50; i++) {
                        try {
                            if (as.users().byId(me).map(User::id).filter(me::equals).isPresent()) {
                                own.incrementAndGet();
                            }
                            if (as.users().byId(other).isPresent()) {
                                foreign.incrementAndGet();
                            }
                        } catch (RuntimeException | AssertionError e) {
                            failures.add(e);
                        }
                    }
                    return null;
            });
            assertThat(failures).as("failures (first: %s)", failures.peek()).isEmpty();
            assertThat(own).as("own rows read").hasValue(CLIENT_THREADS * 50);
            assertThat(foreign).as("rows of another user returned").hasValue(0);
        }
    }

    /**
     * The server goes away under the clients: every few hundred milliseconds all of jeex_user's
     * server connections are terminated while 8 clients create users and read them back on
     * prepared statements. Every acknowledged user is stored, none twice; what failed failed with
     * the library's typed errors; and once the terminations stop, PgBouncer prepares the
     * statements again on its new server connections and the whole workload runs without a
     * failure.
     */
    @Test
    void serverConnectionsTerminatedMidWorkloadLoseNoAcknowledgedWriteAndTheStatementsArePreparedAgain()
            throws Exception {
        try (PgBouncer bouncer = startPgBouncer(SERVER_CONNECTIONS);
             JeexDatabase db = JeexDatabase.create(config(bouncer, true).poolSize(CLIENT_THREADS)
                     .pool(p -> p.withMaxOverflow(0)).build())) {
            FaultRun run = createUsersUnder(db, () -> {
                int terminated = 0;
                for (int k = 0; k < 8; k++) {
                    Thread.sleep(250);
                    terminated += Integer.parseInt(server.queryString(ItServer.DATABASE,
                            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                                    + "WHERE usename = 'jeex_user' AND backend_type = 'client backend'"));
                }
                return terminated;
            });
            assertThat(run.faults()).as("server connections terminated under the workload").isGreaterThan(0);
            theWorkloadRunsWithoutAFailureAfterwards(db, bouncer, run.id());
            LOG.info("terminations through PgBouncer: {} server connections terminated, {} creates acknowledged, "
                    + "{} stored, {} typed failures", run.faults(), run.acknowledged(), run.stored(), run.typed());
        }
    }

    /**
     * The pooler itself goes away: PgBouncer is killed ({@code SIGKILL}) under 8 clients and comes
     * back a second later on the same port. Every acknowledged user is stored, none twice; what
     * failed failed with the library's typed errors (the breaker opens while nothing listens);
     * once the breaker's wait is over the pool has replaced its dead connections and the workload
     * runs on statements prepared on the new PgBouncer's server connections.
     */
    @Test
    void thePoolerKilledAndRestartedMidWorkloadLosesNoAcknowledgedWrite() throws Exception {
        Duration breakerWait = Duration.ofSeconds(2);
        try (PgBouncer bouncer = startPgBouncer(SERVER_CONNECTIONS);
             JeexDatabase db = JeexDatabase.create(config(bouncer, true).poolSize(CLIENT_THREADS)
                     .pool(p -> p.withMaxOverflow(0)).breaker(b -> b.withWaitInOpenState(breakerWait)).build())) {
            FaultRun run = createUsersUnder(db, () -> {
                Thread.sleep(500);
                bouncer.crashAndRestart(Duration.ofSeconds(1), "jeex_user", USER_PASSWORD);
                Thread.sleep(500);
                return 1;
            });
            long back = System.nanoTime();
            org.awaitility.Awaitility.await("calls succeed again").atMost(breakerWait.plusSeconds(10))
                    .pollInterval(Duration.ofMillis(100))
                    .ignoreExceptionsInstanceOf(io.jeex.db.error.DatabaseUnavailableException.class)
                    // through PgBouncer (the system route's connections go straight to the server), as
                    // many calls in a row as the half-open breaker's trials: then it is closed again
                    .until(() -> {
                        for (int i = 0; i < io.jeex.db.BreakerConfig.DEFAULTS.permittedCallsInHalfOpenState(); i++) {
                            db.actingAsNewUser().users().byId(UUID.randomUUID());
                        }
                        return true;
                    });
            LOG.info("calls succeeded again {} ms after PgBouncer was back", (System.nanoTime() - back) / 1_000_000);
            theWorkloadRunsWithoutAFailureAfterwards(db, bouncer, run.id());
            LOG.info("PgBouncer killed and restarted: {} creates acknowledged, {} stored, {} typed failures",
                    run.acknowledged(), run.stored(), run.typed());
        }
    }

    /** What {@link #createUsersUnder} saw: its run id, the fault's count, creates acknowledged and stored, typed failures. */
    private record FaultRun(String id, int faults, int acknowledged, int stored, int typed) {
    }

    /**
     * Runs the fault on one thread while {@value #CLIENT_THREADS} clients create a user and read it
     * back, each at least 10 times and until the fault returns; then checks that only the
     * library's typed errors were thrown and that every acknowledged create is stored, none twice.
     */
    private static FaultRun createUsersUnder(JeexDatabase db, java.util.concurrent.Callable<Integer> fault)
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        java.util.concurrent.atomic.AtomicBoolean faulting = new java.util.concurrent.atomic.AtomicBoolean(true);
        ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> typed = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> untyped = new ConcurrentLinkedQueue<>();
        List<Integer> results = ClientThreads.run(CLIENT_THREADS + 1, thread -> {
            if (thread == CLIENT_THREADS) {
                try {
                    return fault.call();
                } finally {
                    faulting.set(false);
                }
            }
            int i = 0;
            while (faulting.get() || i < 10) {
                String email = "fault-" + run + "-" + thread + "-" + i++ + "@example.com";
                try {
                    Repositories me = db.actingAsNewUser();
                    User user = me.users().create(email, "User " + thread);
                    acknowledged.add(email);
                    assertThat(me.users().byId(user.id())).as("a created user read back").contains(user);
                } catch (io.jeex.db.error.JeexDbException e) {
                    typed.add(e);
                } catch (RuntimeException | AssertionError e) {
                    untyped.add(e);
                }
            }
            return i;
        });
        assertThat(untyped).as("failures that are not the library's typed errors (first: %s)", untyped.peek())
                .isEmpty();
        String stored = server.queryString(ItServer.DATABASE, "SELECT coalesce(string_agg(email, ',' ORDER BY email), '') "
                + "FROM users WHERE email LIKE 'fault-" + run + "-%'");
        List<String> storedEmails = stored.isEmpty() ? List.of() : List.of(stored.split(","));
        assertThat(storedEmails).as("stored users: every acknowledged one, none twice")
                .containsAll(acknowledged).doesNotHaveDuplicates();
        assertThat(acknowledged).as("acknowledged creates").hasSizeGreaterThanOrEqualTo(CLIENT_THREADS * 10 - typed.size());
        return new FaultRun(run, results.get(CLIENT_THREADS), acknowledged.size(), storedEmails.size(), typed.size());
    }

    /** The fault is over: the whole workload runs on prepared statements, failing nothing. */
    private static void theWorkloadRunsWithoutAFailureAfterwards(JeexDatabase db, PgBouncer bouncer, String run)
            throws Exception {
        int logBefore = server.serverLogUpToNow().length();
        ConcurrentLinkedQueue<Throwable> after = new ConcurrentLinkedQueue<>();
        ClientThreads.run(CLIENT_THREADS, thread -> {
            for (int i = 0; i < 5; i++) {
                try {
                    Workload.run(db, run + "-after-" + thread + "-" + i);
                } catch (RuntimeException | AssertionError e) {
                    after.add(e);
                }
            }
            return null;
        });
        assertThat(after).as("failures once the fault is over (first: %s)", after.peek()).isEmpty();
        assertThat(server.serverLogUpToNow().substring(logBefore)).as("the server log after the fault")
                .doesNotContain("prepared statement");
        try (Connection c = rawClient(bouncer, "0")) {
            assertThat(count(c, SERVER_STATEMENTS)).as("statements prepared again on a server connection")
                    .isGreaterThan(5);
        }
    }

    @Test
    void theOptionWithoutPgBouncerIsRefusedWithTheFix() {
        assertThatThrownBy(() -> JeexDbConfig.builder(server.url(ItServer.DATABASE))
                .pool(p -> p.withPgBouncerPreparedStatements(true)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("pgBouncerPreparedStatements is true, but pgBouncer is false")
                .hasMessageContaining("JEEX_DB_PGBOUNCER");
    }

    /** @return the repository calls made: CLIENT_THREADS threads, each ITERATIONS_PER_THREAD times {@link Workload#run} */
    private static int runWorkload(PgBouncer bouncer, boolean preparedStatements) throws Exception {
        JeexDbConfig config = config(bouncer, preparedStatements).poolSize(CLIENT_THREADS)
                .pool(p -> p.withMaxOverflow(CLIENT_THREADS)).build();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        int calls = 0;
        try (JeexDatabase db = JeexDatabase.create(config)) {
            String run = UUID.randomUUID().toString().substring(0, 8);
            for (int n : ClientThreads.run(CLIENT_THREADS, thread -> {
                int n = 0;
                for (int i = 0; i < ITERATIONS_PER_THREAD; i++) {
                    try {
                        n += Workload.run(db, run + "-" + thread + "-" + i);
                    } catch (RuntimeException | AssertionError e) {
                        failures.add(e);
                    }
                }
                return n;
            })) {
                calls += n;
            }
        }
        assertThat(failures).as("failures of the workload (first: %s)", failures.peek()).isEmpty();
        return calls;
    }

    private static Connection rawClient(PgBouncer bouncer, String prepareThreshold) throws SQLException {
        return bouncer.connect("jeex_user", USER_PASSWORD, prepareThreshold);
    }

    private static int selectNumber(Connection c, int n) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT ?::int")) {
            ps.setInt(1, n);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

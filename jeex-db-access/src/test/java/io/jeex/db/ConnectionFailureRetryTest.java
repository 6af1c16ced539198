package io.jeex.db;

import static io.jeex.db.codegen.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.retry.event.RetryOnRetryEvent;
import io.jeex.db.error.DatabaseUnavailableException;
import io.jeex.db.error.OutcomeUnknownException;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import io.jeex.db.tx.TxOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backend terminated with {@code pg_terminate_backend} while its transaction is open. The
 * pool has one connection, whose backend is found in {@code pg_stat_activity} by its
 * application name, so the work does not touch the connection to learn its pid.
 */
@JeexDbTest
class ConnectionFailureRetryTest {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionFailureRetryTest.class);

    @Test
    void backendKilledBeforeTheFirstStatementIsRetried(TestDatabase testDb) {
        String app = "kill-" + UUID.randomUUID().toString().substring(0, 8);
        try (JeexDatabase db = JeexDatabase.create(single(testDb, app))) {
            List<Throwable> retried = recordRetries(db);
            AtomicInteger invocations = new AtomicInteger();

            int one = db.transaction(TxOptions.named("select_one"), tx -> {
                if (invocations.incrementAndGet() == 1) {
                    terminateBackendOf(testDb, app);
                }
                return tx.dsl().selectOne().fetchOne(0, int.class);
            });

            assertThat(one).isEqualTo(1);
            assertThat(invocations).hasValue(2);
            assertThat(retried).hasSize(1);
            String state = SqlStates.sqlState(retried.get(0));
            LOG.info("a terminated backend surfaced as SQLSTATE {}: {}", state, retried.get(0).getCause().toString());
            assertThat(SqlStates.isConnectionState(state)).as("SQLSTATE %s is connection-class", state).isTrue();
        }
    }

    @Test
    void backendKilledAfterAWriteIsNotRetriedWhenTheWorkIsNotIdempotent(TestDatabase testDb) {
        String app = "kill-" + UUID.randomUUID().toString().substring(0, 8);
        try (JeexDatabase db = JeexDatabase.create(single(testDb, app))) {
            AtomicInteger invocations = new AtomicInteger();

            assertThatThrownBy(() -> db.transaction(TxOptions.named("write_then_die"), tx -> {
                invocations.incrementAndGet();
                tx.dsl().insertInto(USERS).set(USERS.EMAIL, "w@example.com").set(USERS.NAME, "W").execute();
                terminateBackendOf(testDb, app);
                return tx.dsl().selectOne().fetch();
            })).isInstanceOfSatisfying(DatabaseUnavailableException.class, e -> assertThat(e.attempts()).isEqualTo(1));
            assertThat(invocations).hasValue(1);
        }
    }

    @Test
    void backendKilledAfterAWriteIsRetriedWhenTheWorkIsIdempotent(TestDatabase testDb) {
        String app = "kill-" + UUID.randomUUID().toString().substring(0, 8);
        try (JeexDatabase db = JeexDatabase.create(single(testDb, app))) {
            AtomicInteger invocations = new AtomicInteger();

            db.transaction(TxOptions.named("idempotent_write").withIdempotent(true), tx -> {
                tx.dsl().insertInto(USERS).set(USERS.EMAIL, "i@example.com").set(USERS.NAME, "I")
                        .onConflictDoNothing().execute();
                if (invocations.incrementAndGet() == 1) {
                    terminateBackendOf(testDb, app);
                }
                return tx.dsl().selectOne().fetch();
            });

            assertThat(invocations).hasValue(2);
            assertThat(db.dsl().fetchCount(USERS)).isEqualTo(1);
        }
    }

    @Test
    void singleStatementWriteKilledWhileItRunsIsAnUnknownOutcomeAndNotRetried(TestDatabase testDb) throws Exception {
        String app = "kill-" + UUID.randomUUID().toString().substring(0, 8);
        try (JeexDatabase db = JeexDatabase.create(single(testDb, app))) {
            AtomicInteger invocations = new AtomicInteger();
            Thread killer = killWhenActive(testDb, app);
            // auto-committed: once sent, the statement may have committed when the connection dies
            assertThatThrownBy(() -> db.transaction(TxOptions.named("slow_insert").withSingleStatement(true), tx -> {
                invocations.incrementAndGet();
                return tx.dsl().execute("insert into users (email, name) select 's@example.com', 'S' from pg_sleep(30)");
            })).isInstanceOfSatisfying(OutcomeUnknownException.class, e -> assertThat(e.attempts()).isEqualTo(1));
            killer.join(30_000);
            assertThat(invocations).hasValue(1);
        }
    }

    @Test
    void singleStatementReadKilledWhileItRunsIsRetried(TestDatabase testDb) throws Exception {
        String app = "kill-" + UUID.randomUUID().toString().substring(0, 8);
        try (JeexDatabase db = JeexDatabase.create(single(testDb, app))) {
            AtomicInteger invocations = new AtomicInteger();
            Thread killer = killWhenActive(testDb, app);
            int value = db.readOnly(TxOptions.named("slow_read").withSingleStatement(true), tx ->
                    invocations.incrementAndGet() == 1
                            ? tx.dsl().fetchOne("select 1 from pg_sleep(30)").get(0, Integer.class)
                            : tx.dsl().fetchOne("select 2").get(0, Integer.class));
            killer.join(30_000);
            assertThat(value).isEqualTo(2);
            assertThat(invocations).hasValue(2);
        }
    }

    /** Starts a thread that terminates the pool's backend once it is running a statement. */
    private static Thread killWhenActive(TestDatabase testDb, String applicationName) {
        Thread killer = new Thread(() -> {
            try (Connection admin = testDb.dataSource().getConnection()) {
                Awaitility.await("a statement running on the pool's backend")
                        .atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                        .until(() -> count(admin, "select count(*) from pg_stat_activity where application_name = ? "
                                + "and state = 'active' and query like '%pg_sleep%'", applicationName) == 1);
                terminateBackendOf(testDb, applicationName);
            } catch (SQLException e) {
                throw new AssertionError(e);
            }
        }, "killer");
        killer.start();
        return killer;
    }

    private static JeexDbConfig single(TestDatabase testDb, String applicationName) {
        return TestConfigs.forDatabase(testDb).pool(p -> p.withApplicationName(applicationName)).poolSize(1)
                .pool(p -> p.withMaxOverflow(0)).build();
    }

    private static List<Throwable> recordRetries(JeexDatabase db) {
        List<Throwable> retried = new CopyOnWriteArrayList<>();
        db.runtime().retry().getEventPublisher().onRetry(e -> retried.add(((RetryOnRetryEvent) e).getLastThrowable()));
        return retried;
    }

    /** Terminates the one backend of the pool from another connection and waits until it is gone. */
    private static void terminateBackendOf(TestDatabase testDb, String applicationName) throws SQLException {
        try (Connection admin = testDb.dataSource().getConnection()) {
            int pid;
            try (PreparedStatement s = admin.prepareStatement("select pid from pg_stat_activity "
                    + "where application_name = ? and datname = current_database()")) {
                s.setString(1, applicationName);
                try (ResultSet rs = s.executeQuery()) {
                    assertThat(rs.next()).as("the pool's backend is visible").isTrue();
                    pid = rs.getInt(1);
                    assertThat(rs.next()).as("the pool has one backend").isFalse();
                }
            }
            try (PreparedStatement s = admin.prepareStatement("select pg_terminate_backend(?)")) {
                s.setInt(1, pid);
                s.execute();
            }
            Awaitility.await("backend " + pid + " gone")
                    .atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                    .until(() -> count(admin, "select count(*) from pg_stat_activity where pid = ?", pid) == 0);
        }
    }

    /** Runs a one-parameter count query on the admin connection. */
    private static int count(Connection admin, String sql, Object parameter) {
        try (PreparedStatement s = admin.prepareStatement(sql)) {
            s.setObject(1, parameter);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }
}

package io.jeex.service;

import static io.jeex.db.codegen.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.error.DatabaseUnavailableException;
import io.jeex.db.error.TransactionWorkException;
import io.jeex.db.error.UncategorizedDatabaseException;
import io.jeex.db.health.HealthReport;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import io.jeex.db.tx.TxOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.SocketException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A service's own exceptions inside a transaction: an HTTP or file call that fails, wrapped or
 * not, whatever it carries as causes. They are the work's, not the database's: never retried,
 * never counted by the circuit breaker, handed to the caller as they are (checked ones wrapped
 * in {@link TransactionWorkException}).
 */
@JeexDbTest
class WorkExceptionsTest {

    @Test
    void anIOExceptionOfTheWorkRunsOnceAndReachesTheCallerWrapped(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(testDb).build())) {
            AtomicInteger runs = new AtomicInteger();
            IOException diskFull = new IOException("disk full");

            Throwable thrown = catchThrowable(() -> db.transaction(tx -> {
                runs.incrementAndGet();
                throw diskFull;
            }));

            assertThat(runs).hasValue(1);
            assertThat(thrown).isInstanceOf(TransactionWorkException.class).cause().isSameAs(diskFull);
        }
    }

    @Test
    void anUncheckedIOExceptionAfterAStatementReachesTheCallerUnchangedAndRollsBack(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(testDb).build())) {
            AtomicInteger runs = new AtomicInteger();
            UncheckedIOException upstream = new UncheckedIOException(new SocketException("Connection reset"));

            UUID me = UUID.randomUUID();
            Throwable thrown = catchThrowable(() -> db.transaction(TxOptions.named("signup").withActingUser(me), tx -> {
                runs.incrementAndGet();
                tx.dsl().insertInto(USERS).set(USERS.ID, me).set(USERS.EMAIL, "w@example.com").set(USERS.NAME, "W")
                        .execute();
                throw upstream; // the HTTP call after the insert failed
            }));

            assertThat(runs).hasValue(1);
            assertThat(thrown).isSameAs(upstream);
            assertThat(testDb.dsl().fetchCount(USERS)).as("rolled back").isZero();
        }
    }

    @Test
    void exceptionsThatCarryConnectionFailuresAsCausesAreStillTheWorks(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(testDb).build())) {
            AtomicInteger runs = new AtomicInteger();
            RuntimeException wrapped = new IllegalStateException("payment service down",
                    new SQLException("connection to the payments database failed", "08006"));
            SQLException ownSql = new SQLException("the service's own DataSource timed out", "08001");
            SQLTransientConnectionException ownPool = new SQLTransientConnectionException("its own pool timed out");

            assertThat(catchThrowable(() -> db.transaction(tx -> {
                runs.incrementAndGet();
                throw wrapped;
            }))).isSameAs(wrapped);
            assertThat(catchThrowable(() -> db.transaction(tx -> {
                runs.incrementAndGet();
                tx.dsl().selectOne().fetch();
                throw ownSql;
            }))).isInstanceOf(TransactionWorkException.class).cause().isSameAs(ownSql);
            assertThat(catchThrowable(() -> db.transaction(tx -> {
                runs.incrementAndGet();
                throw ownPool;
            }))).isInstanceOf(TransactionWorkException.class).cause().isSameAs(ownPool);

            assertThat(runs).as("each work ran once").hasValue(3);
        }
    }

    @Test
    void manyFailingWorksNeverOpenTheCircuitBreakerOrMakeTheDatabaseNotReady(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(testDb).build())) {
            for (int i = 0; i < 40; i++) {
                int call = i;
                catchThrowable(() -> db.transaction(tx -> {
                    if (call % 2 == 0) {
                        tx.dsl().selectOne().fetch();
                    }
                    throw new IOException("disk full");
                }));
            }

            HealthReport health = db.health();
            assertThat(health.breakers()).containsEntry("service", "CLOSED");
            assertThat(health.ready()).as("%s", health).isTrue();
            int one = db.transaction(tx -> tx.dsl().selectOne().fetchOne(0, int.class));
            assertThat(one).isEqualTo(1);
        }
    }

    @Test
    void anotherDatabasesOutageInsideTheWorkIsNotThisDatabasesFailure(TestDatabase testDb) throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        JeexDbConfig otherConfig = ServiceConfigs.defaults("jdbc:postgresql://127.0.0.1:" + closedPort + "/other",
                        testDb.user(), testDb.password())
                .name("other").pool(p -> p.withAcquireTimeout(Duration.ofSeconds(2))
                .withConnectTimeout(Duration.ofSeconds(1)))
                .retry(r -> r.withMaxAttempts(1)).build();
        try (JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(testDb).build());
             JeexDatabase other = JeexDatabase.create(otherConfig)) {
            AtomicInteger runs = new AtomicInteger();
            for (int i = 0; i < 12; i++) {
                java.util.concurrent.atomic.AtomicReference<RuntimeException> fromOther =
                        new java.util.concurrent.atomic.AtomicReference<>();
                Throwable thrown = catchThrowable(() -> db.transaction(tx -> {
                    runs.incrementAndGet();
                    try {
                        return other.actingAs(UUID.randomUUID()).users().byId(UUID.randomUUID());
                    } catch (RuntimeException e) {
                        fromOther.set(e);
                        throw e;
                    }
                }));
                assertThat(fromOther.get()).isInstanceOf(DatabaseUnavailableException.class);
                assertThat(thrown).as("the other database's error, unchanged").isSameAs(fromOther.get());
            }

            assertThat(runs).as("never retried by this database").hasValue(12);
            assertThat(db.health().breakers()).containsEntry("service", "CLOSED");
        }
    }

    @Test
    void aStatementThatFailsInTheWorkIsStillADatabaseError(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(testDb).build())) {
            Throwable thrown = catchThrowable(() -> db.transaction(tx -> tx.dsl().fetch("select * from no_such_table")));

            assertThat(thrown).isInstanceOf(UncategorizedDatabaseException.class);
            assertThat(((UncategorizedDatabaseException) thrown).sqlState()).isEqualTo("42P01");
        }
    }
}

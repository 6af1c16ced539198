package io.jeex.db;

import static io.jeex.db.codegen.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.error.SerializationFailureException;
import io.jeex.db.error.UniqueViolationException;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import io.jeex.db.tx.IsolationLevel;
import io.jeex.db.tx.Transaction;
import io.jeex.db.tx.TxOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@JeexDbTest
class TransactionRetryTest {

    /** Raises a real SQLSTATE 40001 from the server, as a serialization failure would. */
    private static final String RAISE_40001 =
            "do $$ begin raise exception 'simulated serialization failure' using errcode = '40001'; end $$";

    private final ExecutorService threads = Executors.newFixedThreadPool(2);

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    void serializationFailureBetweenTwoSerializableTransactionsIsRetriedToSuccess(TestDatabase testDb) throws Exception {
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb).poolSize(2).build())) {
            CyclicBarrier bothRead = new CyclicBarrier(2);
            CountDownLatch firstCommitted = new CountDownLatch(1);
            AtomicInteger a = new AtomicInteger();
            AtomicInteger b = new AtomicInteger();
            TxOptions serializable = TxOptions.named("on_call").withIsolation(IsolationLevel.SERIALIZABLE);

            // Write skew: each reads "how many are on call", then adds one. Run one after the
            // other, the second would see the first; run together, SERIALIZABLE must fail one.
            Future<?> first = threads.submit(() -> db.transaction(serializable,
                    tx -> addOnCall(tx, a, bothRead, firstCommitted, "a@example.com")));
            Future<?> second = threads.submit(() -> db.transaction(serializable,
                    tx -> addOnCall(tx, b, bothRead, firstCommitted, "b@example.com")));
            waitAndSignal(first, second, firstCommitted);

            assertThat(List.of(a.get(), b.get())).containsExactlyInAnyOrder(1, 2);
            assertThat(db.dsl().fetchCount(USERS, USERS.NAME.eq("on call"))).isEqualTo(2);
        }
    }

    private static Void addOnCall(Transaction tx, AtomicInteger invocations, CyclicBarrier bothRead,
                                  CountDownLatch firstCommitted, String email) throws Exception {
        int attempt = invocations.incrementAndGet();
        assertThat(tx.attempt()).isEqualTo(attempt);
        tx.dsl().fetchCount(USERS, USERS.NAME.eq("on call"));
        if (attempt == 1) {
            bothRead.await(10, TimeUnit.SECONDS);
        } else {
            // The retry runs after the winner committed, so it cannot lose again.
            assertThat(firstCommitted.await(10, TimeUnit.SECONDS)).isTrue();
        }
        tx.dsl().insertInto(USERS).set(USERS.EMAIL, email).set(USERS.NAME, "on call").execute();
        return null;
    }

    /** Waits for both futures; whichever finishes first opens the latch for the other's retry. */
    private static void waitAndSignal(Future<?> first, Future<?> second, CountDownLatch firstCommitted) throws Exception {
        Awaitility.await("both transactions finish")
                .atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(5))
                .until(() -> {
                    if (first.isDone() && second.isDone()) {
                        return true;
                    }
                    if (first.isDone() || second.isDone()) {
                        firstCommitted.countDown();
                    }
                    return false;
                });
        first.get();
        second.get();
    }

    @Test
    void deadlockIsRetriedToSuccess(TestDatabase testDb) throws Exception {
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb).poolSize(2).build())) {
            UUID x = insertUser(db, "x@example.com");
            UUID y = insertUser(db, "y@example.com");
            CyclicBarrier bothLockedOne = new CyclicBarrier(2);
            CountDownLatch firstCommitted = new CountDownLatch(1);
            AtomicInteger a = new AtomicInteger();
            AtomicInteger b = new AtomicInteger();

            Future<?> first = threads.submit(() -> db.transaction(TxOptions.named("x_then_y"),
                    tx -> lockInOrder(tx, a, bothLockedOne, firstCommitted, x, y)));
            Future<?> second = threads.submit(() -> db.transaction(TxOptions.named("y_then_x"),
                    tx -> lockInOrder(tx, b, bothLockedOne, firstCommitted, y, x)));
            waitAndSignal(first, second, firstCommitted);

            assertThat(List.of(a.get(), b.get())).containsExactlyInAnyOrder(1, 2);
        }
    }

    private static Void lockInOrder(Transaction tx, AtomicInteger invocations, CyclicBarrier bothLockedOne,
                                    CountDownLatch firstCommitted, UUID one, UUID other) throws Exception {
        int attempt = invocations.incrementAndGet();
        // Detect the deadlock after 50 ms instead of the server's 1 s (superuser setting, this transaction only).
        tx.dsl().execute("set local deadlock_timeout = '50ms'");
        if (attempt > 1) {
            assertThat(firstCommitted.await(10, TimeUnit.SECONDS)).isTrue();
        }
        tx.dsl().update(USERS).set(USERS.NAME, "locked").where(USERS.ID.eq(one)).execute();
        if (attempt == 1) {
            bothLockedOne.await(10, TimeUnit.SECONDS);
        }
        tx.dsl().update(USERS).set(USERS.NAME, "locked").where(USERS.ID.eq(other)).execute();
        return null;
    }

    @Test
    void uniqueViolationIsNotRetried(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb).build())) {
            insertUser(db, "ada@example.com");
            AtomicInteger invocations = new AtomicInteger();

            assertThatThrownBy(() -> db.transaction(TxOptions.named("create_user"), tx -> {
                invocations.incrementAndGet();
                return tx.dsl().insertInto(USERS).set(USERS.EMAIL, "ADA@example.com").set(USERS.NAME, "Ada")
                        .execute();
            }))
                    .isInstanceOfSatisfying(UniqueViolationException.class, e -> {
                        assertThat(e.attempts()).isEqualTo(1);
                        assertThat(e.constraint()).isEqualTo("users_email_lower_key");
                        assertThat(e.table()).isEqualTo("users");
                        assertThat(e.sqlState()).isEqualTo("23505");
                        assertThat(e.getMessage()).startsWith("a user with this email already exists");
                    });
            assertThat(invocations).hasValue(1);
        }
    }

    @Test
    void nestedTransactionJoinsTheOuterOneAndNeverRetriesOnItsOwn(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb).build())) {
            AtomicInteger outer = new AtomicInteger();
            AtomicInteger nested = new AtomicInteger();
            AtomicReference<Transaction> seenByNested = new AtomicReference<>();

            db.transaction(TxOptions.named("outer"), tx -> {
                int attempt = outer.incrementAndGet();
                db.transaction(TxOptions.named("nested"), inner -> {
                    nested.incrementAndGet();
                    seenByNested.set(inner);
                    if (attempt == 1) {
                        inner.dsl().execute(RAISE_40001);
                    }
                    return null;
                });
                assertThat(seenByNested.get()).isSameAs(tx);
                return null;
            });

            // One nested run per outer run: the retry was the outer transaction's.
            assertThat(outer).hasValue(2);
            assertThat(nested).hasValue(2);
        }
    }

    @Test
    void retriesStopAtMaxAttemptsWithTheAttemptCountOnTheErrorAndInMetrics(TestDatabase testDb) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb)
                .retry(r -> r.withMaxAttempts(3)).build(),
                registry)) {
            AtomicInteger invocations = new AtomicInteger();

            assertThatThrownBy(() -> db.transaction(TxOptions.named("always_loses"), tx -> {
                invocations.incrementAndGet();
                return tx.dsl().execute(RAISE_40001);
            }))
                    .isInstanceOfSatisfying(SerializationFailureException.class, e -> {
                        assertThat(e.attempts()).isEqualTo(3);
                        assertThat(e.sqlState()).isEqualTo("40001");
                        assertThat(e.getMessage()).contains("after 3 attempts");
                    });
            assertThat(invocations).hasValue(3);
            assertThat(registry.get(TransactionMetrics.RETRY_COUNTER)
                    .tag("category", "serialization_failure").counter().count()).isEqualTo(2.0);
        }
    }

    @Test
    void retriesStopAtTheDeadline(TestDatabase testDb) {
        // A deadline shorter than any wait: the first failure is final.
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb)
                .retry(r -> r.withInitialBackoff(java.time.Duration.ofSeconds(5))
                .withMaxBackoff(java.time.Duration.ofSeconds(5))
                .withDeadline(java.time.Duration.ofMillis(1))).build())) {
            List<Integer> attempts = new ArrayList<>();

            assertThatThrownBy(() -> db.transaction(tx -> {
                attempts.add(tx.attempt());
                return tx.dsl().execute(RAISE_40001);
            })).isInstanceOfSatisfying(SerializationFailureException.class, e -> assertThat(e.attempts()).isEqualTo(1));
            assertThat(attempts).containsExactly(1);
        }
    }

    private static UUID insertUser(JeexDatabase db, String email) {
        return db.transaction(tx -> tx.dsl().insertInto(USERS).set(USERS.EMAIL, email).set(USERS.NAME, "someone")
                .returning(USERS.ID).fetchOne(USERS.ID));
    }
}

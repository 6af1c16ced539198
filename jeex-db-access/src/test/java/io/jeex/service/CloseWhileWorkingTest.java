package io.jeex.service;

import static io.jeex.db.codegen.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.jeex.db.JeexDatabase;
import io.jeex.db.error.JeexDbException;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import io.jeex.db.tx.TxOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * {@code close()} at shutdown while requests are still being served: new work is refused at once
 * with a typed error, running work may finish within the drain timeout, what still runs after it
 * is cancelled on the server, and every entry point of a closed handle throws the typed error.
 */
@JeexDbTest
class CloseWhileWorkingTest {

    private static int backends(TestDatabase testDb, String app) {
        return testDb.dsl().fetchCount(testDb.dsl().selectFrom("pg_stat_activity")
                .where("application_name = ?", app));
    }

    @Test
    void closeCancelsAStatementStillRunningAfterTheDrainTimeoutAndLeavesNoBackend(TestDatabase testDb)
            throws Exception {
        String app = "close-" + UUID.randomUUID().toString().substring(0, 8);
        Duration drain = Duration.ofMillis(500);
        JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(testDb).pool(p -> p.withApplicationName(app))
                .drainTimeout(drain).build());
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch sleeping = new CountDownLatch(1);
        CompletableFuture<Object> slow = CompletableFuture.supplyAsync(() -> db.transaction(
                TxOptions.named("report").withIdempotent(true), tx -> {
                    runs.incrementAndGet();
                    sleeping.countDown();
                    return tx.dsl().fetch("select pg_sleep(60)");
                }));
        assertThat(sleeping.await(10, TimeUnit.SECONDS)).isTrue();
        Awaitility.await("the sleep reached the server").atMost(Duration.ofSeconds(10))
                .until(() -> testDb.dsl().fetchCount(testDb.dsl().selectFrom("pg_stat_activity")
                        .where("application_name = ? and query like '%pg_sleep%'", app)) > 0);

        long closeStart = System.nanoTime();
        db.close();
        Duration closing = Duration.ofNanos(System.nanoTime() - closeStart);

        Throwable thrown = catchThrowable(() -> slow.get(30, TimeUnit.SECONDS));
        System.out.printf("close() with a statement in flight took %d ms; the work got: %s%n", closing.toMillis(),
                thrown.getCause());
        assertThat(thrown.getCause()).isInstanceOf(JeexDbException.class);
        assertThat(thrown.getCause().getMessage()).contains("closed");
        assertThat(runs).as("not retried against the closed pools").hasValue(1);
        assertThat(closing).as("the drain timeout, then the cancel").isLessThan(drain.plusSeconds(3));
        // a backend leaves pg_stat_activity a moment after its client closed the socket
        Awaitility.await("nothing of this instance left on the server").atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(20)).until(() -> backends(testDb, app) == 0);
    }

    /** A big pool: more transactions in flight than the library keeps in its fast slots (64). */
    @Test
    void closeCancelsEightyTransactionsInFlightOnABigPool(TestDatabase testDb) throws Exception {
        String app = "close80-" + UUID.randomUUID().toString().substring(0, 8);
        int callers = 80;
        Duration drain = Duration.ofMillis(300);
        JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(testDb)
                .pool(p -> p.withApplicationName(app).withSize(callers).withMaxOverflow(0)).drainTimeout(drain).build());
        ExecutorService threads = Executors.newFixedThreadPool(callers);
        try {
            CountDownLatch sleeping = new CountDownLatch(callers);
            List<Future<Object>> calls = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                calls.add(threads.submit(() -> db.transaction(TxOptions.named("report").withIdempotent(true), tx -> {
                    sleeping.countDown();
                    return tx.dsl().fetch("select pg_sleep(60)");
                })));
            }
            assertThat(sleeping.await(30, TimeUnit.SECONDS)).as("all 80 inside their transactions").isTrue();
            Awaitility.await("all 80 sleeps reached the server").atMost(Duration.ofSeconds(20))
                    .until(() -> testDb.dsl().fetchCount(testDb.dsl().selectFrom("pg_stat_activity")
                            .where("application_name = ? and query like '%pg_sleep%'", app)) == callers);

            long closeStart = System.nanoTime();
            db.close();
            Duration closing = Duration.ofNanos(System.nanoTime() - closeStart);

            for (Future<Object> call : calls) {
                Throwable thrown = catchThrowable(() -> call.get(30, TimeUnit.SECONDS));
                assertThat(thrown).isInstanceOf(ExecutionException.class);
                assertThat(thrown.getCause()).isInstanceOf(JeexDbException.class).hasMessageContaining("closed");
            }
            assertThat(closing).as("the drain timeout, then the cancels").isLessThan(drain.plusSeconds(5));
            Awaitility.await("nothing of this instance left on the server").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20)).until(() -> backends(testDb, app) == 0);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void runningWorkThatEndsWithinTheDrainTimeoutCommitsWhileNewWorkIsRefused(TestDatabase testDb) throws Exception {
        JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(testDb).build());
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch closing = new CountDownLatch(1);
        UUID late = UUID.randomUUID();
        CompletableFuture<Integer> running = CompletableFuture.supplyAsync(() -> db.transaction(
                TxOptions.named("late").withActingUser(late), tx -> {
                    inside.countDown();
                    closing.await(10, TimeUnit.SECONDS);
                    return tx.dsl().insertInto(USERS).set(USERS.ID, late).set(USERS.EMAIL, "late@example.com")
                            .set(USERS.NAME, "Late").execute();
                }));
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> close = CompletableFuture.runAsync(db::close);
        long start = System.nanoTime();
        Throwable refused = null;
        while (refused == null && System.nanoTime() - start < 10_000_000_000L) {
            // until close() has begun, calls still run; from then on they are refused at once
            refused = catchThrowable(() -> db.transaction(tx -> tx.dsl().selectOne().fetch()));
        }
        closing.countDown();

        assertThat(refused).isInstanceOf(JeexDbException.class).hasMessageContaining("closed");
        assertThat(running.get(30, TimeUnit.SECONDS)).isEqualTo(1);
        close.get(30, TimeUnit.SECONDS);
        assertThat(testDb.dsl().fetchCount(USERS)).as("the running work committed").isEqualTo(1);
    }

    @Test
    void everyEntryPointOfAClosedHandleThrowsTheTypedError(TestDatabase testDb) {
        JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(testDb).build());
        var dsl = db.dsl();
        db.close();

        assertThat(catchThrowable(() -> db.transaction(tx -> 1))).isInstanceOf(JeexDbException.class);
        assertThat(catchThrowable(() -> db.readOnly(tx -> 1))).isInstanceOf(JeexDbException.class);
        assertThat(catchThrowable(() -> db.actingAs(UUID.randomUUID()).users().byId(UUID.randomUUID()))).isInstanceOf(JeexDbException.class);
        assertThat(catchThrowable(() -> db.actingAsNewUser().users().create("a@example.com", "A"))).isInstanceOf(JeexDbException.class);
        assertThat(catchThrowable(db::dsl)).isInstanceOf(JeexDbException.class);
        assertThat(catchThrowable(() -> dsl.selectOne().fetch())).as("a context taken before close")
                .isInstanceOf(JeexDbException.class).hasMessageContaining("closed");
        assertThat(catchThrowable(db::migrate)).isInstanceOf(JeexDbException.class);
        assertThat(catchThrowable(db::migrations)).isInstanceOf(JeexDbException.class);
        assertThat(catchThrowable(db::dataSource)).isInstanceOf(JeexDbException.class);
        assertThat(db.health().live()).isFalse();
    }

    /**
     * A server that accepts connections and never answers (hung, or its host swapping): the pool's
     * own connection attempt waits for the login timeout (10 s by default). A service shutting down
     * then, with nothing running, must not wait for it: close() aborts the attempt.
     */
    @Test
    void closeWithNothingRunningDoesNotWaitForAConnectionAttemptToASilentServer() throws Exception {
        List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!silent.isClosed()) {
                    try {
                        held.add(silent.accept());
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            }, "silent-server");
            acceptor.setDaemon(true);
            acceptor.start();
            JeexDatabase db = JeexDatabase.create(io.jeex.db.JeexDbConfig.builder("jdbc:postgresql://127.0.0.1:"
                    + silent.getLocalPort() + "/service").user("service").password("pw")
                    .pool(p -> p.withSize(2)).health(h -> h.withMonitorInterval(Duration.ZERO)).build());
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !held.isEmpty());

            long start = System.nanoTime();
            db.close();
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(tookMs).as("close() with nothing running, against the 10 s login timeout").isLessThan(3_000);
            assertThat(catchThrowable(() -> db.transaction(tx -> 1)))
                    .isInstanceOf(io.jeex.db.error.DatabaseClosedException.class);
            Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(Thread.getAllStackTraces()
                    .keySet()).as("no thread of the pool is left connecting")
                    .noneMatch(t -> t.getName().startsWith("jeex-db ") || t.getName().startsWith("jeex-db:")));
        } finally {
            for (java.net.Socket s : held) {
                s.close();
            }
        }
    }
}

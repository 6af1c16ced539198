package io.jeex.db;

import static io.jeex.db.codegen.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnStateTransitionEvent;
import io.jeex.db.error.DatabaseUnavailableException;
import io.jeex.db.error.OutcomeUnknownException;
import io.jeex.db.error.UniqueViolationException;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import io.jeex.db.tx.TxOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The circuit breaker, with "the server" behind a TCP proxy that a test can take down and bring back. */
@JeexDbTest
class CircuitBreakerTest {

    /**
     * Long enough that an open breaker is still open when the next call comes, however slow the
     * machine: the fail-fast assertions depend on it.
     */
    private static final Duration LONG_WAIT = Duration.ofSeconds(30);
    /** Short, for the test of recovery only, which polls for it with a deadline. */
    private static final Duration SHORT_WAIT = Duration.ofMillis(500);

    private static JeexDbConfig.Builder breakerConfig(TestDatabase testDb, String url) {
        return TestConfigs.forUrl(testDb, url)
                .poolSize(0).pool(p -> p.withMaxOverflow(2)
                .withAcquireTimeout(Duration.ofMillis(250)).withConnectTimeout(Duration.ofSeconds(1)))
                .retry(r -> r.withMaxAttempts(1))
                .breaker(b -> b.withSlidingWindowSize(4).withMinimumCalls(2).withFailureRateThreshold(50)
                .withWaitInOpenState(LONG_WAIT).withPermittedCallsInHalfOpenState(1));
    }

    /** A database through the proxy whose breaker stays open only {@link #SHORT_WAIT}. */
    private static JeexDatabase withShortWait(TestDatabase testDb, TcpProxy proxy) {
        return JeexDatabase.create(breakerConfig(testDb, proxy.proxiedUrl(testDb.jdbcUrl()))
                .breaker(b -> b.withWaitInOpenState(SHORT_WAIT)).build());
    }

    /** Fails transactions through the downed proxy until the breaker opens; each failure is a real connection failure. */
    private static void failUntilOpen(JeexDatabase db, CircuitBreaker breaker) {
        int failures = 0;
        while (breaker.getState() != CircuitBreaker.State.OPEN) {
            assertThat(failures).as("failures before the breaker opens").isLessThan(10);
            Throwable e = catchThrowable(() -> db.transaction(tx -> tx.dsl().selectOne().fetch()));
            assertThat(e).isInstanceOf(DatabaseUnavailableException.class);
            assertThat(e.getCause()).isNotInstanceOf(CallNotPermittedException.class);
            failures++;
        }
    }

    @Test
    void unreachableServerOpensTheBreakerWhichThenFailsFastWithoutRunningTheWork(TestDatabase testDb)
            throws Exception {
        try (TcpProxy proxy = TcpProxy.forJdbcUrl(testDb.jdbcUrl());
             JeexDatabase db = JeexDatabase.create(breakerConfig(testDb, proxy.proxiedUrl(testDb.jdbcUrl())).build())) {
            CircuitBreaker breaker = db.runtime().breaker();
            int warm = db.transaction(tx -> tx.dsl().selectOne().fetchOne(0, int.class));
            assertThat(warm).isEqualTo(1);

            proxy.down();
            failUntilOpen(db, breaker);

            AtomicInteger ran = new AtomicInteger();
            long refusedBefore = breaker.getMetrics().getNumberOfNotPermittedCalls();
            assertThatThrownBy(() -> db.transaction(tx -> ran.incrementAndGet()))
                    .isInstanceOfSatisfying(DatabaseUnavailableException.class, e -> {
                        assertThat(e).hasCauseInstanceOf(CallNotPermittedException.class);
                        assertThat(e.attempts()).isEqualTo(1);
                        assertThat(e.getMessage()).contains("circuit breaker 'test' is OPEN");
                    });
            assertThat(ran).as("an open breaker does not run the work").hasValue(0);
            assertThat(breaker.getMetrics().getNumberOfNotPermittedCalls()).isEqualTo(refusedBefore + 1);

            proxy.up();
            assertThatThrownBy(() -> db.transaction(tx -> ran.incrementAndGet()))
                    .as("still open for the wait in the open state, even with the server back")
                    .isInstanceOf(DatabaseUnavailableException.class).hasCauseInstanceOf(CallNotPermittedException.class);
            assertThat(ran).hasValue(0);
        }
    }

    @Test
    void anOpenBreakerClosesAgainOnceTheServerIsBack(TestDatabase testDb) throws Exception {
        try (TcpProxy proxy = TcpProxy.forJdbcUrl(testDb.jdbcUrl());
             JeexDatabase db = withShortWait(testDb, proxy)) {
            CircuitBreaker breaker = db.runtime().breaker();
            List<String> transitions = new CopyOnWriteArrayList<>();
            breaker.getEventPublisher().onStateTransition(
                    (CircuitBreakerOnStateTransitionEvent e) -> transitions.add(e.getStateTransition().name()));
            proxy.down();
            failUntilOpen(db, breaker);

            proxy.up();
            Awaitility.await("a transaction succeeds after the server is back")
                    .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                    .until(() -> {
                        try {
                            return db.transaction(tx -> tx.dsl().selectOne().fetchOne(0, int.class)) == 1;
                        } catch (DatabaseUnavailableException stillOpen) {
                            return false;
                        }
                    });
            assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
            assertThat(transitions).containsSubsequence("CLOSED_TO_OPEN", "OPEN_TO_HALF_OPEN", "HALF_OPEN_TO_CLOSED");
        }
    }

    /**
     * Once the wait is over, the breaker lets its trial call through (1 here) and refuses the
     * others while it runs, saying so rather than naming the wait that has passed; the trial's
     * success closes it.
     */
    @Test
    void aHalfOpenBreakerRefusesCallsBeyondItsTrialsAndSaysSo(TestDatabase testDb) throws Exception {
        try (TcpProxy proxy = TcpProxy.forJdbcUrl(testDb.jdbcUrl());
             JeexDatabase db = withShortWait(testDb, proxy)) {
            CircuitBreaker breaker = db.runtime().breaker();
            proxy.down();
            failUntilOpen(db, breaker);
            proxy.up();
            Thread.sleep(SHORT_WAIT.toMillis() + 100);

            java.util.concurrent.CountDownLatch inTrial = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.ExecutorService trialThread = java.util.concurrent.Executors.newSingleThreadExecutor();
            try {
                java.util.concurrent.Future<Integer> trial = trialThread.submit(() -> db.transaction(tx -> {
                    int one = tx.dsl().selectOne().fetchOne(0, int.class);
                    inTrial.countDown();
                    release.await();
                    return one;
                }));
                assertThat(inTrial.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("the trial call runs").isTrue();
                assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.HALF_OPEN);

                AtomicInteger ran = new AtomicInteger();
                assertThatThrownBy(() -> db.transaction(TxOptions.named("beyond_the_trials"), tx -> ran.incrementAndGet()))
                        .isInstanceOfSatisfying(DatabaseUnavailableException.class, e -> {
                            assertThat(e).hasCauseInstanceOf(CallNotPermittedException.class);
                            assertThat(e.getMessage()).isEqualTo("the database is unavailable: circuit breaker 'test' "
                                    + "is HALF_OPEN after repeated connection failures; its 1 trial calls are "
                                    + "running, and other calls fail fast until enough of them succeed "
                                    + "[transaction beyond_the_trials]");
                        });
                assertThat(ran).hasValue(0);

                release.countDown();
                assertThat(trial.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1);
                assertThat(breaker.getState()).as("the trial succeeded").isEqualTo(CircuitBreaker.State.CLOSED);
            } finally {
                release.countDown();
                trialThread.shutdownNow();
            }
        }
    }

    @Test
    void aBurstOfConstraintViolationsNeverOpensTheBreaker(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(breakerConfig(testDb, testDb.jdbcUrl()).build())) {
            db.transaction(tx -> tx.dsl().insertInto(USERS).set(USERS.EMAIL, "dup@example.com").set(USERS.NAME, "D")
                    .execute());

            for (int i = 0; i < 20; i++) {
                assertThatThrownBy(() -> db.transaction(tx -> tx.dsl().insertInto(USERS)
                        .set(USERS.EMAIL, "dup@example.com").set(USERS.NAME, "D").execute()))
                        .isInstanceOf(UniqueViolationException.class);
            }

            CircuitBreaker breaker = db.runtime().breaker();
            assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
            assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isZero();
        }
    }

    @Test
    void connectionLostDuringCommitIsNeverRetriedAndReportsAnUnknownOutcome(TestDatabase testDb) throws Exception {
        try (TcpProxy proxy = TcpProxy.forJdbcUrl(testDb.jdbcUrl());
             JeexDatabase db = JeexDatabase.create(breakerConfig(testDb, proxy.proxiedUrl(testDb.jdbcUrl()))
                     .retry(r -> r.withMaxAttempts(5)).build())) {
            AtomicInteger invocations = new AtomicInteger();

            assertThatThrownBy(() -> db.transaction(TxOptions.named("lost_commit").withIdempotent(true), tx -> {
                invocations.incrementAndGet();
                tx.dsl().insertInto(USERS).set(USERS.EMAIL, "c@example.com").set(USERS.NAME, "C").execute();
                proxy.sever(); // the work is done; the connection dies before COMMIT gets an answer
                return null;
            })).isInstanceOfSatisfying(OutcomeUnknownException.class, e -> {
                assertThat(e.attempts()).isEqualTo(1);
                assertThat(e.getMessage()).contains("may or may not have been committed");
            });
            assertThat(invocations).as("not retried, even though marked idempotent").hasValue(1);
        }
    }
}

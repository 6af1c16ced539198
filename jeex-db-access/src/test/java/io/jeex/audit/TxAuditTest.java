package io.jeex.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.jeex.db.JeexDatabase;
import io.jeex.db.error.DatabaseClosedException;
import io.jeex.db.error.TransactionAbortedException;
import io.jeex.db.error.TransactionWorkException;
import io.jeex.db.error.UniqueViolationException;
import io.jeex.db.error.WrongScopeException;
import io.jeex.db.repository.DocumentVersion;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import io.jeex.db.tx.IsolationLevel;
import io.jeex.db.tx.TxOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

@JeexDbTest
class TxAuditTest {

    static final class MyChecked extends Exception {
        MyChecked(String m) {
            super(m);
        }
    }

    @Test
    void ownUncheckedExceptionArrivesUnchangedAndRollsBack(TestDatabase database) {
        try (JeexDatabase db = AuditDb.open(database)) {
            IllegalStateException mine = new IllegalStateException("mine");
            AtomicInteger runs = new AtomicInteger();
            Throwable t = catchThrowable(() -> db.transaction(tx -> {
                runs.incrementAndGet();
                db.actingAsNewUser().users().create("ada@example.com", "Ada");
                throw mine;
            }));
            assertThat(t).isSameAs(mine);
            assertThat(runs).hasValue(1);
            assertThat(db.system().users().byEmail("ada@example.com")).as("rolled back").isEmpty();
        }
    }

    @Test
    void ownCheckedExceptionsAreWrappedOnceNeverRetried(TestDatabase database) {
        try (JeexDatabase db = AuditDb.open(database)) {
            MyChecked mine = new MyChecked("mine");
            AtomicInteger runs = new AtomicInteger();
            Throwable t = catchThrowable(() -> db.transaction(tx -> {
                runs.incrementAndGet();
                throw mine;
            }));
            assertThat(t).isInstanceOf(TransactionWorkException.class).hasCause(mine);
            assertThat(t.getCause()).isSameAs(mine);
            IOException io = new IOException("http call failed", new java.sql.SQLException("other db", "08006"));
            Throwable t2 = catchThrowable(() -> db.transaction(tx -> {
                runs.incrementAndGet();
                throw io;
            }));
            assertThat(t2).isInstanceOf(TransactionWorkException.class);
            assertThat(t2.getCause()).isSameAs(io);
            assertThat(runs).hasValue(2);
        }
    }

    @Test
    void repeatableReadAndSerializableWithRepositoryCalls(TestDatabase database) {
        try (JeexDatabase db = AuditDb.open(database)) {
            User ada = db.actingAsNewUser().users().create("ada@example.com", "Ada");
            Repositories asAda = db.actingAs(ada.id());
            Project engine = asAda.projects().create(ada.id(), "Engine", "en");
            for (IsolationLevel level : List.of(IsolationLevel.REPEATABLE_READ, IsolationLevel.SERIALIZABLE)) {
                Project p = db.transaction(TxOptions.named("iso").withIsolation(level).withActingUser(ada.id()), tx -> {
                    String iso = String.valueOf(tx.dsl().fetchValue("show transaction_isolation"));
                    assertThat(iso).isEqualToIgnoringCase(level.name().replace('_', ' '));
                    Project r = asAda.projects().rename(engine.id(), "Engine " + level);
                    asAda.documents().append(r.id(), "about", "x", Json.EMPTY, ada.id());
                    return r;
                });
                assertThat(p.name()).isEqualTo("Engine " + level);
            }
            // without withActingUser: the first repository call decides (README)
            Project q = db.transaction(TxOptions.named("iso2").withIsolation(IsolationLevel.SERIALIZABLE),
                    tx -> asAda.projects().rename(engine.id(), "Again"));
            assertThat(q.name()).isEqualTo("Again");
            assertThat(asAda.documents().latest(engine.id(), "about")).get()
                    .extracting(DocumentVersion::version).isEqualTo(2);
        }
    }

    @Test
    void aCallForAnotherUserInsideATransactionIsWrongScope(TestDatabase database) {
        try (JeexDatabase db = AuditDb.open(database)) {
            User ada = db.actingAsNewUser().users().create("ada@example.com", "Ada");
            User bob = db.actingAsNewUser().users().create("bob@example.com", "Bob");
            Throwable t = catchThrowable(() -> db.transaction(TxOptions.named("ada").withActingUser(ada.id()),
                    tx -> db.actingAs(bob.id()).projects().create(bob.id(), "Bobs", "en")));
            assertThat(t).isInstanceOf(WrongScopeException.class);
            assertThat(t.getMessage()).doesNotContain("Bobs").doesNotContain(bob.id().toString());
            Throwable t2 = catchThrowable(() -> db.transaction(tx -> {
                db.actingAs(ada.id()).projects().create(ada.id(), "A", "en");
                return db.actingAs(bob.id()).projects().create(bob.id(), "B", "en");
            }));
            assertThat(t2).isInstanceOf(WrongScopeException.class);
            Throwable t3 = catchThrowable(() -> db.transaction(TxOptions.named("ada").withActingUser(ada.id()),
                    tx -> db.transaction(TxOptions.named("bob").withActingUser(bob.id()), tx2 -> 1)));
            assertThat(t3).as("nested transaction for another user").isInstanceOf(WrongScopeException.class);
            Throwable t4 = catchThrowable(() -> db.transaction(TxOptions.named("ada").withActingUser(ada.id()),
                    tx -> db.system().users().byEmail("bob@example.com")));
            assertThat(t4).as("system call inside a pool transaction").isInstanceOf(WrongScopeException.class);
            assertThat(db.actingAs(ada.id()).projects().listByOwner(ada.id(), java.util.Optional.empty(), 10,
                    java.util.Optional.empty()).items()).isEmpty();
        }
    }

    @Test
    void caughtFailureInsideWorkIsTransactionAborted(TestDatabase database) {
        try (JeexDatabase db = AuditDb.open(database)) {
            db.actingAsNewUser().users().create("ada@example.com", "Ada");
            Throwable t = catchThrowable(() -> db.transaction(tx -> {
                Repositories signUp = db.actingAsNewUser();
                try {
                    signUp.users().create("ADA@example.com", "Again");
                } catch (UniqueViolationException expected) {
                    return "swallowed";
                }
                return "no";
            }));
            assertThat(t).isInstanceOf(TransactionAbortedException.class);
        }
    }

    @Test
    void eightThreadsAppendingVersionsGetGaplessNumbers(TestDatabase database) throws Exception {
        try (JeexDatabase db = AuditDb.open(database)) {
            User ada = db.actingAsNewUser().users().create("ada@example.com", "Ada");
            Repositories asAda = db.actingAs(ada.id());
            Project p = asAda.projects().create(ada.id(), "Concurrent", "en");
            int threads = 8;
            int each = 10;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<Integer>>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    start.await();
                    List<Integer> mine = new ArrayList<>();
                    for (int k = 0; k < each; k++) {
                        if (n % 2 == 0) {
                            mine.add(asAda.documents().append(p.id(), "about", "t" + n + "-" + k, Json.EMPTY, ada.id()).version());
                        } else {
                            mine.add(db.transaction(TxOptions.named("rr").withIsolation(IsolationLevel.REPEATABLE_READ),
                                    tx -> asAda.documents().append(p.id(), "about", "t" + n, Json.EMPTY, ada.id()).version()));
                        }
                    }
                    return mine;
                }));
            }
            start.countDown();
            List<Integer> all = new ArrayList<>();
            for (Future<List<Integer>> f : futures) {
                all.addAll(f.get(60, TimeUnit.SECONDS));
            }
            pool.shutdown();
            assertThat(all.stream().sorted().collect(Collectors.toList()))
                    .isEqualTo(IntStream.rangeClosed(1, threads * each).boxed().collect(Collectors.toList()));
        }
    }

    @Test
    void closeLetsRunningWorkFinishAndRefusesNewWork(TestDatabase database) throws Exception {
        JeexDatabase db = JeexDatabase.create(AuditDb.builder(database).drainTimeout(Duration.ofSeconds(5)).build());
        User ada = db.actingAsNewUser().users().create("ada@example.com", "Ada");
        CountDownLatch running = new CountDownLatch(1);
        ExecutorService ex = Executors.newSingleThreadExecutor();
        Future<Project> f = ex.submit(() -> db.transaction(TxOptions.named("slow").withActingUser(ada.id()), tx -> {
            running.countDown();
            tx.dsl().execute("select pg_sleep(1)");
            return db.actingAs(ada.id()).projects().create(ada.id(), "During close", "en");
        }));
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        long t0 = System.nanoTime();
        db.close();
        long closeMs = (System.nanoTime() - t0) / 1_000_000;
        Project p = f.get(10, TimeUnit.SECONDS);
        assertThat(p.name()).isEqualTo("During close");
        assertThat(closeMs).isLessThan(5000);
        assertThat(catchThrowable(() -> db.transaction(tx -> 1))).isInstanceOf(DatabaseClosedException.class);
        assertThat(catchThrowable(() -> db.actingAs(ada.id()).users().byId(ada.id()))).isInstanceOf(DatabaseClosedException.class);
        assertThat(catchThrowable(() -> db.system().users().byEmail("ada@example.com"))).isInstanceOf(DatabaseClosedException.class);
        assertThat(catchThrowable(db::migrate)).isInstanceOf(DatabaseClosedException.class);
        assertThat(db.health().status()).isEqualTo(io.jeex.db.health.HealthStatus.DOWN);
        ex.shutdown();
        try (JeexDatabase again = AuditDb.open(database)) {
            assertThat(again.system().users().byId(ada.id())).isPresent();
            assertThat(again.actingAs(ada.id()).projects().byId(p.id())).isPresent();
        }
    }

    @Test
    void closeCancelsWorkThatOutlivesTheDrain(TestDatabase database) throws Exception {
        JeexDatabase db = JeexDatabase.create(AuditDb.builder(database).drainTimeout(Duration.ofMillis(300)).build());
        CountDownLatch running = new CountDownLatch(1);
        ExecutorService ex = Executors.newSingleThreadExecutor();
        Future<Integer> f = ex.submit(() -> db.transaction(tx -> {
            running.countDown();
            tx.dsl().execute("select pg_sleep(20)");
            return 1;
        }));
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(100);
        long t0 = System.nanoTime();
        db.close();
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5000);
        Throwable t = catchThrowable(() -> f.get(10, TimeUnit.SECONDS));
        assertThat(t).hasCauseInstanceOf(DatabaseClosedException.class);
        ex.shutdown();
    }

    @Test
    void ownSqlViaDslIsUnderRlsWithActingUser(TestDatabase database) {
        try (JeexDatabase db = AuditDb.open(database)) {
            User ada = db.actingAsNewUser().users().create("ada@example.com", "Ada");
            db.actingAs(ada.id()).projects().create(ada.id(), "P", "en");
            int seenByAda = db.readOnly(TxOptions.named("count").withActingUser(ada.id()),
                    tx -> tx.dsl().fetchCount(DSL.table("projects")));
            int seenByNobody = db.readOnly(tx -> tx.dsl().fetchCount(DSL.table("projects")));
            int seenBySystem = db.readOnly(TxOptions.named("count").asSystem(),
                    tx -> tx.dsl().fetchCount(DSL.table("projects")));
            assertThat(seenByAda).isEqualTo(1);
            assertThat(seenByNobody).isZero();
            assertThat(seenBySystem).isEqualTo(1);
        }
    }
}

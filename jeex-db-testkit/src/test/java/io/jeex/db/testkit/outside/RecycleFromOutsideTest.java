package io.jeex.db.testkit.outside;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.TestkitSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;

/**
 * {@link TestkitSettings#RECYCLE} as README describes it, seen from a service's test suite with the
 * public API only: every database is fresh, and closing one does not cost a checkpoint (a drop would
 * request one each).
 */
class RecycleFromOutsideTest {

    @Test
    void thirtyShortTestsEachGetAFreshDatabaseAndCloseWithoutACheckpointEach() {
        JeexPostgres own = startRecycling();
        try {
            long checkpointsBefore;
            try (TestDatabase first = own.newDatabase()) {
                checkpointsBefore = checkpointsRequested(first.dsl());
                writeAUserAndAProject(first.dsl());
            }
            Set<String> names = new HashSet<>();
            TestDatabase last = null;
            for (int test = 0; test < 30; test++) {
                TestDatabase db = own.newDatabase();
                assertThat(names.add(db.name())).as("a name is never handed out twice").isTrue();
                assertThat(db.dsl().fetchValue("select count(*) from users")).as("test %d starts empty", test)
                        .isEqualTo(0L);
                assertThat(db.dsl().fetchValue("select count(*) from projects")).isEqualTo(0L);
                writeAUserAndAProject(db.dsl());
                if (test < 29) {
                    db.close();
                } else {
                    last = db;
                }
            }
            try (TestDatabase observer = last) {
                // drops in the background would request about 30 while this holds (each drop one)
                assertFewerThanTenCheckpointsSince(observer, checkpointsBefore, "30 closed databases");
            }
        } finally {
            own.shutdown();
        }
    }

    /**
     * A suite run with JUnit's parallel execution, twelve tests at a time: while they run, the
     * prefetcher fills up, and their databases come back all at once. They must be recycled even
     * then: dropping them because enough clones are ready would cost a checkpoint each.
     */
    @Test
    void twelveTestsAtATimeCloseWithoutACheckpointEach() throws Exception {
        JeexPostgres own = startRecycling();
        int parallel = 12;
        int rounds = 3;
        ExecutorService workers = Executors.newFixedThreadPool(parallel);
        try {
            long checkpointsBefore;
            try (TestDatabase first = own.newDatabase()) {
                checkpointsBefore = checkpointsRequested(first.dsl());
            }
            Set<String> names = ConcurrentHashMap.newKeySet();
            CyclicBarrier allOpen = new CyclicBarrier(parallel);
            List<Future<?>> tests = new ArrayList<>();
            for (int worker = 0; worker < parallel; worker++) {
                tests.add(workers.submit(() -> {
                    for (int round = 0; round < rounds; round++) {
                        try (TestDatabase db = own.newDatabase()) {
                            assertThat(names.add(db.name())).as("a name is never handed out twice").isTrue();
                            assertThat(db.dsl().fetchValue("select count(*) from users")).as("starts empty")
                                    .isEqualTo(0L);
                            writeAUserAndAProject(db.dsl());
                            allOpen.await(60, TimeUnit.SECONDS);
                            Thread.sleep(1_000); // the test's own work: the prefetcher fills up meanwhile
                        }
                        allOpen.await(60, TimeUnit.SECONDS);
                    }
                    return null;
                }));
            }
            for (Future<?> test : tests) {
                test.get(120, TimeUnit.SECONDS);
            }
            try (TestDatabase observer = own.newDatabase()) {
                assertFewerThanTenCheckpointsSince(observer, checkpointsBefore, "36 databases closed 12 at a time");
            }
        } finally {
            workers.shutdownNow();
            own.shutdown();
        }
    }

    private static JeexPostgres startRecycling() {
        return JeexPostgres.start(TestkitSettings.of(Map.of(TestkitSettings.PROVIDER, "embedded",
                TestkitSettings.RECYCLE, "true"), Map.of()));
    }

    /** Holds for 3 s: drops still running in the background would push the count past 10. */
    private static void assertFewerThanTenCheckpointsSince(TestDatabase observer, long before, String closed) {
        DSLContext dsl = observer.dsl();
        Awaitility.await("fewer than 10 checkpoints requested by " + closed + ", for 3 s")
                .during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> checkpointsRequested(dsl) - before < 10);
    }

    private static void writeAUserAndAProject(DSLContext dsl) {
        UUID user = UUID.randomUUID();
        dsl.execute("insert into users (id, email, name) values (?, ?, 'Test')", user, user + "@example.com");
        dsl.execute("insert into projects (name, created_by) values ('P', ?)", user);
    }

    private static long checkpointsRequested(DSLContext dsl) {
        return ((Number) dsl.fetchValue("select num_requested from pg_stat_checkpointer")).longValue();
    }
}

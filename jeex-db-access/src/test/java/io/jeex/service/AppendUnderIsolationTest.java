package io.jeex.service;

import static io.jeex.db.codegen.Tables.DOCUMENT_VERSIONS;
import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.JeexDatabase;
import io.jeex.db.repository.DocumentVersion;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import io.jeex.db.tx.IsolationLevel;
import io.jeex.db.tx.TxOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * README's own pattern: a repository call joined to the service's transaction, with the
 * isolation level the service chose. Appends to one document from 16 threads, 10 each, each
 * inside a transaction of that level: every number from 1 to 160 exactly once, and no failure
 * reaches a caller.
 */
@JeexDbTest
class AppendUnderIsolationTest {

    private static final int THREADS = 16;
    private static final int APPENDS = 10;

    @ParameterizedTest
    @EnumSource(IsolationLevel.class)
    void concurrentAppendsJoinedToTheServicesTransactionNumberEveryVersionOnce(IsolationLevel level,
                                                                              TestDatabase testDb) throws Exception {
        try (JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(testDb).poolSize(THREADS).build())) {
            Repositories me = db.actingAsNewUser();
            User ada = me.users().create("ada@example.com", "Ada");
            Project project = me.projects().create(ada.id(), "Engine", "en");
            TxOptions options = TxOptions.named("append_in_" + level.name().toLowerCase()).withIsolation(level);
            CyclicBarrier start = new CyclicBarrier(THREADS);
            Map<String, Integer> failures = new ConcurrentHashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<List<Integer>>> results = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    results.add(pool.submit(() -> {
                        start.await();
                        List<Integer> mine = new ArrayList<>();
                        for (int i = 0; i < APPENDS; i++) {
                            try {
                                DocumentVersion v = db.transaction(options, tx -> me.documents()
                                        .append(project.id(), "about", "text", Json.EMPTY, ada.id()));
                                mine.add(v.version());
                            } catch (RuntimeException e) {
                                failures.merge(e.getClass().getSimpleName(), 1, Integer::sum);
                            }
                        }
                        return mine;
                    }));
                }
                List<Integer> acknowledged = new ArrayList<>();
                for (Future<List<Integer>> f : results) {
                    acknowledged.addAll(f.get(120, TimeUnit.SECONDS));
                }

                assertThat(failures).as("failures that reached a caller under %s", level).isEmpty();
                assertThat(acknowledged).containsExactlyInAnyOrderElementsOf(
                        IntStream.rangeClosed(1, THREADS * APPENDS).boxed().toList());
                assertThat(testDb.dsl().select(DOCUMENT_VERSIONS.VERSION).from(DOCUMENT_VERSIONS)
                        .orderBy(DOCUMENT_VERSIONS.VERSION).fetch(DOCUMENT_VERSIONS.VERSION))
                        .containsExactlyElementsOf(IntStream.rangeClosed(1, THREADS * APPENDS).boxed().toList());
            } finally {
                pool.shutdownNow();
            }
        }
    }
}

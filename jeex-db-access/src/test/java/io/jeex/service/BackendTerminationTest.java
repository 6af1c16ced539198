package io.jeex.service;

import static io.jeex.db.codegen.Tables.DOCUMENT_VERSIONS;
import static io.jeex.db.codegen.Tables.PROJECTS;
import static io.jeex.db.codegen.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.JeexDatabase;
import io.jeex.db.repository.DocumentVersion;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The application's backends are terminated ({@code pg_terminate_backend}) every 200 ms while
 * four threads use the repositories. The repositories' own writes resolve their outcome: no call
 * surfaces "outcome unknown" or a retryable connection failure, every acknowledged write is
 * stored exactly once, and nothing unacknowledged is half there.
 */
@JeexDbTest
class BackendTerminationTest {

    private static final Duration RUN = Duration.ofSeconds(8);
    private static final int THREADS = 4;

    @Test
    void repositoryWritesSurviveTerminatedBackendsWithoutSurfacingUnknownOutcomes(TestDatabase testDb) throws Exception {
        String app = "kill-" + UUID.randomUUID().toString().substring(0, 8);
        try (JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(testDb).pool(p -> p.withApplicationName(app))
                .poolSize(THREADS).build())) {
            Repositories mine = db.actingAsNewUser();
            User owner = mine.users().create("owner@example.com", "Owner");
            Project shared = mine.projects().create(owner.id(), "Shared", "en");
            Map<String, AtomicInteger> surfaced = new ConcurrentHashMap<>();
            Set<UUID> users = ConcurrentHashMap.newKeySet();
            Set<UUID> projects = ConcurrentHashMap.newKeySet();
            Set<Integer> versions = ConcurrentHashMap.newKeySet();
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger kills = new AtomicInteger();
            AtomicInteger calls = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
            try {
                Future<?> killer = pool.submit(() -> {
                    try (Connection admin = DriverManager.getConnection(testDb.jdbcUrl(), testDb.user(),
                            testDb.password()); Statement s = admin.createStatement()) {
                        while (running.get()) {
                            try (var rs = s.executeQuery("select count(pg_terminate_backend(pid)) from pg_stat_activity"
                                    + " where application_name = '" + app + "'")) {
                                rs.next();
                                kills.addAndGet(rs.getInt(1));
                            }
                            TimeUnit.MILLISECONDS.sleep(200); // the rhythm of the fault, not a wait for a condition
                        }
                    }
                    return null;
                });
                List<Future<?>> workers = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int thread = t;
                    workers.add(pool.submit(() -> {
                        for (int i = 0; running.get(); i++) {
                            calls.incrementAndGet();
                            try {
                                switch (i % 4) {
                                    case 0 -> users.add(db.actingAsNewUser().users().create("u" + thread + "-" + i + "@example.com",
                                            "User").id());
                                    case 1 -> projects.add(mine.projects().create(owner.id(), "P" + thread + "-" + i,
                                            "en").id());
                                    case 2 -> {
                                        DocumentVersion v = mine.documents().append(shared.id(), "notes", "n",
                                                Json.EMPTY, owner.id());
                                        assertThat(versions.add(v.version())).as("version %s twice", v.version())
                                                .isTrue();
                                    }
                                    default -> mine.users().updateName(owner.id(), "Owner " + i);
                                }
                            } catch (RuntimeException e) {
                                if (surfaced.isEmpty()) { e.printStackTrace(); }
                                surfaced.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicInteger())
                                        .incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                TimeUnit.NANOSECONDS.sleep(RUN.toNanos()); // the length of the run
                running.set(false);
                for (Future<?> w : workers) {
                    w.get(60, TimeUnit.SECONDS);
                }
                killer.get(60, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }

            System.out.printf("%d repository calls, %d backends terminated, surfaced: %s%n", calls.get(), kills.get(),
                    surfaced);
            assertThat(kills.get()).as("the fault happened").isGreaterThan(10);
            assertThat(surfaced).as("failures that reached a caller").isEmpty();
            List<UUID> storedUsers = testDb.dsl().select(USERS.ID).from(USERS).fetch(USERS.ID);
            assertThat(storedUsers).containsAll(users).doesNotHaveDuplicates();
            assertThat(testDb.dsl().select(PROJECTS.ID).from(PROJECTS).fetch(PROJECTS.ID)).containsAll(projects)
                    .hasSize(projects.size() + 1);
            List<Integer> storedVersions = testDb.dsl().select(DOCUMENT_VERSIONS.VERSION).from(DOCUMENT_VERSIONS)
                    .where(DOCUMENT_VERSIONS.PROJECT_ID.eq(shared.id())).orderBy(DOCUMENT_VERSIONS.VERSION)
                    .fetch(DOCUMENT_VERSIONS.VERSION);
            assertThat(storedVersions).containsAll(versions);
            for (int k = 0; k < storedVersions.size(); k++) {
                assertThat(storedVersions.get(k)).as("versions are gap-free").isEqualTo(k + 1);
            }
            // Without surfaced failures, every stored row was acknowledged: nothing is stored twice.
            assertThat(storedUsers).hasSize(users.size() + 1);
            assertThat(storedVersions).hasSize(versions.size());
        }
    }
}

package io.jeex.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jeex.db.JeexDatabase;
import io.jeex.db.error.UniqueViolationException;
import io.jeex.db.health.HealthReport;
import io.jeex.db.health.HealthStatus;
import io.jeex.db.repository.Project;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * What a JEEX service's integration test looks like with jeex-db-junit: each test receives a
 * ready {@link JeexDatabase} on a database of its own, cloned from a template that holds
 * jeex-db's migrations and the service's (src/test/resources/jeex-db-test.properties).
 */
// README: service-test
@JeexDbTest
class IdeaServiceTest {

    @Test
    void votesCountOncePerUser(JeexDatabase db) {
        IdeaService service = new IdeaService(db);          // the database is migrated already
        Project project = service.signUpWithIdea("ada@example.com", "Ada", "An engine that computes.");

        assertTrue(service.vote(project.id(), project.ownerId()));
        assertFalse(service.vote(project.id(), project.ownerId()), "a second vote of the same user");
        assertEquals(1, service.votesFor(project.ownerId()));
    }
    // README: end

    @Test
    void signUpStoresTheUserProjectAndIdea(JeexDatabase db) {
        IdeaService service = new IdeaService(db);
        Project project = service.signUpWithIdea("ada@example.com", "Ada", "An engine that computes.");
        assertEquals(1, db.actingAs(project.ownerId()).documents().latest(project.id(), "about")
                .orElseThrow().version());
        assertTrue(db.system().users().byEmail("ADA@example.com").isPresent());
        // another user reaches none of it: the injected database runs under row-level security
        assertTrue(db.actingAsNewUser().projects().byId(project.id()).isEmpty());
    }

    // README: service-duplicate
    @Test
    void aDuplicateEmailIsATypedErrorAndLeavesNothingHalfDone(JeexDatabase db, TestDatabase database) {
        IdeaService service = new IdeaService(db);
        service.signUpWithIdea("ada@example.com", "Ada", "First idea.");
        UniqueViolationException e = assertThrows(UniqueViolationException.class,
                () -> service.signUpWithIdea("Ada@Example.com", "Ada again", "Second idea."));
        assertTrue(e.getMessage().contains("a user with this email already exists"), e.getMessage());
        assertEquals(1L, database.dsl().fetchValue("select count(*) from projects"));
    }
    // README: end

    @Test
    void healthIsUpAndReadyWithTheServicesMigrationsToo(JeexDatabase db) {
        HealthReport health = db.health();
        assertEquals(HealthStatus.UP, health.status(), health.toJson());
        assertTrue(health.ready());
        assertTrue(db.migrations().stream().anyMatch(m -> m.owner().equals("ideas") && m.applied()),
                "the service's migration is in the template");
    }

    @Test
    void concurrentRevisionsGetConsecutiveVersions(JeexDatabase db) throws Exception {
        IdeaService service = new IdeaService(db);
        Project project = service.signUpWithIdea("ada@example.com", "Ada", "v1");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> versions = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int n = i;
                versions.add(pool.submit(() -> service.reviseIdea(project, "revision " + n).version()));
            }
            List<Integer> got = new ArrayList<>();
            for (Future<Integer> f : versions) {
                got.add(f.get(60, TimeUnit.SECONDS));
            }
            got.sort(null);
            assertEquals(IntStream.rangeClosed(2, 41).boxed().toList(), got);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void startMigratesAnEmptyDatabaseWithTheServicesOwnMigrations() {
        try (TestDatabase empty = io.jeex.db.testkit.JeexPostgres.shared().newEmptyDatabase();
             IdeaService service = IdeaService.start(io.jeex.db.JeexDbConfig.builder(empty.jdbcUrl())
                     .user(empty.user()).password(empty.password().isEmpty() ? null : empty.password()).build())) {
            assertTrue(service.database().health().ready());
            assertEquals(1L, empty.dsl().fetchValue("select count(*) from ideas_schema_history where version = '1'"));
        }
    }
}

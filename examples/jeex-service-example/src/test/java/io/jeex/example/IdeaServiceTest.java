package io.jeex.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.JeexDbConfig;
import io.jeex.db.error.UniqueViolationException;
import io.jeex.db.health.HealthReport;
import io.jeex.db.health.HealthStatus;
import io.jeex.db.repository.Project;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a JEEX service's integration test looks like with jeex-db-testkit. */
class IdeaServiceTest {

    private TestDatabase database;
    private IdeaService service;

    // README: service-test
    @BeforeEach
    void start() {
        database = JeexPostgres.shared().newDatabase();           // a real PostgreSQL 18, migrated
        service = new IdeaService(JeexDbConfig.builder(database.jdbcUrl())
                .user(database.appUser()).password(database.appPassword())           // under row-level security
                .migrationUser(database.user()).migrationPassword(database.password()) // migrations, system mode
                .poolSize(4).build());
    }

    @AfterEach
    void stop() {
        service.close();
        database.close();
    }
    // README: end

    @Test
    void signUpMigratesAndStoresTheUserProjectAndIdea() {
        Project project = service.signUpWithIdea("ada@example.com", "Ada", "An engine that computes.");
        assertThat(service.database().actingAs(project.ownerId()).documents().latest(project.id(), "about")
                .orElseThrow().version()).isOne();
        assertThat(service.database().system().users().byEmail("ADA@example.com")).isPresent();
        // another user reaches none of it
        assertThat(service.database().actingAsNewUser().projects().byId(project.id())).isEmpty();
    }

    // README: service-duplicate
    @Test
    void aDuplicateEmailIsATypedErrorAndLeavesNothingHalfDone() {
        service.signUpWithIdea("ada@example.com", "Ada", "First idea.");
        assertThatThrownBy(() -> service.signUpWithIdea("Ada@Example.com", "Ada again", "Second idea."))
                .isInstanceOf(UniqueViolationException.class)
                .hasMessageContaining("a user with this email already exists");
        assertThat(database.dsl().fetchValue("select count(*) from projects")).isEqualTo(1L);
    }
    // README: end

    @Test
    void healthIsUpAndReadyOnceMigrated() {
        HealthReport health = service.database().health();
        assertThat(health.status()).as(health.toJson()).isEqualTo(HealthStatus.UP);
        assertThat(health.live()).isTrue();
        assertThat(health.ready()).isTrue();
        assertThat(health.toJson()).contains("\"status\"");
    }

    @Test
    void concurrentRevisionsGetConsecutiveVersions() throws Exception {
        Project project = service.signUpWithIdea("ada@example.com", "Ada", "v1");
        ExecutorService pool = Executors.newFixedThreadPool(8);
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
            assertThat(got).containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(2, 41).boxed().toList());
        } finally {
            pool.shutdownNow();
        }
    }
}

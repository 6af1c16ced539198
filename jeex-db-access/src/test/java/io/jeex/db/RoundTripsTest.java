package io.jeex.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.error.IllegalTransitionException;
import io.jeex.db.error.NotFoundException;
import io.jeex.db.repository.AgentExecution;
import io.jeex.db.repository.ExecutionStatus;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.NewAgentExecution;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.ProjectStatus;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * The repositories' guarded status changes and batch insert are one statement each, so their
 * first attempt runs it auto-committed: one round trip, where a transaction would take two
 * (BEGIN with the statement, then COMMIT). Counted as the server's ReadyForQuery messages through
 * a proxy, the minimum of three calls (a call may also pay a pool validation or a type lookup).
 * As the application role, so that the acting user travels with the statement.
 */
@JeexDbTest
class RoundTripsTest {

    private static final int TRIES = 3;

    @Test
    void guardedChangesAndBatchInsertsTakeOneRoundTripOnTheirFirstAttempt(TestDatabase testDb) throws Exception {
        try (TcpProxy proxy = TcpProxy.forJdbcUrl(testDb.jdbcUrl());
             JeexDatabase db = JeexDatabase.create(TestConfigs.asApplication(testDb).url(proxy.proxiedUrl(testDb.jdbcUrl()))
                     .build())) {
            Repositories ada = db.actingAsNewUser();
            User user = ada.users().create("ada@example.com", "Ada");
            Repositories as = db.actingAs(user.id());

            // the counter tells one round trip from more: a caller's one-statement transaction takes
            // at least two (BEGIN and its settings with the statement, then COMMIT)
            assertThat(fewest(proxy, () -> db.transaction(tx -> tx.dsl().selectOne().fetchOne(0, int.class))))
                    .isGreaterThanOrEqualTo(2);

            List<Project> projects = new ArrayList<>();
            for (int i = 0; i < TRIES; i++) {
                projects.add(as.projects().create(user.id(), "Project " + i, "en"));
            }
            int[] next = {0};
            assertThat(fewest(proxy, () -> {
                Project changed = as.projects().changeStatus(projects.get(next[0]++).id(), ProjectStatus.IN_PROGRESS);
                assertThat(changed.status()).isEqualTo(ProjectStatus.IN_PROGRESS);
                return 0;
            })).as("projects().changeStatus").isEqualTo(1);

            List<AgentExecution> running = new ArrayList<>();
            for (int i = 0; i < 2 * TRIES; i++) {
                running.add(as.agentExecutions().start(projects.get(0).id(), "analyst", UUID.randomUUID(), Json.EMPTY));
            }
            int[] done = {0};
            assertThat(fewest(proxy, () -> {
                AgentExecution completed = as.agentExecutions().complete(running.get(done[0]++).id(),
                        Json.of("{\"ok\":true}"));
                assertThat(completed.status()).isEqualTo(ExecutionStatus.COMPLETED);
                assertThat(completed.output().map(Json::text)).contains("{\"ok\": true}"); // as the server prints jsonb
                return 0;
            })).as("agentExecutions().complete").isEqualTo(1);
            assertThat(fewest(proxy, () -> {
                AgentExecution failed = as.agentExecutions().fail(running.get(done[0]++).id(), "timed out");
                assertThat(failed.status()).isEqualTo(ExecutionStatus.FAILED);
                assertThat(failed.errorMessage()).contains("timed out");
                return 0;
            })).as("agentExecutions().fail").isEqualTo(1);

            Instant start = Instant.now().minus(1, ChronoUnit.HOURS);
            List<NewAgentExecution> batch = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                batch.add(new NewAgentExecution(projects.get(1).id(), "writer", UUID.randomUUID(), Json.EMPTY, null,
                        ExecutionStatus.RUNNING, null, start, null));
            }
            assertThat(fewest(proxy, () -> as.agentExecutions().insertBatch(batch))).as("insertBatch").isEqualTo(1);
            assertThat(as.agentExecutions().byProject(projects.get(1).id(), 200)).hasSize(TRIES * batch.size());

            // a refused change reads the status in a second call: two round trips, and the right error
            UUID completed = running.get(0).id();
            assertThat(fewest(proxy, () -> {
                assertThatThrownBy(() -> as.agentExecutions().complete(completed, Json.EMPTY))
                        .isInstanceOfSatisfying(IllegalTransitionException.class,
                                e -> assertThat(e.getMessage()).contains("completed"));
                return 0;
            })).isEqualTo(2);
            assertThatThrownBy(() -> as.projects().changeStatus(UUID.randomUUID(), ProjectStatus.ARCHIVED))
                    .isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> as.projects().changeStatus(projects.get(2).id(), ProjectStatus.DRAFT))
                    .isInstanceOf(IllegalTransitionException.class);
        }
    }

    /** @return the fewest round trips one call of {@code call} took, over {@link #TRIES} calls */
    private static long fewest(TcpProxy proxy, Call call) throws Exception {
        long fewest = Long.MAX_VALUE;
        for (int i = 0; i < TRIES; i++) {
            LongSupplier count = proxy::readyForQuery;
            long before = count.getAsLong();
            call.run();
            fewest = Math.min(fewest, count.getAsLong() - before);
        }
        return fewest;
    }

    @FunctionalInterface
    private interface Call {
        Object run() throws Exception;
    }
}

package io.jeex.db.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.error.ForeignKeyViolationException;
import io.jeex.db.error.IllegalTransitionException;
import io.jeex.db.error.InvalidInputException;
import io.jeex.db.error.NotFoundException;
import io.jeex.db.error.RowSecurityException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AgentExecutionRepositoryTest extends RepositoryTestBase {

    @Test
    void startCompleteAndFailAndTerminalStatesAreImmutable() {
        Project p = project();
        Repositories mine = as(p);
        UUID correlation = UUID.randomUUID();
        AgentExecution a = mine.agentExecutions().start(p.id(), "business_analyst", correlation,
                Json.of("{\"idea\": \"x\"}"));
        assertThat(a.status()).isEqualTo(ExecutionStatus.RUNNING);
        assertThat(a.completedAt()).isEmpty();

        AgentExecution done = mine.agentExecutions().complete(a.id(), Json.of("{\"answer\": 42}"));
        assertThat(done.status()).isEqualTo(ExecutionStatus.COMPLETED);
        assertThat(done.output().orElseThrow().text()).contains("42");
        assertThat(done.completedAt().orElseThrow()).isAfterOrEqualTo(done.startedAt());

        assertThatThrownBy(() -> mine.agentExecutions().fail(a.id(), "too late"))
                .isInstanceOf(IllegalTransitionException.class).hasMessageContaining("from completed to failed");
        assertThatThrownBy(() -> mine.agentExecutions().complete(a.id(), null))
                .isInstanceOf(IllegalTransitionException.class);
        assertThat(mine.agentExecutions().byId(a.id())).contains(done);

        AgentExecution b = mine.agentExecutions().start(p.id(), "architect", correlation, null);
        AgentExecution failed = mine.agentExecutions().fail(b.id(), "model timed out");
        assertThat(failed.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(failed.errorMessage()).contains("model timed out");
        assertThatThrownBy(() -> mine.agentExecutions().complete(b.id(), null))
                .isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> mine.agentExecutions().complete(UUID.randomUUID(), null))
                .isInstanceOf(NotFoundException.class);

        assertThat(mine.agentExecutions().byCorrelationId(correlation)).extracting(AgentExecution::id)
                .containsExactly(a.id(), b.id());
        assertThat(mine.agentExecutions().byProject(p.id(), 10)).extracting(AgentExecution::id)
                .containsExactly(b.id(), a.id());
        assertThat(mine.agentExecutions().byProject(p.id(), 1)).hasSize(1);
    }

    @Test
    void batchInsertStoresEveryRowExactly() {
        Project p = project();
        Repositories mine = as(p);
        UUID correlation = UUID.randomUUID();
        Instant t0 = Instant.parse("2026-11-25T10:00:00.123456Z");
        List<NewAgentExecution> batch = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            batch.add(NewAgentExecution.completed(p.id(), "logger", correlation, Json.of("{\"i\": " + i + "}"),
                    Json.of("{\"ok\": true}"), t0.plusSeconds(i), t0.plusSeconds(i + 1)));
        }
        batch.add(new NewAgentExecution(p.id(), "logger", correlation, null, null, ExecutionStatus.RUNNING, null,
                t0, null));
        assertThat(mine.agentExecutions().insertBatch(batch)).isEqualTo(501);
        assertThat(mine.agentExecutions().insertBatch(List.of())).isZero();

        List<AgentExecution> stored = mine.agentExecutions().byCorrelationId(correlation);
        assertThat(stored).hasSize(501);
        AgentExecution last = mine.agentExecutions().byProject(p.id(), 1).get(0);
        assertThat(last.startedAt()).isEqualTo(t0.plusSeconds(499));
        assertThat(last.completedAt()).contains(t0.plusSeconds(500));
        assertThat(last.input().orElseThrow().text()).contains("499");
        assertThat(stored).filteredOn(e -> e.status() == ExecutionStatus.RUNNING).hasSize(1);
        assertThat(stored.get(0).startedAt().truncatedTo(ChronoUnit.MICROS)).isEqualTo(t0);
    }

    @Test
    void aBadRowFailsTheWholeBatchBeforeAnythingIsSent() {
        Project p = project();
        Repositories mine = as(p);
        Instant now = Instant.now();
        List<NewAgentExecution> batch = new ArrayList<>();
        batch.add(NewAgentExecution.completed(p.id(), "a", UUID.randomUUID(), null, null, now, now));
        batch.add(NewAgentExecution.completed(p.id(), "a", UUID.randomUUID(), null, null, now, now.minusSeconds(1)));
        assertThatThrownBy(() -> mine.agentExecutions().insertBatch(batch))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("executions[1].completed_at");
        batch.set(1, new NewAgentExecution(p.id(), "a", UUID.randomUUID(), null, null, ExecutionStatus.FAILED, "x",
                now, null));
        assertThatThrownBy(() -> mine.agentExecutions().insertBatch(batch)).isInstanceOf(InvalidInputException.class);
        batch.set(1, NewAgentExecution.completed(UUID.randomUUID(), "a", UUID.randomUUID(), null, null, now, now));
        // a row outside the acting user's projects fails the whole batch (the policy's check)
        assertThatThrownBy(() -> mine.agentExecutions().insertBatch(batch))
                .isInstanceOf(RowSecurityException.class);
        // in system mode, the foreign key: the project does not exist
        assertThatThrownBy(() -> db.system().agentExecutions().insertBatch(batch))
                .isInstanceOf(ForeignKeyViolationException.class);
        assertThat(count("agent_executions")).isZero();
    }

    @Test
    void badInputIsRejectedAndNothingIsStored() {
        Project p = project();
        Repositories mine = as(p);
        assertThatThrownBy(() -> mine.agentExecutions().start(p.id(), " ", UUID.randomUUID(), null))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> mine.agentExecutions().start(p.id(), "x".repeat(51), UUID.randomUUID(), null))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> mine.agentExecutions().start(p.id(), "a", null, null))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> mine.agentExecutions().start(UUID.randomUUID(), "a", UUID.randomUUID(), null))
                .isInstanceOf(RowSecurityException.class);
        assertThatThrownBy(() -> db.system().agentExecutions().start(UUID.randomUUID(), "a", UUID.randomUUID(), null))
                .isInstanceOf(ForeignKeyViolationException.class);
        AgentExecution a = mine.agentExecutions().start(p.id(), "a", UUID.randomUUID(), null);
        assertThatThrownBy(() -> mine.agentExecutions().fail(a.id(), "")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> mine.agentExecutions().fail(a.id(), "disk full\u0000"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("error_message must not contain the NUL");
        assertThatThrownBy(() -> mine.agentExecutions().fail(a.id(), "x".repeat(64 * 1024 + 1)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("at most 65536 characters");
        assertThatThrownBy(() -> mine.agentExecutions().complete(a.id(), Json.of("{\"a\": 1, \"a\": 1}")))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> mine.agentExecutions().start(p.id(), "a\uD800", UUID.randomUUID(), null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("agent_type");
        assertThatThrownBy(() -> mine.agentExecutions().byProject(p.id(), 0)).isInstanceOf(InvalidInputException.class)
                .hasMessage("limit must be between 1 and 1000");
        assertThatThrownBy(() -> mine.agentExecutions().byProject(p.id(), 1001)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> mine.agentExecutions().byProject(null, 10)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> mine.agentExecutions().byCorrelationId(null)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> mine.agentExecutions().insertBatch(null)).isInstanceOf(InvalidInputException.class)
                .hasMessage("executions must not be null");
        Instant now = Instant.now();
        assertThatThrownBy(() -> mine.agentExecutions().insertBatch(List.of(new NewAgentExecution(p.id(), "a",
                UUID.randomUUID(), null, null, ExecutionStatus.FAILED, "oops\u0000", now, now))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("executions[0].error_message");
        assertThat(mine.agentExecutions().byId(a.id()).orElseThrow().status()).isEqualTo(ExecutionStatus.RUNNING);
        assertThat(count("agent_executions")).isOne();
    }

    @Test
    void anErrorMessageIsStoredAsGivenLikeInABatch() {
        Project p = project();
        Repositories mine = as(p);
        AgentExecution a = mine.agentExecutions().start(p.id(), "  writer ", UUID.randomUUID(), null);
        assertThat(a.agentType()).isEqualTo("writer");
        String message = "  step 3 failed:\n\tat Writer.run\n";
        assertThat(mine.agentExecutions().fail(a.id(), message).errorMessage()).contains(message);
    }
}

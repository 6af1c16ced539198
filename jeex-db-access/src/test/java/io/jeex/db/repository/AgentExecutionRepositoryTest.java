package io.jeex.db.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.error.ForeignKeyViolationException;
import io.jeex.db.error.IllegalTransitionException;
import io.jeex.db.error.InvalidInputException;
import io.jeex.db.error.NotFoundException;
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
        UUID correlation = UUID.randomUUID();
        AgentExecution a = db.agentExecutions().start(p.id(), "business_analyst", correlation,
                Json.of("{\"idea\": \"x\"}"));
        assertThat(a.status()).isEqualTo(ExecutionStatus.RUNNING);
        assertThat(a.completedAt()).isEmpty();

        AgentExecution done = db.agentExecutions().complete(a.id(), Json.of("{\"answer\": 42}"));
        assertThat(done.status()).isEqualTo(ExecutionStatus.COMPLETED);
        assertThat(done.output().orElseThrow().text()).contains("42");
        assertThat(done.completedAt().orElseThrow()).isAfterOrEqualTo(done.startedAt());

        assertThatThrownBy(() -> db.agentExecutions().fail(a.id(), "too late"))
                .isInstanceOf(IllegalTransitionException.class).hasMessageContaining("from completed to failed");
        assertThatThrownBy(() -> db.agentExecutions().complete(a.id(), null))
                .isInstanceOf(IllegalTransitionException.class);
        assertThat(db.agentExecutions().byId(a.id())).contains(done);

        AgentExecution b = db.agentExecutions().start(p.id(), "architect", correlation, null);
        AgentExecution failed = db.agentExecutions().fail(b.id(), "model timed out");
        assertThat(failed.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(failed.errorMessage()).contains("model timed out");
        assertThatThrownBy(() -> db.agentExecutions().complete(b.id(), null))
                .isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> db.agentExecutions().complete(UUID.randomUUID(), null))
                .isInstanceOf(NotFoundException.class);

        assertThat(db.agentExecutions().byCorrelationId(correlation)).extracting(AgentExecution::id)
                .containsExactly(a.id(), b.id());
        assertThat(db.agentExecutions().byProject(p.id(), 10)).extracting(AgentExecution::id)
                .containsExactly(b.id(), a.id());
        assertThat(db.agentExecutions().byProject(p.id(), 1)).hasSize(1);
    }

    @Test
    void batchInsertStoresEveryRowExactly() {
        Project p = project();
        UUID correlation = UUID.randomUUID();
        Instant t0 = Instant.parse("2026-11-25T10:00:00.123456Z");
        List<NewAgentExecution> batch = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            batch.add(NewAgentExecution.completed(p.id(), "logger", correlation, Json.of("{\"i\": " + i + "}"),
                    Json.of("{\"ok\": true}"), t0.plusSeconds(i), t0.plusSeconds(i + 1)));
        }
        batch.add(new NewAgentExecution(p.id(), "logger", correlation, null, null, ExecutionStatus.RUNNING, null,
                t0, null));
        assertThat(db.agentExecutions().insertBatch(batch)).isEqualTo(501);
        assertThat(db.agentExecutions().insertBatch(List.of())).isZero();

        List<AgentExecution> stored = db.agentExecutions().byCorrelationId(correlation);
        assertThat(stored).hasSize(501);
        AgentExecution last = db.agentExecutions().byProject(p.id(), 1).get(0);
        assertThat(last.startedAt()).isEqualTo(t0.plusSeconds(499));
        assertThat(last.completedAt()).contains(t0.plusSeconds(500));
        assertThat(last.input().orElseThrow().text()).contains("499");
        assertThat(stored).filteredOn(e -> e.status() == ExecutionStatus.RUNNING).hasSize(1);
        assertThat(stored.get(0).startedAt().truncatedTo(ChronoUnit.MICROS)).isEqualTo(t0);
    }

    @Test
    void aBadRowFailsTheWholeBatchBeforeAnythingIsSent() {
        Project p = project();
        Instant now = Instant.now();
        List<NewAgentExecution> batch = new ArrayList<>();
        batch.add(NewAgentExecution.completed(p.id(), "a", UUID.randomUUID(), null, null, now, now));
        batch.add(NewAgentExecution.completed(p.id(), "a", UUID.randomUUID(), null, null, now, now.minusSeconds(1)));
        assertThatThrownBy(() -> db.agentExecutions().insertBatch(batch))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("executions[1].completed_at");
        batch.set(1, new NewAgentExecution(p.id(), "a", UUID.randomUUID(), null, null, ExecutionStatus.FAILED, "x",
                now, null));
        assertThatThrownBy(() -> db.agentExecutions().insertBatch(batch)).isInstanceOf(InvalidInputException.class);
        batch.set(1, NewAgentExecution.completed(UUID.randomUUID(), "a", UUID.randomUUID(), null, null, now, now));
        assertThatThrownBy(() -> db.agentExecutions().insertBatch(batch))
                .isInstanceOf(ForeignKeyViolationException.class);
        assertThat(count("agent_executions")).isZero();
    }

    @Test
    void badInputIsRejectedAndNothingIsStored() {
        Project p = project();
        assertThatThrownBy(() -> db.agentExecutions().start(p.id(), " ", UUID.randomUUID(), null))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> db.agentExecutions().start(p.id(), "x".repeat(51), UUID.randomUUID(), null))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> db.agentExecutions().start(p.id(), "a", null, null))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> db.agentExecutions().start(UUID.randomUUID(), "a", UUID.randomUUID(), null))
                .isInstanceOf(ForeignKeyViolationException.class);
        AgentExecution a = db.agentExecutions().start(p.id(), "a", UUID.randomUUID(), null);
        assertThatThrownBy(() -> db.agentExecutions().fail(a.id(), "")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> db.agentExecutions().fail(a.id(), "disk full\u0000"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("error_message must not contain the NUL");
        assertThatThrownBy(() -> db.agentExecutions().fail(a.id(), "x".repeat(64 * 1024 + 1)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("at most 65536 characters");
        assertThatThrownBy(() -> db.agentExecutions().complete(a.id(), Json.of("{\"a\": 1, \"a\": 1}")))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> db.agentExecutions().start(p.id(), "a\uD800", UUID.randomUUID(), null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("agent_type");
        assertThatThrownBy(() -> db.agentExecutions().byProject(p.id(), 0)).isInstanceOf(InvalidInputException.class)
                .hasMessage("limit must be between 1 and 1000");
        assertThatThrownBy(() -> db.agentExecutions().byProject(p.id(), 1001)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> db.agentExecutions().byProject(null, 10)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> db.agentExecutions().byCorrelationId(null)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> db.agentExecutions().insertBatch(null)).isInstanceOf(InvalidInputException.class)
                .hasMessage("executions must not be null");
        Instant now = Instant.now();
        assertThatThrownBy(() -> db.agentExecutions().insertBatch(List.of(new NewAgentExecution(p.id(), "a",
                UUID.randomUUID(), null, null, ExecutionStatus.FAILED, "oops\u0000", now, now))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("executions[0].error_message");
        assertThat(db.agentExecutions().byId(a.id()).orElseThrow().status()).isEqualTo(ExecutionStatus.RUNNING);
        assertThat(count("agent_executions")).isOne();
    }

    @Test
    void anErrorMessageIsStoredAsGivenLikeInABatch() {
        Project p = project();
        AgentExecution a = db.agentExecutions().start(p.id(), "  writer ", UUID.randomUUID(), null);
        assertThat(a.agentType()).isEqualTo("writer");
        String message = "  step 3 failed:\n\tat Writer.run\n";
        assertThat(db.agentExecutions().fail(a.id(), message).errorMessage()).contains(message);
    }
}

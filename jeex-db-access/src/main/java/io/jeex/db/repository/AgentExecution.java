package io.jeex.db.repository;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * One run of an agent.
 *
 * @param id time-ordered UUID v7
 * @param projectId the project
 * @param agentType which agent
 * @param correlationId correlates the executions of one request
 * @param input the agent's input, if any
 * @param output the agent's output, once completed
 * @param status the status
 * @param errorMessage why it failed, if it did
 * @param startedAt when it started
 * @param completedAt when it reached a terminal state; empty while it runs
 */
public record AgentExecution(UUID id, UUID projectId, String agentType, UUID correlationId, Optional<Json> input,
        Optional<Json> output, ExecutionStatus status, Optional<String> errorMessage, Instant startedAt,
        Optional<Instant> completedAt) {
}

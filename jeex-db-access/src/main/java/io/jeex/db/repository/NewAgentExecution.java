package io.jeex.db.repository;

import java.time.Instant;
import java.util.UUID;

/**
 * An agent execution to record in a batch ({@link AgentExecutionRepository#insertBatch}), for
 * high-volume logging of runs that are already under way or done.
 *
 * @param projectId the project
 * @param agentType which agent, 1 to 50 characters
 * @param correlationId correlates the executions of one request
 * @param input the agent's input, or null
 * @param output the agent's output, or null
 * @param status the status
 * @param errorMessage why it failed, or null
 * @param startedAt when it started
 * @param completedAt when it finished: required for terminal states, null otherwise
 */
public record NewAgentExecution(UUID projectId, String agentType, UUID correlationId, Json input, Json output,
        ExecutionStatus status, String errorMessage, Instant startedAt, Instant completedAt) {

    /**
     * A completed run.
     *
     * @param projectId the project
     * @param agentType which agent
     * @param correlationId correlation id
     * @param input input, or null
     * @param output output, or null
     * @param startedAt start
     * @param completedAt end, not before the start
     * @return the value
     */
    public static NewAgentExecution completed(UUID projectId, String agentType, UUID correlationId, Json input,
            Json output, Instant startedAt, Instant completedAt) {
        return new NewAgentExecution(projectId, agentType, correlationId, input, output, ExecutionStatus.COMPLETED,
                null, startedAt, completedAt);
    }
}

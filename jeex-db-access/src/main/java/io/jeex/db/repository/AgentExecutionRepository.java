package io.jeex.db.repository;

import io.jeex.db.error.IllegalTransitionException;
import io.jeex.db.error.InvalidInputException;
import io.jeex.db.error.NotFoundException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Agent executions: start, complete with output, fail with an error message (terminal states
 * never change again), find by correlation id or project, insert many at once for high-volume
 * logging, and purge the finished ones after their retention.
 *
 * <p>Every operation but {@link #purgeFinished} is user-scoped: on {@code db.actingAs(id)} it
 * reaches the executions of the projects that user owns (an agent working for a project acts as its
 * owner), on {@code db.system()} every execution. {@link #purgeFinished} is system-scoped.
 *
 * <p>Retention: a finished execution (completed, failed or cancelled) is kept for
 * {@link #DEFAULT_RETENTION} after it started, then {@link #purgeFinished} deletes it; a live one
 * (pending, running) is never purged. Since migration V5 the table is partitioned by the month of
 * the execution's id, and the bulk of retention is {@link io.jeex.db.JeexDatabase#maintainPartitions()}:
 * it drops a whole month once it is past {@link io.jeex.db.PartitionConfig#retentionMonths()}
 * (default 3, this retention rounded up to whole months) and holds no live execution, with no
 * DELETE and no bloat. {@link #purgeFinished} stays for the months still kept: it deletes the
 * finished executions in them that are older than its retention (at most the part of a month
 * that the rounding keeps), and it is what applies a retention shorter than whole months.
 */
public interface AgentExecutionRepository {

    /** How long a finished execution is kept by default, counted from its start: 90 days. */
    Duration DEFAULT_RETENTION = Duration.ofDays(90);

    /**
     * Records that an agent started running now.
     *
     * @param projectId the project
     * @param agentType which agent, at most 50 characters after stripping leading and trailing
     *     white space (stored stripped)
     * @param correlationId correlates the executions of one request
     * @param input the agent's input, or null
     * @return the stored execution, status {@link ExecutionStatus#RUNNING}
     * @throws InvalidInputException if a value breaks a rule
     * @throws io.jeex.db.error.ForeignKeyViolationException if the project does not exist
     * @throws io.jeex.db.error.RowSecurityException if the project is not the acting user's
     */
    AgentExecution start(UUID projectId, String agentType, UUID correlationId, Json input);

    /**
     * Completes a running (or pending) execution with its output.
     *
     * @param id the execution
     * @param output the output, or null
     * @return the updated execution
     * @throws InvalidInputException if the id is null or the output is too large
     * @throws NotFoundException if there is no such execution
     * @throws IllegalTransitionException if it already reached a terminal state
     */
    AgentExecution complete(UUID id, Json output);

    /**
     * Fails a running (or pending) execution.
     *
     * @param id the execution
     * @param errorMessage why it failed: not blank, at most 64 Ki characters, stored as given
     *     (not trimmed)
     * @return the updated execution
     * @throws InvalidInputException if the id is null, or the message is blank, too long, or
     *     holds a NUL character or an unpaired surrogate
     * @throws NotFoundException if there is no such execution
     * @throws IllegalTransitionException if it already reached a terminal state
     */
    AgentExecution fail(UUID id, String errorMessage);

    /**
     * Finds an execution.
     *
     * @param id the id
     * @return the execution, or empty
     * @throws InvalidInputException if the id is null
     */
    Optional<AgentExecution> byId(UUID id);

    /**
     * All executions of one correlation id, in start order.
     *
     * @param correlationId the correlation id
     * @return the executions, possibly none
     * @throws InvalidInputException if the correlation id is null
     */
    List<AgentExecution> byCorrelationId(UUID correlationId);

    /**
     * A project's most recent executions, newest first.
     *
     * @param projectId the project
     * @param limit how many, 1 to 1000
     * @return the executions
     * @throws InvalidInputException if the project id is null or the limit is out of range
     */
    List<AgentExecution> byProject(UUID projectId, int limit);

    /**
     * Inserts many executions in one statement (all or none).
     *
     * @param executions the executions; every one is validated before anything is sent. Agent
     *     types are stored stripped of leading and trailing white space, error messages as given,
     *     start and completion instants truncated to the microsecond (the database's resolution)
     * @return the number inserted
     * @throws InvalidInputException if the list is null or any execution breaks a rule (the
     *     message names its index)
     * @throws io.jeex.db.error.ForeignKeyViolationException if a project does not exist
     * @throws io.jeex.db.error.RowSecurityException if a project is not the acting user's (nothing
     *     is inserted)
     */
    int insertBatch(List<NewAgentExecution> executions);

    /**
     * Purges the finished executions past {@link #DEFAULT_RETENTION}: see
     * {@link #purgeFinished(Duration, int)}.
     *
     * @param batchSize rows per transaction, 1 to 1000
     * @return how many executions were deleted
     * @throws InvalidInputException if the batch size is out of range
     * @throws io.jeex.db.error.WrongScopeException if called on the repositories of a user, or inside
     *     a transaction
     */
    long purgeFinished(int batchSize);

    /**
     * Deletes every finished execution (completed, failed, cancelled) that started more than
     * {@code retention} ago (the database's clock), in transactions of at most {@code batchSize}
     * rows, oldest first: short locks and bounded WAL per commit; rows locked by someone else are
     * skipped and left to a later purge. Bounded and resumable: each batch commits on its own, so
     * a purge that stops (an error, a restart) loses nothing, and the next one continues where it
     * stopped. After each committed batch, {@code jeex.db.purge.rows} (tags {@code pool},
     * {@code table=agent_executions}) counts its rows and one INFO line says how many. System-scoped:
     * it crosses users, so it runs in system mode, on {@code db.system()} only; call it outside any
     * transaction (inside one it is refused: its batches would commit nothing of their own, and
     * their counts could still roll back). A batch whose connection was
     * lost runs again: its rows are deleted then, but if the lost one had committed, its count is
     * missing from the result.
     *
     * @param retention how long a finished execution is kept after it started; at least 1 ms, at
     *     most 3650 days
     * @param batchSize rows per transaction, 1 to 1000
     * @return how many executions were deleted
     * @throws InvalidInputException if the retention or the batch size is out of range
     * @throws io.jeex.db.error.WrongScopeException if called on the repositories of a user, or inside
     *     a transaction
     */
    long purgeFinished(Duration retention, int batchSize);
}

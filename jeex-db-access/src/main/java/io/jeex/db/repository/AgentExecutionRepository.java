package io.jeex.db.repository;

import static io.jeex.db.internal.tx.RetryPolicy.Mode.LIBRARY_READ;
import static io.jeex.db.internal.tx.RetryPolicy.Mode.LIBRARY_WRITE;

import static io.jeex.db.codegen.Tables.AGENT_EXECUTIONS;
import static java.util.Objects.requireNonNull;

import io.jeex.db.codegen.tables.records.AgentExecutionsRecord;
import io.jeex.db.internal.tx.Transactions;
import io.jeex.db.error.IllegalTransitionException;
import io.jeex.db.error.InvalidInputException;
import io.jeex.db.error.NotFoundException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.impl.DSL;

/**
 * Agent executions: start, complete with output, fail with an error message (terminal states
 * never change again), find by correlation id or project, and insert many at once for
 * high-volume logging.
 */
public final class AgentExecutionRepository {

    private static final String TABLE = "agent_executions";
    private static final List<String> LIVE = List.of(ExecutionStatus.PENDING.dbValue(), ExecutionStatus.RUNNING.dbValue());

    /**
     * One statement for a whole batch: arrays, one per column, unnested into rows. Far fewer
     * round trips and parse/plan cycles than a JDBC batch of single-row inserts.
     */
    private static final String BATCH_INSERT = """
            insert into agent_executions (id, project_id, agent_type, correlation_id, input_data, output_data, status,
                                          error_message, started_at, completed_at)
            select * from unnest(?::uuid[], ?::uuid[], ?::varchar[], ?::uuid[], ?::jsonb[], ?::jsonb[], ?::varchar[],
                                 ?::text[], ?::timestamptz[], ?::timestamptz[])
            """;
    /**
     * A later attempt of the same batch (an earlier one's connection was lost, perhaps after it
     * committed): rows whose id is there already are the earlier attempt's.
     */
    private static final String BATCH_INSERT_AGAIN = BATCH_INSERT + " on conflict (id) do nothing";

    private final Transactions engine;

    /**
     * Built by {@code JeexDatabase}: use {@link io.jeex.db.JeexDatabase#agentExecutions()}.
     *
     * @param engine the engine's port for the repositories' work
     * @throws NullPointerException if {@code engine} is null
     */
    public AgentExecutionRepository(Transactions engine) {
        this.engine = requireNonNull(engine, "engine");
    }

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
     */
    public AgentExecution start(UUID projectId, String agentType, UUID correlationId, Json input) {
        UUID project = Check.id(TABLE, "project_id", projectId);
        String type = Check.text(TABLE, "agent_type", agentType, Check.MAX_TYPE);
        UUID correlation = Check.id(TABLE, "correlation_id", correlationId);
        Json in = Check.json(TABLE, "input_data", input, true);
        UUID id = Ids.next();
        return engine.run(Tx.one("agentExecutions.start"), LIBRARY_WRITE, tx -> map(Inserts.once(tx.dsl(),
                tx.dsl().insertInto(AGENT_EXECUTIONS).set(AGENT_EXECUTIONS.ID, id)
                        .set(AGENT_EXECUTIONS.PROJECT_ID, project).set(AGENT_EXECUTIONS.AGENT_TYPE, type)
                        .set(AGENT_EXECUTIONS.CORRELATION_ID, correlation)
                        .set(AGENT_EXECUTIONS.INPUT_DATA, in == null ? null : in.jsonb())
                        .set(AGENT_EXECUTIONS.STATUS, ExecutionStatus.RUNNING.dbValue()),
                AGENT_EXECUTIONS, AGENT_EXECUTIONS.ID, id, tx.attempt() > 1)));
    }

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
    public AgentExecution complete(UUID id, Json output) {
        UUID key = Check.id(TABLE, "id", id);
        Json out = Check.json(TABLE, "output_data", output, true);
        return finish(key, ExecutionStatus.COMPLETED, "agentExecutions.complete", out, null);
    }

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
    public AgentExecution fail(UUID id, String errorMessage) {
        UUID key = Check.id(TABLE, "id", id);
        String message = Check.verbatim(TABLE, "error_message", errorMessage, Check.MAX_ERROR_MESSAGE);
        return finish(key, ExecutionStatus.FAILED, "agentExecutions.fail", null, message);
    }

    private AgentExecution finish(UUID key, ExecutionStatus to, String name, Json output, String errorMessage) {
        return engine.run(Tx.many(name), LIBRARY_WRITE, tx -> {
            Optional<AgentExecutionsRecord> updated = tx.dsl().update(AGENT_EXECUTIONS)
                    .set(AGENT_EXECUTIONS.STATUS, to.dbValue())
                    .set(AGENT_EXECUTIONS.OUTPUT_DATA, output == null ? null : output.jsonb())
                    .set(AGENT_EXECUTIONS.ERROR_MESSAGE, errorMessage)
                    // never before started_at, whatever the clocks of the writers said
                    .set(AGENT_EXECUTIONS.COMPLETED_AT, DSL.greatest(DSL.currentInstant(), AGENT_EXECUTIONS.STARTED_AT))
                    .where(AGENT_EXECUTIONS.ID.eq(key)).and(AGENT_EXECUTIONS.STATUS.in(LIVE))
                    .returning().fetchOptional();
            return map(Transitions.require(updated, tx.dsl(), AGENT_EXECUTIONS, AGENT_EXECUTIONS.ID,
                    AGENT_EXECUTIONS.STATUS, key, "agent execution", to.dbValue(), tx.attempt() > 1));
        });
    }

    /**
     * Finds an execution.
     *
     * @param id the id
     * @return the execution, or empty
     * @throws InvalidInputException if the id is null
     */
    public Optional<AgentExecution> byId(UUID id) {
        UUID key = Check.id(TABLE, "id", id);
        return engine.run(Tx.read("agentExecutions.byId"), LIBRARY_READ, tx -> tx.dsl().selectFrom(AGENT_EXECUTIONS)
                .where(AGENT_EXECUTIONS.ID.eq(key)).fetchOptional().map(AgentExecutionRepository::map));
    }

    /**
     * All executions of one correlation id, in start order.
     *
     * @param correlationId the correlation id
     * @return the executions, possibly none
     * @throws InvalidInputException if the correlation id is null
     */
    public List<AgentExecution> byCorrelationId(UUID correlationId) {
        UUID key = Check.id(TABLE, "correlation_id", correlationId);
        return engine.run(Tx.read("agentExecutions.byCorrelationId"), LIBRARY_READ, tx -> tx.dsl()
                .selectFrom(AGENT_EXECUTIONS).where(AGENT_EXECUTIONS.CORRELATION_ID.eq(key))
                .orderBy(AGENT_EXECUTIONS.STARTED_AT, AGENT_EXECUTIONS.ID).fetch(AgentExecutionRepository::map));
    }

    /**
     * A project's most recent executions, newest first.
     *
     * @param projectId the project
     * @param limit how many, 1 to 1000
     * @return the executions
     * @throws InvalidInputException if the project id is null or the limit is out of range
     */
    public List<AgentExecution> byProject(UUID projectId, int limit) {
        UUID key = Check.id(TABLE, "project_id", projectId);
        int size = Check.limit(TABLE, limit);
        return engine.run(Tx.read("agentExecutions.byProject"), LIBRARY_READ, tx -> tx.dsl()
                .selectFrom(AGENT_EXECUTIONS).where(AGENT_EXECUTIONS.PROJECT_ID.eq(key))
                .orderBy(AGENT_EXECUTIONS.STARTED_AT.desc(), AGENT_EXECUTIONS.ID.desc()).limit(size)
                .fetch(AgentExecutionRepository::map));
    }

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
     */
    public int insertBatch(List<NewAgentExecution> executions) {
        Check.notNull(TABLE, "executions", executions, "must not be null");
        int n = executions.size();
        if (n == 0) {
            return 0;
        }
        String[] ids = new String[n];
        String[] projects = new String[n];
        String[] types = new String[n];
        String[] correlations = new String[n];
        String[] inputs = new String[n];
        String[] outputs = new String[n];
        String[] statuses = new String[n];
        String[] errors = new String[n];
        String[] starts = new String[n];
        String[] ends = new String[n];
        for (int i = 0; i < n; i++) {
            NewAgentExecution e = executions.get(i);
            try {
                validate(e);
            } catch (InvalidInputException ex) {
                throw new InvalidInputException(TABLE, "executions[" + i + "]." + ex.field(), ex.getMessage()
                        .substring(ex.field().length() + 1));
            }
            // every column travels as text[] and is cast on the server: exact, and no client time zone involved
            ids[i] = Ids.next().toString();
            projects[i] = e.projectId().toString();
            types[i] = e.agentType().strip();
            correlations[i] = e.correlationId().toString();
            inputs[i] = e.input() == null ? null : e.input().text();
            outputs[i] = e.output() == null ? null : e.output().text();
            statuses[i] = e.status().dbValue();
            errors[i] = e.errorMessage();
            // truncated to the database's microseconds here, as jOOQ's and the driver's binding of
            // an Instant would round them: a batch stores what a reader of the same Instant expects
            starts[i] = e.startedAt().truncatedTo(ChronoUnit.MICROS).toString();
            ends[i] = e.completedAt() == null ? null : e.completedAt().truncatedTo(ChronoUnit.MICROS).toString();
        }
        return engine.run(Tx.many("agentExecutions.insertBatch"), LIBRARY_WRITE, tx -> {
            Connection c = tx.connection();
            try (PreparedStatement ps = c.prepareStatement(tx.attempt() == 1 ? BATCH_INSERT : BATCH_INSERT_AGAIN)) {
                ps.setArray(1, array(c, ids));
                ps.setArray(2, array(c, projects));
                ps.setArray(3, array(c, types));
                ps.setArray(4, array(c, correlations));
                ps.setArray(5, array(c, inputs));
                ps.setArray(6, array(c, outputs));
                ps.setArray(7, array(c, statuses));
                ps.setArray(8, array(c, errors));
                ps.setArray(9, array(c, starts));
                ps.setArray(10, array(c, ends));
                int inserted = ps.executeUpdate();
                return tx.attempt() == 1 ? inserted : n; // the rest were stored by the earlier attempt
            }
        });
    }

    private static Array array(Connection c, Object[] values) throws SQLException {
        return c.createArrayOf("text", values);
    }

    private static void validate(NewAgentExecution e) {
        if (e == null) {
            throw new InvalidInputException(TABLE, "execution", "must not be null");
        }
        Check.id(TABLE, "project_id", e.projectId());
        Check.text(TABLE, "agent_type", e.agentType(), Check.MAX_TYPE);
        Check.id(TABLE, "correlation_id", e.correlationId());
        Check.json(TABLE, "input_data", e.input(), true);
        Check.json(TABLE, "output_data", e.output(), true);
        if (e.status() == null) {
            throw new InvalidInputException(TABLE, "status", "must not be null");
        }
        if (e.startedAt() == null) {
            throw new InvalidInputException(TABLE, "started_at", "must not be null");
        }
        if (e.status().isTerminal() != (e.completedAt() != null)) {
            throw new InvalidInputException(TABLE, "completed_at",
                    "must be set exactly when the status is terminal (completed, failed, cancelled)");
        }
        if (e.completedAt() != null && e.completedAt().isBefore(e.startedAt())) {
            throw new InvalidInputException(TABLE, "completed_at", "must not be before started_at");
        }
        if (e.errorMessage() != null) {
            Check.atMost(TABLE, "error_message", e.errorMessage(), Check.MAX_ERROR_MESSAGE);
            Check.storable(TABLE, "error_message", e.errorMessage());
        }
    }

    static AgentExecution map(AgentExecutionsRecord r) {
        return new AgentExecution(r.getId(), r.getProjectId(), r.getAgentType(), r.getCorrelationId(),
                Optional.ofNullable(Json.fromJsonb(r.getInputData())), Optional.ofNullable(Json.fromJsonb(r.getOutputData())),
                ExecutionStatus.fromDb(r.getStatus()), Optional.ofNullable(r.getErrorMessage()), r.getStartedAt(),
                Optional.ofNullable(r.getCompletedAt()));
    }
}

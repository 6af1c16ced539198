package io.jeex.db;

import static io.jeex.db.RetryPolicy.Mode.LIBRARY_READ;
import static io.jeex.db.RetryPolicy.Mode.LIBRARY_WRITE;
import static io.jeex.db.codegen.Tables.AGENT_EXECUTIONS;
import static java.util.Objects.requireNonNull;

import io.jeex.db.codegen.tables.records.AgentExecutionsRecord;
import io.jeex.db.error.IllegalTransitionException;
import io.jeex.db.error.InvalidInputException;
import io.jeex.db.error.NotFoundException;
import io.jeex.db.repository.AgentExecution;
import io.jeex.db.repository.AgentExecutionRepository;
import io.jeex.db.repository.ExecutionStatus;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.NewAgentExecution;
import io.jeex.db.tx.TxOptions;
import java.sql.SQLException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/** The implementation of {@link AgentExecutionRepository}. */
final class AgentExecutionStore implements AgentExecutionRepository {

    private static final String TABLE = "agent_executions";
    private static final Duration MAX_RETENTION = Duration.ofDays(3650);
    private static final List<String> TERMINAL = List.of(ExecutionStatus.COMPLETED.dbValue(),
            ExecutionStatus.FAILED.dbValue(), ExecutionStatus.CANCELLED.dbValue());
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
     * committed): rows whose key is there already are the earlier attempt's. The conflict target is
     * the primary key exactly, (id, project_id) since V5 (else 42P10).
     */
    static final String BATCH_INSERT_AGAIN = BATCH_INSERT + " on conflict (id, project_id) do nothing";
    private static final int BATCH_INSERT_SHAPE = SqlShape.of(BATCH_INSERT);
    private static final TxOptions INSERT_BATCH_TX = Tx.one("agentExecutions.insertBatch");

    /**
     * The guarded status change of complete() and fail(), pre-rendered. Bind order: status,
     * output_data, error_message, id. completed_at is never before started_at, whatever the clocks
     * of the writers said.
     */
    private static final Prepared<AgentExecution> FINISH = Prepared.of(DSL.update(AGENT_EXECUTIONS)
            .set(AGENT_EXECUTIONS.STATUS, DSL.param("status", AGENT_EXECUTIONS.STATUS.getDataType()))
            .set(AGENT_EXECUTIONS.OUTPUT_DATA, DSL.param("output", AGENT_EXECUTIONS.OUTPUT_DATA.getDataType()))
            .set(AGENT_EXECUTIONS.ERROR_MESSAGE, DSL.param("error", AGENT_EXECUTIONS.ERROR_MESSAGE.getDataType()))
            .set(AGENT_EXECUTIONS.COMPLETED_AT, DSL.greatest(DSL.currentInstant(), AGENT_EXECUTIONS.STARTED_AT))
            .where(AGENT_EXECUTIONS.ID.eq(DSL.param("id", AGENT_EXECUTIONS.ID.getDataType())))
            .and(AGENT_EXECUTIONS.STATUS.in(LIVE.stream().map(DSL::inline).toList()))
            .returning(), AgentExecutionStore::map);
    private static final Prepared<String> STATUS_OF = Transitions.statusOf(AGENT_EXECUTIONS, AGENT_EXECUTIONS.ID,
            AGENT_EXECUTIONS.STATUS);

    private final Transactions engine;

    private final Scope scope;
    private final PurgeMetrics purges;

    AgentExecutionStore(Transactions engine, Scope scope, PurgeMetrics purges) {
        this.engine = requireNonNull(engine, "engine");
        this.scope = requireNonNull(scope, "scope");
        this.purges = requireNonNull(purges, "purges");
    }

    @Override
    public AgentExecution start(UUID projectId, String agentType, UUID correlationId, Json input) {
        UUID project = Check.id(TABLE, "project_id", projectId);
        String type = Check.text(TABLE, "agent_type", agentType, Check.MAX_TYPE);
        UUID correlation = Check.id(TABLE, "correlation_id", correlationId);
        Json in = Check.json(TABLE, "input_data", input, true);
        UUID id = Ids.next();
        return engine.run(scope.apply(Tx.one("agentExecutions.start")), LIBRARY_WRITE, tx -> map(Inserts.once(tx.dsl(),
                tx.dsl().insertInto(AGENT_EXECUTIONS).set(AGENT_EXECUTIONS.ID, id)
                        .set(AGENT_EXECUTIONS.PROJECT_ID, project).set(AGENT_EXECUTIONS.AGENT_TYPE, type)
                        .set(AGENT_EXECUTIONS.CORRELATION_ID, correlation)
                        .set(AGENT_EXECUTIONS.INPUT_DATA, JsonColumns.jsonb(in))
                        .set(AGENT_EXECUTIONS.STATUS, ExecutionStatus.RUNNING.dbValue()),
                AGENT_EXECUTIONS, tx.attempt() > 1, List.of(Inserts.key(AGENT_EXECUTIONS.ID, id),
                        Inserts.key(AGENT_EXECUTIONS.PROJECT_ID, project)))));
    }

    @Override
    public AgentExecution complete(UUID id, Json output) {
        UUID key = Check.id(TABLE, "id", id);
        Json out = Check.json(TABLE, "output_data", output, true);
        return finish(key, ExecutionStatus.COMPLETED, "agentExecutions.complete", out, null);
    }

    @Override
    public AgentExecution fail(UUID id, String errorMessage) {
        UUID key = Check.id(TABLE, "id", id);
        String message = Check.verbatim(TABLE, "error_message", errorMessage, Check.MAX_ERROR_MESSAGE);
        return finish(key, ExecutionStatus.FAILED, "agentExecutions.fail", null, message);
    }

    private AgentExecution finish(UUID key, ExecutionStatus to, String name, Json output, String errorMessage) {
        // The first attempt is the guarded UPDATE alone, auto-committed; only when it changed no
        // row does a second call read the status, to tell "no such execution" from "not live". A
        // later attempt (an earlier one's connection was lost, perhaps after it committed) runs in
        // a transaction and takes the execution already in the target status as the change done.
        Optional<AgentExecution> finished = engine.run(scope.apply(Tx.one(name)), LIBRARY_WRITE, tx -> {
            if (tx.attempt() == 1) {
                return FINISH.optional(tx, ps -> {
                    ps.setString(1, to.dbValue());
                    ps.setString(2, output == null ? null : output.text());
                    ps.setString(3, errorMessage);
                    ps.setObject(4, key);
                });
            }
            Optional<AgentExecutionsRecord> updated = tx.dsl().update(AGENT_EXECUTIONS)
                    .set(AGENT_EXECUTIONS.STATUS, to.dbValue())
                    .set(AGENT_EXECUTIONS.OUTPUT_DATA, JsonColumns.jsonb(output))
                    .set(AGENT_EXECUTIONS.ERROR_MESSAGE, errorMessage)
                    .set(AGENT_EXECUTIONS.COMPLETED_AT, DSL.greatest(DSL.currentInstant(), AGENT_EXECUTIONS.STARTED_AT))
                    .where(AGENT_EXECUTIONS.ID.eq(key)).and(AGENT_EXECUTIONS.STATUS.in(LIVE))
                    .returning().fetchOptional();
            return Optional.of(map(Transitions.require(updated, tx.dsl(), AGENT_EXECUTIONS, AGENT_EXECUTIONS.ID,
                    AGENT_EXECUTIONS.STATUS, key, "agent execution", to.dbValue(), true)));
        });
        if (finished.isPresent()) {
            return finished.get();
        }
        Optional<String> current = engine.run(scope.apply(Tx.one(name + ".refused")), LIBRARY_WRITE,
                tx -> STATUS_OF.optional(tx, ps -> ps.setObject(1, key)));
        throw Transitions.refused(current, TABLE, "agent execution " + key, to.dbValue());
    }

    @Override
    public Optional<AgentExecution> byId(UUID id) {
        UUID key = Check.id(TABLE, "id", id);
        return engine.run(scope.apply(Tx.read("agentExecutions.byId")), LIBRARY_READ, tx -> tx.dsl().selectFrom(AGENT_EXECUTIONS)
                .where(AGENT_EXECUTIONS.ID.eq(key)).fetchOptional().map(AgentExecutionStore::map));
    }

    @Override
    public List<AgentExecution> byCorrelationId(UUID correlationId) {
        UUID key = Check.id(TABLE, "correlation_id", correlationId);
        return engine.run(scope.apply(Tx.read("agentExecutions.byCorrelationId")), LIBRARY_READ, tx -> tx.dsl()
                .selectFrom(AGENT_EXECUTIONS).where(AGENT_EXECUTIONS.CORRELATION_ID.eq(key))
                .orderBy(AGENT_EXECUTIONS.STARTED_AT, AGENT_EXECUTIONS.ID).fetch(AgentExecutionStore::map));
    }

    @Override
    public List<AgentExecution> byProject(UUID projectId, int limit) {
        UUID key = Check.id(TABLE, "project_id", projectId);
        int size = Check.limit(TABLE, limit);
        return engine.run(scope.apply(Tx.read("agentExecutions.byProject")), LIBRARY_READ, tx -> tx.dsl()
                .selectFrom(AGENT_EXECUTIONS).where(AGENT_EXECUTIONS.PROJECT_ID.eq(key))
                .orderBy(AGENT_EXECUTIONS.STARTED_AT.desc(), AGENT_EXECUTIONS.ID.desc()).limit(size)
                .fetch(AgentExecutionStore::map));
    }

    @Override
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
        // One statement, atomic by itself: the first attempt runs it auto-committed (no BEGIN and
        // COMMIT); a later one, after a lost connection, skips the rows an earlier one stored.
        return engine.run(scope.apply(INSERT_BATCH_TX), LIBRARY_WRITE, tx -> {
            boolean first = tx.attempt() == 1;
            int inserted = Jdbc.update(tx, first ? BATCH_INSERT : BATCH_INSERT_AGAIN, BATCH_INSERT_SHAPE, ps -> {
                ps.setArray(1, "text", ids);
                ps.setArray(2, "text", projects);
                ps.setArray(3, "text", types);
                ps.setArray(4, "text", correlations);
                ps.setArray(5, "text", inputs);
                ps.setArray(6, "text", outputs);
                ps.setArray(7, "text", statuses);
                ps.setArray(8, "text", errors);
                ps.setArray(9, "text", starts);
                ps.setArray(10, "text", ends);
            });
            return first ? inserted : n; // the rest were stored by the earlier attempt
        });
    }

    @Override
    public long purgeFinished(int batchSize) {
        return purgeFinished(DEFAULT_RETENTION, batchSize);
    }

    @Override
    public long purgeFinished(Duration retention, int batchSize) {
        scope.requireSystem("agentExecutions.purgeFinished");
        engine.requireNoTransaction("agentExecutions.purgeFinished", "commits batch by batch and counts each committed "
                + "batch");
        if (retention == null || retention.toMillis() < 1 || retention.compareTo(MAX_RETENTION) > 0) {
            throw new InvalidInputException(TABLE, "retention", "must be at least 1 ms and at most 3650 days");
        }
        int size = Check.limit(TABLE, "batchSize", batchSize);
        Field<java.time.Instant> cutoff = DSL.field("now() - make_interval(secs => {0})", SQLDataType.INSTANT,
                DSL.val(retention.truncatedTo(ChronoUnit.MICROS).toNanos() / 1e9));
        long total = 0;
        while (true) {
            int deleted = engine.run(scope.apply(Tx.one("agentExecutions.purgeFinished")), LIBRARY_WRITE, tx -> tx.dsl()
                    .deleteFrom(AGENT_EXECUTIONS)
                    .where(AGENT_EXECUTIONS.ID.in(DSL.select(AGENT_EXECUTIONS.ID).from(AGENT_EXECUTIONS)
                            // the index (status, started_at) serves this: one range per terminal status
                            .where(AGENT_EXECUTIONS.STATUS.in(TERMINAL)).and(AGENT_EXECUTIONS.STARTED_AT.lt(cutoff))
                            .orderBy(AGENT_EXECUTIONS.STARTED_AT).limit(size).forUpdate().skipLocked()))
                    .execute());
            total += deleted;
            purges.batch(PurgeMetrics.AGENT_EXECUTIONS, deleted, total);
            if (deleted < size) {
                return total;
            }
        }
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

    static AgentExecution map(java.sql.ResultSet row) throws SQLException {
        String input = row.getString("input_data");
        String output = row.getString("output_data");
        return new AgentExecution(Prepared.uuid(row, "id"), Prepared.uuid(row, "project_id"), row.getString("agent_type"),
                Prepared.uuid(row, "correlation_id"), Optional.ofNullable(input == null ? null : JsonColumns.fromDb(input)),
                Optional.ofNullable(output == null ? null : JsonColumns.fromDb(output)),
                ExecutionStatus.fromDb(row.getString("status")), Optional.ofNullable(row.getString("error_message")),
                Prepared.instant(row, "started_at"), Optional.ofNullable(Prepared.instant(row, "completed_at")));
    }

    static AgentExecution map(AgentExecutionsRecord r) {
        return new AgentExecution(r.getId(), r.getProjectId(), r.getAgentType(), r.getCorrelationId(),
                Optional.ofNullable(JsonColumns.fromJsonb(r.getInputData())), Optional.ofNullable(JsonColumns.fromJsonb(r.getOutputData())),
                ExecutionStatus.fromDb(r.getStatus()), Optional.ofNullable(r.getErrorMessage()), r.getStartedAt(),
                Optional.ofNullable(r.getCompletedAt()));
    }
}

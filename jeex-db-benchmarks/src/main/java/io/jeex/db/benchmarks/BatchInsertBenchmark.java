package io.jeex.db.benchmarks;

import io.jeex.db.repository.Json;
import io.jeex.db.repository.NewAgentExecution;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.Repositories;
import java.io.StringReader;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.postgresql.PGConnection;

/**
 * 1000 agent executions at a time: {@code agentExecutions().insertBatch} (one INSERT ... SELECT
 * FROM unnest(arrays), validated, in a managed transaction) against COPY FROM STDIN of the same
 * rows through pgjdbc's CopyManager on the same pool. Scores are rows per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@Threads(1)
public class BatchInsertBenchmark {

    static final int ROWS = 1000;

    private BenchDatabase bench;
    private List<NewAgentExecution> rows;
    private String copyText;
    private Repositories asOwner;

    @Setup(Level.Trial)
    public void setUp() {
        bench = new BenchDatabase(4);
        Repositories owner = bench.db.actingAsNewUser();
        Project project = owner.projects().create(
                owner.users().create("batch@example.com", "Batch").id(), "Batch", "en");
        asOwner = owner;
        UUID correlation = UUID.randomUUID();
        Instant t0 = Instant.parse("2026-11-25T10:00:00Z");
        rows = new ArrayList<>();
        StringBuilder copy = new StringBuilder();
        for (int i = 0; i < ROWS; i++) {
            NewAgentExecution e = NewAgentExecution.completed(project.id(), "validator", correlation,
                    Json.of("{\"check\": " + i + "}"), Json.of("{\"ok\": true}"), t0.plusSeconds(i), t0.plusSeconds(i + 1));
            rows.add(e);
            copy.append(e.projectId()).append('\t').append(e.agentType()).append('\t').append(e.correlationId())
                    .append('\t').append(e.input().text()).append('\t').append(e.output().text()).append('\t')
                    .append(e.status().dbValue()).append("\t\\N\t").append(e.startedAt()).append('\t')
                    .append(e.completedAt()).append('\n');
        }
        copyText = copy.toString();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        bench.close();
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public int batchInsertRepository() {
        return asOwner.agentExecutions().insertBatch(rows);
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public long copyRawJdbc() throws Exception {
        try (Connection c = bench.db.dataSource().getConnection()) {
            return c.unwrap(PGConnection.class).getCopyAPI().copyIn(
                    "COPY agent_executions (project_id, agent_type, correlation_id, input_data, output_data, status, "
                            + "error_message, started_at, completed_at) FROM STDIN", new StringReader(copyText));
        }
    }
}

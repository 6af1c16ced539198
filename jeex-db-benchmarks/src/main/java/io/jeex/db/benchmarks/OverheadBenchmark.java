package io.jeex.db.benchmarks;

import io.jeex.db.tx.TxOptions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The library's own cost per call, without a statement: a managed single-statement
 * "transaction" that runs no SQL (retry, breaker, metrics, connection borrow and return)
 * against borrowing and returning a pooled connection. Average time per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class OverheadBenchmark {

    private static final TxOptions ONE = TxOptions.named("overhead").withSingleStatement(true);
    private static final TxOptions TX = TxOptions.named("overhead_tx");

    private BenchDatabase bench;
    private DataSource pool;

    @Setup(Level.Trial)
    public void setUp() {
        bench = new BenchDatabase(8);
        pool = bench.db.dataSource();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        bench.close();
    }

    @Benchmark
    public boolean borrowRaw() throws SQLException {
        try (Connection c = pool.getConnection()) {
            return c.getAutoCommit(); // answered by the driver, no round trip
        }
    }

    @Benchmark
    public Object emptySingleStatement() {
        return bench.db.transaction(ONE, tx -> tx);
    }

    @Benchmark
    public Object emptyTransactionWithDsl() {
        return bench.db.transaction(ONE, tx -> tx.dsl());
    }
}

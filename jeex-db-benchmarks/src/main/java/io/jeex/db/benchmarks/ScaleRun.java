package io.jeex.db.benchmarks;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.PartitionMaintenance;
import io.jeex.db.repository.ExecutionStatus;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.NewAgentExecution;
import io.jeex.db.repository.Repositories;
import io.jeex.db.schema.JeexSchema;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Partitioned against unpartitioned {@code agent_executions} at scale (issue 18, requirement 2):
 * one embedded PostgreSQL 18 with the shipped {@code postgresql.conf} ({@link CapacityServer}'s
 * settings; durability off unless {@code --durable true}), two databases in the same run, one
 * migrated up to V4 ({@code v4}: a plain table) and one to the latest version ({@code latest}: V5's
 * monthly partitions by the UUIDv7 id, and V6's keys). Both get the same data, made from one seed:
 *
 * <ul>
 *   <li>{@code --rows} agent executions (default 10,000,000) spread evenly over the 12 months that
 *       end now (the oldest is a whole month), in id order; each id a UUIDv7 whose time is its
 *       {@code started_at}; three in a row share a project and a correlation id (one request, three
 *       agents); 98 % completed, 2 % failed, the newest 0.1 % running;</li>
 *   <li>1 project per 1,000 executions, 1 user per 5 projects, 5 document versions and 1 export per
 *       project.</li>
 * </ul>
 *
 * In {@code latest}, the 12 months' partitions are made first: the current month and those ahead by
 * {@link JeexDatabase#maintainPartitions()}, the 11 months before it by the function it calls
 * ({@code jeex_agent_executions_add_partition}, V5). The data is loaded with COPY as the
 * superuser (row-level security does not allow COPY FROM for the service's role), 100,000 rows per
 * COPY, indexes and foreign keys in place. Then, through the real repositories as the service's
 * role {@code jeex_user} (no superuser, no BYPASSRLS: the policies apply), acting as the owner of
 * the rows: {@code agentExecutions().insertBatch} ({@code --batch-rows} rows in batches of 1,000),
 * and after a warm-up {@code --calls} calls each of {@code byProject} (20 newest), {@code
 * byCorrelationId} and {@code byId} with random keys, the two databases alternating in blocks of
 * 100 calls so that both see the same disturbance. Then the sizes, and the retention of the oldest
 * month: in {@code v4} a {@code DELETE} of its id range (then {@code VACUUM}, timed apart), in
 * {@code latest} {@link JeexDatabase#maintainPartitions()} with a retention that drops exactly
 * that month (detach and drop).
 *
 * <pre>
 * mvn -B -q -Pbenchmarks -pl jeex-db-benchmarks -am package -DskipTests
 * java -cp jeex-db-benchmarks/target/benchmarks.jar io.jeex.db.benchmarks.ScaleRun \
 *     [--rows 10000000] [--batch-rows 100000] [--calls 2000] [--warmup 500] [--durable false] [--out scale.md]
 * </pre>
 *
 * A smoke run ({@code --rows 20000 --batch-rows 2000 --calls 100 --warmup 20}) takes about 35 s.
 * Results: docs/scaling.md, "Partitioned agent executions at scale".
 */
public final class ScaleRun {

    static final String APP_USER = "jeex_user";
    static final int PER_PROJECT = 1_000;
    static final int PROJECTS_PER_USER = 5;
    static final int VERSIONS_PER_PROJECT = 5;
    static final int COPY_ROWS = 100_000;
    static final int BATCH = 1_000;
    static final int MONTHS = 12;
    private static final int SAMPLES = 10_000;
    private static final int BLOCK = 100;
    private static final String[] AGENTS = {"business_analyst", "solution_architect", "project_planner", "engineer"};

    private ScaleRun() {
    }

    /** The command line. */
    record Options(long rows, int batchRows, int calls, int warmup, boolean durable, Path out, long seed) {

        static Options parse(String[] args) {
            Map<String, String> a = new TreeMap<>(Map.of("--rows", "10000000", "--batch-rows", "100000", "--calls",
                    "2000", "--warmup", "500", "--durable", "false", "--seed", "18"));
            for (int i = 0; i < args.length; i += 2) {
                if (!args[i].startsWith("--") || !a.containsKey(args[i]) && !args[i].equals("--out") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("options are --rows, --batch-rows, --calls, --warmup, --durable, "
                            + "--seed and --out, each with a value; see the class comment");
                }
                a.put(args[i], args[i + 1]);
            }
            Options o = new Options(Long.parseLong(a.get("--rows")), Integer.parseInt(a.get("--batch-rows")),
                    Integer.parseInt(a.get("--calls")), Integer.parseInt(a.get("--warmup")),
                    Boolean.parseBoolean(a.get("--durable")), a.containsKey("--out") ? Path.of(a.get("--out")) : null,
                    Long.parseLong(a.get("--seed")));
            if (o.rows < 3L * PER_PROJECT) {
                throw new IllegalArgumentException("--rows must be at least " + 3 * PER_PROJECT + ", but was " + o.rows);
            }
            if (o.batchRows < BATCH || o.calls < BLOCK || o.warmup < 0) {
                throw new IllegalArgumentException("--batch-rows must be at least " + BATCH + ", --calls at least " + BLOCK
                        + " and --warmup at least 0");
            }
            return o;
        }
    }

    /**
     * @param args see the class comment
     * @throws Exception if the run fails
     */
    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        Instant began = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        double loadBefore = CapacityRun.loadAverage();
        String commit = commit(); // at the start: the checkout may change while the run goes
        Data data = new Data(o.rows, o.seed, YearMonth.now(ZoneOffset.UTC), Instant.now().minus(1, ChronoUnit.HOURS));
        Path[] dir = new Path[1];
        try (EmbeddedPostgres pg = CapacityServer.shippedServer(o.durable, dir).start()) {
            String appPassword = UUID.randomUUID().toString();
            print(o, String.format(Locale.ROOT, "%nScaleRun %s UTC, %d cores, Java %s, load average %.2f, commit %s%n"
                    + "%,d executions from %s to %s, %,d projects, %,d users, %,d document versions, %,d exports; durable %s%n",
                    began, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), loadBefore,
                    commit, o.rows, data.months.get(0), data.months.get(MONTHS - 1), data.projects, data.users,
                    (long) data.projects * VERSIONS_PER_PROJECT, data.projects, o.durable));
            List<Side> sides = List.of(new Side("v4", "4", pg.getPort()), new Side("latest", null, pg.getPort()));
            try (Connection c = admin(pg.getPort(), "postgres"); Statement s = c.createStatement()) {
                s.execute("CREATE ROLE " + APP_USER + " LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '" + appPassword + "'");
            }
            for (Side side : sides) {
                side.prepare(appPassword);
                print(o, side.name + ": " + side.describe() + "\n");
            }
            for (Side side : sides) {
                side.load(data);
                print(o, String.format(Locale.ROOT, "%s: loaded in %.1f s (partitions %.1f s), VACUUM ANALYZE %.1f s%n",
                        side.name, side.loadSeconds, side.partitionSeconds, side.vacuumSeconds));
            }
            for (Side side : sides) {
                side.insertBatch(data, o.batchRows);
            }
            reads(o, data, sides);
            for (Side side : sides) {
                side.sizes();
                side.retention(data);
            }
            print(o, table(o, data, sides));
            print(o, String.format(Locale.ROOT, "%nsummary: date=%s rows=%d load_before=%.2f load_after=%.2f jdk=%s "
                            + "commit=%s durable=%s v4_load_rows_s=%.0f latest_load_rows_s=%.0f%n", began, o.rows,
                    loadBefore, CapacityRun.loadAverage(), System.getProperty("java.version"), commit, o.durable,
                    sides.get(0).loadRate(), sides.get(1).loadRate()));
            for (Side side : sides) {
                side.close();
            }
        }
    }

    /** Warm-up, then the measured calls, the two databases alternating in blocks. */
    private static void reads(Options o, Data data, List<Side> sides) {
        Random random = new Random(o.seed + 1);
        // keys are drawn once per call and used on both sides, so that both do the same work
        for (int which = 0; which < OPS.length; which++) {
            int total = o.warmup + o.calls;
            int[] keys = new int[total];
            for (int i = 0; i < total; i++) {
                keys[i] = which == 0 ? random.nextInt(data.projects) : random.nextInt(data.samples());
            }
            for (Side side : sides) {
                side.latencies.put(OPS[which], new long[o.calls]);
            }
            for (int start = 0; start < total; start += BLOCK) {
                for (int s = 0; s < sides.size(); s++) {
                    Side side = sides.get((start / BLOCK + s) % sides.size()); // who goes first alternates too
                    long[] into = side.latencies.get(OPS[which]);
                    for (int i = start; i < Math.min(start + BLOCK, total); i++) {
                        long nanos = side.call(which, data, keys[i]);
                        if (i >= o.warmup) {
                            into[i - o.warmup] = nanos;
                        }
                    }
                }
            }
        }
    }

    static final String[] OPS = {"byProject (20 newest)", "byCorrelationId", "byId"};

    private static String table(Options o, Data data, List<Side> sides) {
        Side v4 = sides.get(0);
        Side latest = sides.get(1);
        StringBuilder t = new StringBuilder(String.format(Locale.ROOT,
                "%n| %,d executions | v4 (one table) | latest (partitioned) | latest / v4 |%n|---|---|---|---|%n", o.rows));
        row(t, "COPY load, rows/s (indexes and FK in place)", v4.loadRate(), latest.loadRate(), "%,.0f");
        row(t, "insertBatch, rows/s (" + String.format(Locale.ROOT, "%,d", o.batchRows) + " rows, batches of 1,000)",
                v4.batchRate, latest.batchRate, "%,.0f");
        for (String op : OPS) {
            row(t, op + " p50, ms", pct(v4.latencies.get(op), 0.50), pct(latest.latencies.get(op), 0.50), "%.3f");
            row(t, op + " p99, ms", pct(v4.latencies.get(op), 0.99), pct(latest.latencies.get(op), 0.99), "%.3f");
        }
        row(t, "agent_executions total size, MB", mb(v4.totalBytes), mb(latest.totalBytes), "%,.1f");
        row(t, "of which heap (+TOAST, FSM, VM), MB", mb(v4.totalBytes - v4.indexBytes),
                mb(latest.totalBytes - latest.indexBytes), "%,.1f");
        row(t, "of which indexes, MB", mb(v4.indexBytes), mb(latest.indexBytes), "%,.1f");
        row(t, "database size (all tables), MB", mb(v4.databaseBytes), mb(latest.databaseBytes), "%,.1f");
        t.append(String.format(Locale.ROOT, "| retention of %s (%,d rows): v4 DELETE, latest maintainPartitions (detach + drop), s "
                + "| %.2f | %.2f | %.2f |%n", data.months.get(0), v4.retainedRows, v4.retentionSeconds, latest.retentionSeconds,
                latest.retentionSeconds / v4.retentionSeconds));
        t.append(String.format(Locale.ROOT, "| VACUUM after the DELETE (v4 only), s | %.2f | - | - |%n", v4.vacuumAfterSeconds));
        row(t, "agent_executions total size after the retention, MB", mb(v4.afterRetentionBytes),
                mb(latest.afterRetentionBytes), "%,.1f");
        t.append(String.format(Locale.ROOT, "| agent_executions total size after VACUUM, MB | %,.1f | - | - |%n",
                mb(v4.afterVacuumBytes)));
        t.append(String.format(Locale.ROOT, "| WAL written by the retention, MB | %,.1f | %,.1f | - |%n",
                mb(v4.retentionWal), mb(latest.retentionWal)));
        return t.toString();
    }

    private static void row(StringBuilder t, String name, double a, double b, String format) {
        t.append("| ").append(name).append(" | ").append(String.format(Locale.ROOT, format, a)).append(" | ")
                .append(String.format(Locale.ROOT, format, b)).append(" | ")
                .append(String.format(Locale.ROOT, "%.2f", b / a)).append(" |\n");
    }

    private static double pct(long[] nanos, double q) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    private static double mb(long bytes) {
        return bytes / 1048576.0;
    }

    private static void print(Options o, String text) throws IOException {
        System.out.print(text);
        System.out.flush();
        if (o.out != null) {
            Files.writeString(o.out, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    /** @return the checked-out commit of the working directory's repository, or "unknown" */
    static String commit() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 && out.matches("[0-9a-f]{4,40}") ? out : "unknown";
        } catch (IOException | InterruptedException e) {
            return "unknown";
        }
    }

    static Connection admin(int port, String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, "postgres", null);
    }

    /**
     * The data set, the same for both databases: made from one seed, row by row, in id order. Keeps
     * the users' and projects' ids and a sample of the executions (for the reads' random keys).
     */
    static final class Data {

        final long rows;
        final int projects;
        final int users;
        final List<YearMonth> months = new ArrayList<>();
        final Instant from;
        final Instant to;
        private final long seed;
        private final UUID[] userIds;
        private final UUID[] projectIds;
        private final List<UUID> sampleIds = new ArrayList<>();
        private final List<UUID> sampleCorrelations = new ArrayList<>();
        private final List<Integer> sampleProjects = new ArrayList<>();

        Data(long rows, long seed, YearMonth current, Instant to) {
            this.rows = rows;
            this.seed = seed;
            this.projects = (int) Math.max(1, rows / PER_PROJECT);
            this.users = Math.max(1, projects / PROJECTS_PER_USER);
            for (int m = MONTHS - 1; m >= 0; m--) {
                months.add(current.minusMonths(m));
            }
            this.from = months.get(0).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
            this.to = to;
            Random r = new Random(seed);
            userIds = new UUID[users];
            projectIds = new UUID[projects];
            Instant made = from.minus(1, ChronoUnit.DAYS);
            for (int i = 0; i < users; i++) {
                userIds[i] = uuidv7(made.toEpochMilli(), r);
            }
            for (int i = 0; i < projects; i++) {
                projectIds[i] = uuidv7(made.toEpochMilli() + 1, r);
            }
        }

        UUID project(int p) {
            return projectIds[p];
        }

        UUID ownerOfProject(int p) {
            return userIds[p % users];
        }

        int samples() {
            return sampleIds.size();
        }

        /** Writes the users, projects, document versions and exports, in COPY's text format. */
        void copyParents(PGConnection c) throws SQLException {
            copy(c, "users (id, email, name, created_at)", users, (i, b) -> b.append(userIds[(int) i]).append("\tuser")
                    .append(i).append("@bench.example\tUser ").append(i).append('\t').append(from.minus(2, ChronoUnit.DAYS)));
            copy(c, "projects (id, name, status, current_step, created_by, created_at)", projects, (i, b) -> b
                    .append(projectIds[(int) i]).append("\tProject ").append(i).append("\tin_progress\t3\t")
                    .append(ownerOfProject((int) i)).append('\t').append(from.minus(1, ChronoUnit.DAYS)));
            Random r = new Random(seed + 2);
            String content = "x".repeat(400);
            copy(c, "document_versions (id, project_id, document_type, version, content, created_by, created_at)",
                    (long) projects * VERSIONS_PER_PROJECT, (i, b) -> {
                        int p = (int) (i / VERSIONS_PER_PROJECT);
                        Instant at = from.plus(i % VERSIONS_PER_PROJECT, ChronoUnit.DAYS);
                        b.append(uuidv7(at.toEpochMilli(), r)).append('\t').append(projectIds[p]).append("\tabout\t")
                                .append(i % VERSIONS_PER_PROJECT + 1).append('\t').append(content).append('\t')
                                .append(ownerOfProject(p)).append('\t').append(at);
                    });
            copy(c, "exports (id, project_id, status, file_path, created_at, expires_at)", projects, (i, b) -> {
                Instant at = from.plus(10, ChronoUnit.DAYS);
                b.append(uuidv7(at.toEpochMilli(), r)).append('\t').append(projectIds[(int) i])
                        .append("\tcompleted\texports/").append(i).append(".zip\t").append(at).append('\t')
                        .append(at.plus(1, ChronoUnit.DAYS));
            });
        }

        /** Writes the executions in id order; the first call keeps the sample of keys. */
        void copyExecutions(PGConnection c) throws SQLException {
            boolean keep = sampleIds.isEmpty();
            long every = Math.max(1, rows / SAMPLES);
            Random r = new Random(seed + 3);
            long span = to.toEpochMilli() - from.toEpochMilli();
            long live = Math.max(1, rows / 1000);
            UUID[] correlation = new UUID[1];
            int[] project = new int[1];
            copy(c, "agent_executions (id, project_id, agent_type, correlation_id, input_data, output_data, status, "
                    + "error_message, started_at, completed_at)", rows, (i, b) -> {
                long at = from.toEpochMilli() + (long) ((double) span * i / rows);
                if (i % 3 == 0) {
                    correlation[0] = new UUID(r.nextLong(), r.nextLong());
                    project[0] = r.nextInt(projects);
                }
                UUID id = uuidv7(at, r);
                if (keep && i % every == 0) {
                    sampleIds.add(id);
                    sampleCorrelations.add(correlation[0]);
                    sampleProjects.add(project[0]);
                }
                String status = i >= rows - live ? "running" : r.nextInt(50) == 0 ? "failed" : "completed";
                Instant started = Instant.ofEpochMilli(at);
                b.append(id).append('\t').append(projectIds[project[0]]).append('\t').append(AGENTS[(int) (i % 3)])
                        .append('\t').append(correlation[0]).append("\t{\"step\": ").append(i % 4 + 1)
                        .append(", \"prompt\": \"").append(Long.toHexString(r.nextLong())).append(Long.toHexString(r.nextLong()))
                        .append(" describe the idea\"}\t");
                if (status.equals("running")) {
                    b.append("\\N\trunning\t\\N\t").append(started).append("\t\\N");
                } else {
                    b.append("{\"tokens\": ").append(r.nextInt(4000)).append(", \"text\": \"")
                            .append("y".repeat(120)).append("\"}\t").append(status).append('\t')
                            .append(status.equals("failed") ? "the model did not answer in time" : "\\N").append('\t')
                            .append(started).append('\t').append(started.plusMillis(1000 + r.nextInt(60_000)));
                }
            });
        }

        /** One COPY per {@value #COPY_ROWS} rows, each committed. */
        private static void copy(PGConnection c, String target, long n, RowWriter row) throws SQLException {
            StringBuilder b = new StringBuilder(1 << 20);
            for (long start = 0; start < n; start += COPY_ROWS) {
                CopyIn in = c.getCopyAPI().copyIn("COPY " + target + " FROM STDIN");
                try {
                    for (long i = start; i < Math.min(n, start + COPY_ROWS); i++) {
                        row.write(i, b);
                        b.append('\n');
                        if (b.length() > (1 << 20) - 4096) {
                            byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
                            in.writeToCopy(bytes, 0, bytes.length);
                            b.setLength(0);
                        }
                    }
                    byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
                    in.writeToCopy(bytes, 0, bytes.length);
                    b.setLength(0);
                    in.endCopy();
                } finally {
                    if (in.isActive()) {
                        in.cancelCopy();
                    }
                }
            }
        }

        interface RowWriter {
            void write(long i, StringBuilder b);
        }

        /** A UUIDv7 (RFC 9562) of the given millisecond, its other bits random. */
        static UUID uuidv7(long millis, Random r) {
            long high = (millis << 16) | 0x7000L | (r.nextInt() & 0x0fffL);
            long low = (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
            return new UUID(high, low);
        }
    }

    /** One of the two databases, and what was measured on it. */
    static final class Side implements AutoCloseable {

        final String name;
        final String target;
        final int port;
        final String database;
        JeexDatabase app;
        JeexDatabase system;
        boolean partitioned;
        double partitionSeconds;
        double loadSeconds;
        long loadedRows;
        double vacuumSeconds;
        double batchRate;
        final Map<String, long[]> latencies = new TreeMap<>();
        long totalBytes;
        long indexBytes;
        long databaseBytes;
        long retainedRows;
        double retentionSeconds;
        double vacuumAfterSeconds;
        long afterRetentionBytes;
        long afterVacuumBytes;
        long retentionWal;

        Side(String name, String target, int port) {
            this.name = name;
            this.target = target;
            this.port = port;
            this.database = "jeex_" + name;
        }

        String url() {
            return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
        }

        /** Creates and migrates the database, grants the service's role its rights, opens the pools. */
        void prepare(String appPassword) throws SQLException {
            try (Connection c = admin(port, "postgres"); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + database);
            }
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl(url());
            ds.setUser("postgres");
            var flyway = JeexSchema.flywayConfiguration(ds);
            if (target != null) {
                flyway.target(target);
            }
            flyway.load().migrate();
            try (Connection c = admin(port, database); Statement s = c.createStatement()) {
                s.execute("GRANT USAGE ON SCHEMA public TO " + APP_USER);
                // the tables, not their partitions: the service reaches those through agent_executions only (V5)
                s.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON users, projects, document_versions, agent_executions, "
                        + "exports TO " + APP_USER);
                s.execute("GRANT SELECT ON " + JeexSchema.HISTORY_TABLE + " TO " + APP_USER);
                try (ResultSet rs = s.executeQuery("SELECT relkind FROM pg_class WHERE oid = 'agent_executions'::regclass")) {
                    rs.next();
                    partitioned = rs.getString(1).equals("p");
                }
            }
            app = JeexDatabase.create(config(APP_USER, appPassword, 13).build());
            system = JeexDatabase.create(config("postgres", "trusted", 13).build());
        }

        private JeexDbConfig.Builder config(String user, String password, int retentionMonths) {
            return JeexDbConfig.builder(url()).name("scale-" + name + "-" + user).user(user).password(password)
                    .credentials(c -> c.withMigrationUser("postgres").withMigrationPassword("trusted")).poolSize(2)
                    .health(h -> h.withMonitorInterval(Duration.ZERO))
                    .partitions(p -> p.withRetentionMonths(retentionMonths));
        }

        String describe() {
            try (Connection c = admin(port, database); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT max(version), (SELECT string_agg(name || '=' || setting || "
                         + "coalesce(' ' || unit, ''), ', ' ORDER BY name) FROM pg_settings WHERE name IN ('server_version', "
                         + "'shared_buffers', 'fsync', 'synchronous_commit', 'max_wal_size', 'work_mem', "
                         + "'maintenance_work_mem')) FROM " + JeexSchema.HISTORY_TABLE + " WHERE success")) {
                rs.next();
                return "migrated to V" + rs.getString(1) + ", agent_executions " + (partitioned ? "partitioned" : "one table")
                        + "; " + rs.getString(2);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Partitions for the 12 months (latest only), then the data by COPY, then VACUUM ANALYZE. */
        void load(Data data) throws SQLException {
            try (Connection c = admin(port, database); Statement s = c.createStatement()) {
                s.execute("SET statement_timeout = 0");
                long t0 = System.nanoTime();
                if (partitioned) {
                    system.maintainPartitions(); // the current month and those ahead
                    for (YearMonth m : data.months) {
                        s.execute("SELECT jeex_agent_executions_add_partition('" + m.atDay(1) + "'::date)");
                    }
                }
                long t1 = System.nanoTime();
                PGConnection pg = c.unwrap(PGConnection.class);
                data.copyParents(pg);
                data.copyExecutions(pg);
                long t2 = System.nanoTime();
                s.execute("VACUUM ANALYZE");
                long t3 = System.nanoTime();
                partitionSeconds = (t1 - t0) / 1e9;
                loadSeconds = (t2 - t1) / 1e9;
                vacuumSeconds = (t3 - t2) / 1e9;
                loadedRows = data.rows;
                if (partitioned) {
                    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM agent_executions_default")) {
                        rs.next();
                        if (rs.getLong(1) != 0) {
                            throw new IllegalStateException(rs.getLong(1) + " rows landed in the DEFAULT partition");
                        }
                    }
                }
            }
        }

        double loadRate() {
            return loadedRows / loadSeconds;
        }

        /** {@code rows} through the repository, in batches of 1,000, each batch a project owner's. */
        void insertBatch(Data data, int rows) {
            Random r = new Random(7);
            long t0 = System.nanoTime();
            int done = 0;
            for (int b = 0; done < rows; b++) {
                int p = r.nextInt(data.projects);
                Instant started = Instant.now().minusSeconds(60);
                List<NewAgentExecution> batch = new ArrayList<>(BATCH);
                for (int i = 0; i < BATCH; i++) {
                    batch.add(NewAgentExecution.completed(data.project(p), AGENTS[i % 3], UUID.randomUUID(),
                            Json.of("{\"step\": 2, \"prompt\": \"describe the idea\"}"),
                            Json.of("{\"tokens\": 42, \"text\": \"" + "y".repeat(120) + "\"}"), started,
                            started.plusSeconds(5)));
                }
                done += app.actingAs(data.ownerOfProject(p)).agentExecutions().insertBatch(batch);
            }
            batchRate = done / ((System.nanoTime() - t0) / 1e9);
        }

        /** One call of the op, with the key's owner acting; returns its duration. */
        long call(int op, Data data, int key) {
            long t0;
            int found;
            switch (op) {
                case 0 -> {
                    Repositories r = app.actingAs(data.ownerOfProject(key));
                    t0 = System.nanoTime();
                    found = r.agentExecutions().byProject(data.project(key), 20).size();
                }
                case 1 -> {
                    Repositories r = app.actingAs(data.ownerOfProject(data.sampleProjects.get(key)));
                    t0 = System.nanoTime();
                    found = r.agentExecutions().byCorrelationId(data.sampleCorrelations.get(key)).size();
                }
                default -> {
                    Repositories r = app.actingAs(data.ownerOfProject(data.sampleProjects.get(key)));
                    t0 = System.nanoTime();
                    found = r.agentExecutions().byId(data.sampleIds.get(key)).isPresent() ? 1 : 0;
                }
            }
            long nanos = System.nanoTime() - t0;
            if (found == 0) {
                throw new IllegalStateException(name + ": " + OPS[op] + " found nothing: the data set or the policies "
                        + "are not what the harness made");
            }
            return nanos;
        }

        void sizes() throws SQLException {
            long[] s = agentExecutionsSize();
            totalBytes = s[0];
            indexBytes = s[1];
            try (Connection c = admin(port, database); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT pg_database_size(current_database())")) {
                rs.next();
                databaseBytes = rs.getLong(1);
            }
        }

        /** @return total and index bytes of agent_executions and all its partitions */
        long[] agentExecutionsSize() throws SQLException {
            try (Connection c = admin(port, database); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery(partitioned
                         ? "SELECT sum(pg_total_relation_size(relid)), sum(pg_indexes_size(relid)) "
                                 + "FROM pg_partition_tree('agent_executions') WHERE isleaf"
                         : "SELECT pg_total_relation_size('agent_executions'), pg_indexes_size('agent_executions')")) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }

        /** The oldest month: DELETE then VACUUM (v4), or the maintenance's detach and drop (latest). */
        void retention(Data data) throws SQLException {
            YearMonth oldest = data.months.get(0);
            try (Connection c = admin(port, database); Statement s = c.createStatement()) {
                s.execute("SET statement_timeout = 0");
                s.execute("CHECKPOINT");
                long wal0 = lsn(s);
                long t0 = System.nanoTime();
                if (!partitioned) {
                    retainedRows = s.executeUpdate("DELETE FROM agent_executions WHERE id >= "
                            + bound(oldest) + " AND id < " + bound(oldest.plusMonths(1)));
                    retentionSeconds = (System.nanoTime() - t0) / 1e9;
                    retentionWal = lsn(s) - wal0;
                    afterRetentionBytes = agentExecutionsSize()[0];
                    long t1 = System.nanoTime();
                    s.execute("VACUUM agent_executions");
                    vacuumAfterSeconds = (System.nanoTime() - t1) / 1e9;
                    afterVacuumBytes = agentExecutionsSize()[0];
                } else {
                    // months before (now - retention) go: now - 10 leaves exactly the oldest of the 12
                    try (JeexDatabase dropper = JeexDatabase.create(config("postgres", "trusted", MONTHS - 2).build())) {
                        t0 = System.nanoTime();
                        PartitionMaintenance m = dropper.maintainPartitions();
                        retentionSeconds = (System.nanoTime() - t0) / 1e9;
                        retentionWal = lsn(s) - wal0;
                        if (!m.dropped().equals(List.of("agent_executions_y%04dm%02d".formatted(oldest.getYear(),
                                oldest.getMonthValue())))) {
                            throw new IllegalStateException("the maintenance dropped " + m.dropped() + ", not " + oldest);
                        }
                    }
                    afterRetentionBytes = agentExecutionsSize()[0];
                }
            }
        }

        /** The smallest UUIDv7 of the month's first millisecond (UTC), as V5's partition bounds. */
        private static String bound(YearMonth m) {
            return "'" + new UUID(m.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli() << 16, 0) + "'::uuid";
        }

        private static long lsn(Statement s) throws SQLException {
            try (ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")) {
                rs.next();
                return rs.getLong(1);
            }
        }

        @Override
        public void close() {
            app.close();
            system.close();
        }
    }
}

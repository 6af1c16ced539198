package io.jeex.db.benchmarks;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * What one PostgreSQL 18 server behind PgBouncer carries for the JEEX workload: the mix of
 * {@link CapacityClient} (45 % writes, 55 % reads, every call acting as its user under row-level
 * security) from closed-loop clients at increasing counts, each client one connection to PgBouncer
 * (transaction pooling, the shipped {@code pgbouncer.ini}) and PgBouncer holding N server
 * connections; or, with {@code --route direct}, each client one connection to the server
 * ({@code direct-bouncer-mode}: the same with the library's PgBouncer switch on). The
 * server runs with the shipped {@code postgresql.conf} ({@link CapacityServer}), durability on.
 *
 * <p>Per step (a client count), after a warm-up: calls/s (reads and writes), p50/p99/p99.9 of one
 * call, the server's transactions/s (pg_stat_database), PgBouncer's mean wait for a server
 * connection (SHOW STATS), and where the CPU went ({@link CpuMeter}): server, PgBouncer, this JVM
 * (the clients and the library), the rest of the machine, idle. The clients run in this JVM on the
 * same cores as the server: the figures are what the machine carries, not the server alone.
 *
 * <pre>
 * java -cp jeex-db-benchmarks/target/benchmarks.jar io.jeex.db.benchmarks.CapacityRun \
 *     [--clients 8,32,128,512] [--server-connections 8] [--route pgbouncer|direct|direct-bouncer-mode] [--durable true|false] \
 *     [--warmup 10] [--measure 30] [--rounds 3] [--out capacity.md]
 * </pre>
 *
 * Clients are grouped into service instances of up to {@value #PER_INSTANCE} (one JeexDatabase
 * each, its pool as large as its clients, no overflow), as a deployment of several service
 * processes would be. Results: docs/scaling.md, "Capacity of one server".
 */
public final class CapacityRun {

    static final int PER_INSTANCE = 32;

    private CapacityRun() {
    }

    /** The command line. */
    record Options(List<Integer> clients, List<Integer> serverConnections, String route, boolean durable, int warmup,
                   int measure, int rounds, Path out) {

        static Options parse(String[] args) {
            Map<String, String> a = new TreeMap<>(Map.of("--clients", "8,32,128,512", "--server-connections", "8",
                    "--route", "pgbouncer", "--durable", "true", "--warmup", "10", "--measure", "30", "--rounds", "3"));
            for (int i = 0; i + 1 < args.length; i += 2) {
                if (!args[i].startsWith("--")) {
                    throw new IllegalArgumentException("options are --name value pairs, but got " + args[i]);
                }
                a.put(args[i], args[i + 1]);
            }
            Options o = new Options(ints(a.get("--clients")), ints(a.get("--server-connections")), a.get("--route"),
                    Boolean.parseBoolean(a.get("--durable")), Integer.parseInt(a.get("--warmup")),
                    Integer.parseInt(a.get("--measure")), Integer.parseInt(a.get("--rounds")),
                    a.containsKey("--out") ? Path.of(a.get("--out")) : null);
            if (!List.of("pgbouncer", "direct", "direct-bouncer-mode").contains(o.route)) {
                throw new IllegalArgumentException("--route must be pgbouncer, direct or direct-bouncer-mode, but was "
                        + o.route);
            }
            return o;
        }

        private static List<Integer> ints(String csv) {
            return Arrays.stream(csv.split(",")).map(String::trim).map(Integer::parseInt).toList();
        }
    }

    /** One measured step. */
    record Result(String route, int serverConnections, int clients, int round, double loadBefore, double seconds,
                  long reads, long writes, long errors, String errorKinds, long[] readNanos, long[] writeNanos,
                  double serverTxPerSecond, double bouncerWaitMicrosPerTx, CpuMeter.Use cpu) {

        String row() {
            long[] all = merge(readNanos, writeNanos);
            return String.format(Locale.ROOT,
                    "| %s | %s | %d | %d | %.1f | %,.0f | %,.0f | %,.0f | %s | %s | %s | %s | %s | %,.0f | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %d%s |",
                    route, route.equals("pgbouncer") ? Integer.toString(serverConnections) : "-", clients, round, loadBefore,
                    (reads + writes) / seconds, writes / seconds, reads / seconds, ms(all, 0.50), ms(all, 0.99),
                    ms(all, 0.999), ms(writeNanos, 0.99), ms(readNanos, 0.99), serverTxPerSecond,
                    Double.isNaN(bouncerWaitMicrosPerTx) ? "-" : String.format(Locale.ROOT, "%.2f ms", bouncerWaitMicrosPerTx / 1000),
                    cpu.postgres(), cpu.bouncer(), cpu.clients(), cpu.other(), cpu.idle(), errors,
                    errorKinds.isEmpty() ? "" : " " + errorKinds);
        }

        static String header() {
            return "| route | server conns | clients | round | load before | calls/s | writes/s | reads/s | p50 | p99 | p99.9 "
                    + "| p99 writes | p99 reads | server tx/s | PgBouncer wait/tx | CPU PostgreSQL | CPU PgBouncer "
                    + "| CPU clients (JVM) | CPU other | idle | errors |\n"
                    + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|";
        }
    }

    /**
     * @param args see the class comment
     * @throws Exception if the run fails
     */
    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        int maxClients = o.clients.stream().mapToInt(Integer::intValue).max().orElseThrow();
        try (CapacityServer server = CapacityServer.start(o.durable)) {
            List<CapacityClient> clients = fixtures(server, maxClients);
            server.resetStatements();
            print(o, String.format(Locale.ROOT, "%nCapacityRun %s UTC, %d cores, Java %s, load average %s%n"
                    + "server: %s%nroute %s, durable %s, %d s warm-up + %d s measured per step, %d round(s), "
                    + "%d clients per service instance; fixture: %d clients x (%d projects, %d executions, 5 versions)%n",
                    Instant.now().truncatedTo(ChronoUnit.SECONDS), Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"), loadAverage(), server.describe(), o.route, o.durable, o.warmup,
                    o.measure, o.rounds, PER_INSTANCE, maxClients, CapacityClient.PROJECTS, CapacityClient.HISTORY));
            print(o, Result.header() + "\n");
            boolean viaBouncer = o.route.equals("pgbouncer");
            List<Integer> pools = viaBouncer ? o.serverConnections : List.of(0);
            for (int n : pools) {
                BenchPgBouncer bouncer = !viaBouncer ? null : BenchPgBouncer.start(server.port(),
                        CapacityServer.DATABASE, CapacityServer.APP_USER, server.appSecret, server.appPassword, n,
                        Map.of("max_client_conn", Integer.toString(maxClients + 50))); // room for every client
                try {
                    for (int round = 1; round <= o.rounds; round++) {
                        for (int c : o.clients) {
                            Result r = step(o, server, bouncer, n, clients.subList(0, c), round);
                            print(o, r.row() + "\n");
                        }
                    }
                } finally {
                    if (bouncer != null) {
                        bouncer.close();
                    }
                }
            }
            print(o, "\nStatements the server ran over all steps (pg_stat_statements, warm-ups included):\n\n"
                    + server.statements(20) + "\n");
            print(o, String.format(Locale.ROOT, "done %s UTC, load average %s%n",
                    Instant.now().truncatedTo(ChronoUnit.SECONDS), loadAverage()));
        }
    }

    /** Makes {@code n} clients' rows, 8 at a time, straight to the server (set-up, not measured). */
    private static List<CapacityClient> fixtures(CapacityServer server, int n) throws InterruptedException {
        CapacityClient[] made = new CapacityClient[n];
        try (JeexDatabase setup = JeexDatabase.create(JeexDbConfig.builder(server.directUrl()).name("capacity-setup")
                .user(CapacityServer.APP_USER).password(server.appPassword).poolSize(8)
                .health(h -> h.withMonitorInterval(Duration.ZERO)).build())) {
            AtomicReference<RuntimeException> failure = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int first = t;
                Thread thread = new Thread(() -> {
                    try {
                        for (int i = first; i < n; i += 8) {
                            made[i] = new CapacityClient(setup, i);
                        }
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, e);
                    }
                });
                thread.start();
                threads.add(thread);
            }
            for (Thread t : threads) {
                t.join();
            }
            if (failure.get() != null) {
                throw failure.get();
            }
        }
        try (Connection c = server.adminToApplicationDatabase(); Statement s = c.createStatement()) {
            s.execute("VACUUM ANALYZE");
            s.execute("CHECKPOINT"); // the fixture's dirty pages, not the first step's
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return List.of(made);
    }

    private static Result step(Options o, CapacityServer server, BenchPgBouncer bouncer, int serverConnections,
                               List<CapacityClient> clients, int round) throws Exception {
        int instances = (clients.size() + PER_INSTANCE - 1) / PER_INSTANCE;
        int pool = (clients.size() + instances - 1) / instances;
        List<JeexDatabase> dbs = new ArrayList<>();
        try {
            for (int i = 0; i < instances; i++) {
                dbs.add(JeexDatabase.create(config(server, bouncer, o.route.equals("direct-bouncer-mode"),
                        "capacity-" + i, pool)));
            }
            double load = loadAverage();
            CpuMeter meter = new CpuMeter(server.postmasterPid(), bouncer == null ? -1 : bouncer.pid());
            long start = System.nanoTime();
            long measureFrom = start + TimeUnit.SECONDS.toNanos(o.warmup);
            long end = measureFrom + TimeUnit.SECONDS.toNanos(o.measure);
            Map<String, Long> errorKinds = new ConcurrentHashMap<>();
            long[][] reads = new long[clients.size()][];
            long[][] writes = new long[clients.size()][];
            long[] errors = new long[clients.size()];
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < clients.size(); i++) {
                int me = i;
                JeexDatabase db = dbs.get(i % instances);
                CapacityClient client = clients.get(i);
                Thread t = new Thread(() -> {
                    LongList r = new LongList();
                    LongList w = new LongList();
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    long t0;
                    while ((t0 = System.nanoTime()) < end) {
                        try {
                            CapacityClient.Kind kind = client.next(db);
                            long t1 = System.nanoTime();
                            if (t0 >= measureFrom) {
                                (kind == CapacityClient.Kind.READ ? r : w).add(t1 - t0);
                            }
                        } catch (RuntimeException e) {
                            if (t0 >= measureFrom) {
                                errors[me]++;
                            }
                            errorKinds.merge(e.getClass().getSimpleName(), 1L, Long::sum);
                        }
                    }
                    reads[me] = r.toArray();
                    writes[me] = w.toArray();
                }, "capacity-client-" + i);
                t.start();
                threads.add(t);
            }
            go.countDown();
            sleepUntil(measureFrom);
            CpuMeter.Sample cpu0 = meter.sample();
            long tx0 = serverTransactions(server);
            long[] b0 = bouncerStats(bouncer, server);
            sleepUntil(end);
            CpuMeter.Sample cpu1 = meter.sample();
            long tx1 = serverTransactions(server);
            long[] b1 = bouncerStats(bouncer, server);
            for (Thread t : threads) {
                t.join();
            }
            double seconds = (cpu1.nanos() - cpu0.nanos()) / 1e9;
            long[] allReads = merge(reads);
            long[] allWrites = merge(writes);
            double wait = b0 == null || b1 == null || b1[0] == b0[0] ? Double.NaN
                    : (b1[1] - b0[1]) / (double) (b1[0] - b0[0]);
            return new Result(o.route, serverConnections, clients.size(), round, load, o.measure, allReads.length,
                    allWrites.length, Arrays.stream(errors).sum(), errorKinds.entrySet().stream()
                    .map(e -> e.getKey() + " x" + e.getValue()).collect(Collectors.joining(", ")), allReads, allWrites,
                    (tx1 - tx0) / seconds, wait, CpuMeter.between(cpu0, cpu1));
        } finally {
            for (JeexDatabase db : dbs) {
                db.close();
            }
        }
    }

    /**
     * @param bouncerMode the library's PgBouncer switch without PgBouncer (no server-side prepared
     *     statements, timeouts per transaction): what the switch costs apart from the pooler
     */
    private static JeexDbConfig config(CapacityServer server, BenchPgBouncer bouncer, boolean bouncerMode, String name,
                                       int pool) {
        JeexDbConfig.Builder b = JeexDbConfig.builder(bouncer == null ? server.directUrl() : bouncer.url()).name(name)
                .user(CapacityServer.APP_USER).password(server.appPassword).poolSize(pool)
                .pool(p -> p.withMaxOverflow(0).withAcquireTimeout(Duration.ofSeconds(60)))
                .health(h -> h.withMonitorInterval(Duration.ZERO));
        if (bouncer != null || bouncerMode) {
            b = b.pool(p -> p.withPgBouncer(true)).migration(m -> m.withUrl(server.directUrl()));
        }
        return b.build();
    }

    /** @return the database's committed and rolled-back transactions (backends report them at least every second) */
    private static long serverTransactions(CapacityServer server) throws SQLException {
        try (Connection c = server.adminToApplicationDatabase(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT xact_commit + xact_rollback FROM pg_stat_database "
                     + "WHERE datname = current_database()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * @return PgBouncer's {total_xact_count, total_wait_time (µs)} of the database, or null. Read
     *     with psql (postgresql-client): pgjdbc's connection set-up sends a SET, which the admin
     *     console refuses.
     */
    private static long[] bouncerStats(BenchPgBouncer bouncer, CapacityServer server) {
        if (bouncer == null || bouncerStatsFailed) {
            return null;
        }
        try {
            ProcessBuilder pb = new ProcessBuilder("psql", "-X", "-A", "-F", ",", "-c", "SHOW STATS",
                    "host=127.0.0.1 port=" + bouncer.port() + " dbname=pgbouncer user=" + CapacityServer.APP_USER)
                    .redirectErrorStream(true);
            pb.environment().put("PGPASSWORD", server.appPassword);
            Process p = pb.start();
            List<String> lines = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                    .lines().toList();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0 || lines.isEmpty()) {
                throw new IOException("psql: " + String.join(" ", lines));
            }
            List<String> columns = List.of(lines.get(0).split(","));
            for (String line : lines.subList(1, lines.size())) {
                String[] v = line.split(",");
                if (v.length == columns.size() && v[columns.indexOf("database")].equals(CapacityServer.DATABASE)) {
                    return new long[] {Long.parseLong(v[columns.indexOf("total_xact_count")]),
                        Long.parseLong(v[columns.indexOf("total_wait_time")])};
                }
            }
            throw new IOException("no line for " + CapacityServer.DATABASE + " in " + lines);
        } catch (IOException | RuntimeException e) {
            bouncerStatsFailed = true;
            System.err.println("PgBouncer's SHOW STATS is not available, its wait column stays empty: " + e);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static volatile boolean bouncerStatsFailed;

    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left); // the harness's own clock: the workers run meanwhile
        }
    }

    private static void print(Options o, String text) throws IOException {
        System.out.print(text);
        System.out.flush();
        if (o.out != null) {
            Files.writeString(o.out, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    static String ms(long[] sorted, double q) {
        if (sorted.length == 0) {
            return "-";
        }
        long v = sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
        return String.format(Locale.ROOT, v >= 100_000_000L ? "%.0f ms" : "%.1f ms", v / 1e6);
    }

    static long[] merge(long[]... parts) {
        long[] all = Arrays.stream(parts).filter(x -> x != null).flatMapToLong(Arrays::stream).toArray();
        Arrays.sort(all);
        return all;
    }

    /** A growable array of longs, one per worker (no boxing in the measured loop). */
    static final class LongList {
        private long[] values = new long[4096];
        private int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        long[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}

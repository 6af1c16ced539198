package io.jeex.db.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.PoolConfig;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.TestkitSettings;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Start-up and footprint of one {@link JeexDatabase} with the default pool, against a bare
 * HikariCP + pgjdbc set-up of the same size ({@code minimumIdle} the {@link PoolConfig#size()} of
 * {@link PoolConfig#DEFAULTS}, {@code maximumPoolSize} pool size + overflow, auto-commit):
 * <ol>
 *   <li><b>cold start</b>: a fresh JVM per sample (the same class path), timing from
 *       {@code JeexDatabase.create} (or {@code new HikariDataSource}) to the first committed
 *       transaction, a user inserted; class loading and JIT-less first execution included;</li>
 *   <li><b>warm start</b>: the same in one JVM after 20 unmeasured instances;</li>
 *   <li><b>retained heap</b>: {@value #INSTANCES} instances open at once, each after one
 *       transaction and with its pool filled to its minimum, measured as the heap in use after
 *       full collections ({@link MemoryMXBean}, {@code System.gc()} until the figure settles)
 *       minus the same before the instances were made, divided by their number. Live pooled
 *       connections are part of the figure, on both sides.</li>
 * </ol>
 *
 * <pre>java -cp benchmarks.jar io.jeex.db.benchmarks.Footprint [cold samples]</pre>
 */
public final class Footprint {

    static final int INSTANCES = 10;
    private static final String INSERT = "insert into users (email, name) values (?, 'Footprint')";

    private Footprint() {
    }

    /**
     * @param args cold-start samples per side (default 5); or, in a child JVM, {@code child jeex|bare url}
     * @throws Exception if a step fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("child")) {
            long started = System.nanoTime();
            startAndCommit(args[1], args[2]).close();
            System.out.println("COLD_MS " + (System.nanoTime() - started) / 1e6 + " "
                    + ManagementFactory.getClassLoadingMXBean().getLoadedClassCount());
            return;
        }
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        JeexPostgres postgres = JeexPostgres.start(TestkitSettings.of(Map.of(TestkitSettings.PROVIDER, "embedded",
                TestkitSettings.PREFETCH, "0"), Map.of()));
        try (TestDatabase database = postgres.newDatabase()) {
            String url = database.jdbcUrl();
            StringBuilder report = new StringBuilder(String.format(Locale.ROOT, "%s, Java %s, default pool (%d + %d "
                    + "overflow), embedded PostgreSQL %s%n", java.time.LocalDate.now(), System.getProperty("java.version"),
                    PoolConfig.DEFAULTS.size(), PoolConfig.DEFAULTS.maxOverflow(), postgres.serverVersion()));
            for (String side : List.of("bare", "jeex")) {
                double[] cold = new double[samples];
                long classes = 0;
                for (int i = 0; i < samples; i++) {
                    String[] out = child(side, url);
                    cold[i] = Double.parseDouble(out[0]);
                    classes = Long.parseLong(out[1]);
                }
                for (int i = 0; i < 20; i++) {
                    startAndCommit(side, url).close();
                }
                double[] warm = new double[20];
                for (int i = 0; i < warm.length; i++) {
                    long started = System.nanoTime();
                    AutoCloseable handle = startAndCommit(side, url);
                    warm[i] = (System.nanoTime() - started) / 1e6;
                    handle.close();
                }
                long before = heapAfterGc();
                List<AutoCloseable> open = new ArrayList<>();
                for (int i = 0; i < INSTANCES; i++) {
                    AutoCloseable handle = startAndCommit(side, url);
                    awaitFilled(handle);
                    open.add(handle);
                }
                long after = heapAfterGc();
                for (AutoCloseable handle : open) {
                    handle.close();
                }
                report.append(String.format(Locale.ROOT, "%-5s cold start to first commit: median %.0f ms (%s), "
                        + "%,d classes loaded by then; warm: median %.1f ms; retained heap per instance: %,d KiB%n", side,
                        median(cold), Arrays.toString(Arrays.stream(cold).mapToLong(Math::round).toArray()), classes,
                        median(warm),
                        (after - before) / INSTANCES / 1024));
            }
            System.out.println();
            System.out.print(report);
        } finally {
            postgres.shutdown();
        }
    }

    /** Opens the side's pool and commits one insert through it; the handle closes the pool. */
    static AutoCloseable startAndCommit(String side, String url) throws SQLException {
        if (side.equals("jeex")) {
            JeexDatabase db = JeexDatabase.create(JeexDbConfig.builder(url).user("postgres").password("").build());
            db.actingAsNewUser().users().create(UUID.randomUUID() + "@example.com", "Footprint");
            return db;
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername("postgres");
        config.setPassword("");
        config.setMinimumIdle(PoolConfig.DEFAULTS.size());
        config.setMaximumPoolSize(PoolConfig.DEFAULTS.size() + PoolConfig.DEFAULTS.maxOverflow());
        HikariDataSource pool = new HikariDataSource(config);
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setString(1, UUID.randomUUID() + "@example.com");
            ps.executeUpdate();
        }
        return pool;
    }

    private static void awaitFilled(AutoCloseable handle) throws InterruptedException {
        HikariDataSource pool = (HikariDataSource) (handle instanceof JeexDatabase db ? db.dataSource() : handle);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (pool.getHikariPoolMXBean().getTotalConnections() < PoolConfig.DEFAULTS.size()
                && System.nanoTime() < deadline) {
            Thread.sleep(20); // poll interval while HikariCP opens the minimum of connections in the background
        }
    }

    /** The heap in use after full collections, repeated until two readings agree within 64 KiB. */
    static long heapAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            Thread.sleep(100); // lets reference processing and cleaners finish between collections
            long used = memory.getHeapMemoryUsage().getUsed();
            if (Math.abs(used - last) < 64 * 1024) {
                return used;
            }
            last = used;
        }
        return last;
    }

    /** Runs {@code main child side url} in a fresh JVM on this class path; returns its milliseconds and class count. */
    private static String[] child(String side, String url) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Footprint.class.getName(),
                "child", side, url).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("the " + side + " child failed:\n" + out);
        }
        for (String line : out.split("\n")) {
            if (line.startsWith("COLD_MS ")) {
                return line.substring(8).trim().split(" ");
            }
        }
        throw new IllegalStateException("no COLD_MS from the " + side + " child:\n" + out);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }
}

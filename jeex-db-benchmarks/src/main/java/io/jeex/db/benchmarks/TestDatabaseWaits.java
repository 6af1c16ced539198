package io.jeex.db.benchmarks;

import io.jeex.db.schema.JeexSchema;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.TestkitSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.preparer.DatabasePreparer;
import io.zonky.test.db.provider.DatabaseProvider;
import io.zonky.test.db.provider.EmbeddedDatabase;
import io.zonky.test.db.provider.common.PrefetchingDatabaseProvider;
import io.zonky.test.db.provider.common.TemplatingDatabaseProvider;
import io.zonky.test.db.provider.postgres.ZonkyPostgresDatabaseProvider;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.env.StandardEnvironment;

/**
 * How long a suite of short tests waits for a fresh migrated database: {@value #DEFAULT_TESTS}
 * tests, each takes a database, opens a connection, inserts {@value #ROWS} rows in a transaction,
 * closes and releases it; the wait is the time from asking for the database to having it. Every
 * variant runs on the same embedded PostgreSQL 18 (durability off, as the testkit runs it) except
 * zonky's, which starts its own with the same settings:
 * <ul>
 *   <li>{@code testkit prefetch=N}: jeex-db's testkit as it is, with N clones prepared ahead by
 *       its background thread (N = 2 is the default, 0 is off); drops in the background;</li>
 *   <li>{@code CREATE DATABASE ... TEMPLATE} per test, synchronous, with {@code STRATEGY WAL_LOG}
 *       (the default), {@code FILE_COPY}, and {@code FILE_COPY} with {@code file_copy_method =
 *       clone}; each database dropped after its test, the drop timed;</li>
 *   <li>the same with a concurrent writer dirtying shared buffers in another database (so that
 *       a checkpoint has work to do): {@code DROP DATABASE} and {@code FILE_COPY} checkpoint;</li>
 *   <li>zonky's {@code embedded-database-spring-test} prefetching (its
 *       {@code PrefetchingDatabaseProvider} over its templating and embedded providers, driven
 *       without Spring Boot or a Spring context), migrating with the same Flyway configuration.</li>
 * </ul>
 * For each: the wait at p50, p90, p99 and max, the drop time where the harness drops, and the
 * checkpoints the server was asked for ({@code pg_stat_checkpointer.num_requested}).
 *
 * <pre>java -cp benchmarks.jar io.jeex.db.benchmarks.TestDatabaseWaits [tests] [variant filter regex]</pre>
 */
// "try": the concurrent Writer runs in the background for the duration of its try block, unreferenced
@SuppressWarnings("try")
public final class TestDatabaseWaits {

    static final int DEFAULT_TESTS = 200;
    static final int ROWS = 5;
    private static final SecureRandom RANDOM = new SecureRandom();

    private TestDatabaseWaits() {
    }

    /** One variant's figures, in milliseconds. */
    record Figures(String variant, double[] waits, double[] drops, long checkpoints, double suiteMs) {
    }

    /**
     * @param args tests per variant (default 200), and a regex on the variant names to run only some
     * @throws Exception if a variant fails
     */
    public static void main(String[] args) throws Exception {
        int tests = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_TESTS;
        String only = args.length > 1 ? args[1] : ".*";
        JeexPostgres server = JeexPostgres.start(TestkitSettings.of(Map.of(TestkitSettings.PROVIDER, "embedded",
                TestkitSettings.PREFETCH, "0"), Map.of()));
        List<Figures> results = new ArrayList<>();
        try {
            String template = server.templateName();
            String admin = server.jdbcUrl("postgres");
            for (int depth : new int[] {0, 1, 2, 4, 8, 16}) {
                String name = "testkit prefetch=" + depth + (depth == TestkitSettings.DEFAULT_PREFETCH ? " (default)" : "");
                if (name.matches(only)) {
                    results.add(testkit(name, admin, depth, false, tests, false));
                }
            }
            if ("testkit prefetch=2, concurrent writer".matches(only)) {
                results.add(testkit("testkit prefetch=2, concurrent writer", admin, 2, false, tests, true));
            }
            for (boolean writer : new boolean[] {false, true}) {
                String name = "testkit prefetch=2, recycle=true" + (writer ? ", concurrent writer" : "");
                if (name.matches(only)) {
                    results.add(testkit(name, admin, 2, true, tests, writer));
                }
            }
            for (String strategy : List.of("WAL_LOG", "FILE_COPY", "FILE_COPY clone")) {
                for (boolean writer : new boolean[] {false, true}) {
                    String name = "CREATE DATABASE ... STRATEGY " + strategy + (writer ? ", concurrent writer" : "");
                    if (name.matches(only)) {
                        results.add(plain(name, admin, template, strategy, tests, writer));
                    }
                }
            }
            for (String reset : List.of("TRUNCATE", "DELETE")) {
                for (boolean writer : new boolean[] {false, true}) {
                    String name = "recycled clone (" + reset + " at hand-out)" + (writer ? ", concurrent writer" : "");
                    if (name.matches(only)) {
                        results.add(recycled(name, admin, template, reset, tests, writer));
                    }
                }
            }
            if ("zonky prefetching".matches(only)) {
                results.add(zonky("zonky prefetching", tests));
            }
        } finally {
            server.shutdown();
        }
        System.out.println();
        System.out.println(table(results, tests));
        System.out.println(depthVerdict(results));
    }

    /** Which fixed prefetch depth of the testkit, if any, kept the p90 wait at or below 5 ms. */
    static String depthVerdict(List<Figures> results) {
        for (Figures f : results) {
            if (f.variant().matches("testkit prefetch=\\d+( \\(default\\))?") && f.waits().length > 0) {
                double[] w = f.waits().clone();
                Arrays.sort(w);
                if (percentile(w, 0.9) <= 5.0) {
                    return "smallest prefetch depth with p90 <= 5 ms: " + f.variant();
                }
            }
        }
        return "no prefetch depth from 0 to 16 kept p90 <= 5 ms: the prefetcher makes clones more slowly than these "
                + "tests use them, so a deeper queue only delays the moment it runs dry";
    }

    /** The testkit on the shared server (as an external one), with the given prefetch depth. */
    static Figures testkit(String name, String adminUrl, int depth, boolean recycle, int tests, boolean writer)
            throws Exception {
        JeexPostgres postgres = JeexPostgres.start(TestkitSettings.of(Map.of(TestkitSettings.URL, adminUrl,
                TestkitSettings.USER, "postgres", TestkitSettings.PREFETCH, Integer.toString(depth),
                TestkitSettings.RECYCLE, Boolean.toString(recycle)), Map.of()));
        try (Writer load = writer ? new Writer(adminUrl) : null) {
            postgres.templateName();
            long checkpoints = checkpointsRequested(adminUrl);
            double[] waits = new double[tests];
            long suite = System.nanoTime();
            for (int i = 0; i < tests; i++) {
                long asked = System.nanoTime();
                try (TestDatabase db = postgres.newDatabase()) {
                    waits[i] = (System.nanoTime() - asked) / 1e6;
                    shortTest(db.jdbcUrl());
                }
            }
            double suiteMs = (System.nanoTime() - suite) / 1e6;
            return new Figures(name, waits, null, checkpointsRequested(adminUrl) - checkpoints, suiteMs);
        } finally {
            postgres.shutdown();
        }
    }

    /** A synchronous {@code CREATE DATABASE ... TEMPLATE} per test and a synchronous drop after it. */
    static Figures plain(String name, String adminUrl, String template, String strategy, int tests, boolean writer)
            throws Exception {
        String create = "CREATE DATABASE %s TEMPLATE " + template + " STRATEGY " + strategy.split(" ")[0];
        double[] waits = new double[tests];
        double[] drops = new double[tests];
        try (Writer load = writer ? new Writer(adminUrl) : null; Connection c = connect(adminUrl)) {
            if (strategy.endsWith("clone")) {
                execute(c, "SET file_copy_method = clone");
            }
            long checkpoints = checkpointsRequested(adminUrl);
            long suite = System.nanoTime();
            for (int i = 0; i < tests; i++) {
                String db = "jeex_wait_" + HexFormat.of().formatHex(bytes(6));
                long asked = System.nanoTime();
                execute(c, String.format(Locale.ROOT, create, db));
                waits[i] = (System.nanoTime() - asked) / 1e6;
                shortTest(adminUrl.substring(0, adminUrl.lastIndexOf('/') + 1) + db);
                long dropping = System.nanoTime();
                execute(c, "DROP DATABASE " + db + " WITH (FORCE)");
                drops[i] = (System.nanoTime() - dropping) / 1e6;
            }
            double suiteMs = (System.nanoTime() - suite) / 1e6;
            return new Figures(name, waits, drops, checkpointsRequested(adminUrl) - checkpoints, suiteMs);
        } catch (SQLException e) {
            // FILE_COPY clone where the platform cannot clone: reported as what the machine gives
            return new Figures(name + ": " + e.getMessage().replace('\n', ' '), new double[0], null, 0, 0);
        }
    }

    /**
     * One clone handed out again and again: before each test, its data tables are emptied over a
     * connection kept to it (the schema stays; Flyway's history table is kept), which is the wait:
     * {@code TRUNCATE ... RESTART IDENTITY CASCADE} (new files for every table and index) or one
     * {@code DELETE} per table (cheap for the few rows a short test leaves). A prototype of
     * recycling clones instead of dropping them: no {@code DROP DATABASE}, so no checkpoint per test.
     */
    static Figures recycled(String name, String adminUrl, String template, String reset, int tests, boolean writer)
            throws Exception {
        String db = "jeex_wait_recycled_" + HexFormat.of().formatHex(bytes(6));
        String url = adminUrl.substring(0, adminUrl.lastIndexOf('/') + 1) + db;
        try (Writer load = writer ? new Writer(adminUrl) : null; Connection admin = connect(adminUrl)) {
            execute(admin, "CREATE DATABASE " + db + " TEMPLATE " + template);
            try (Connection keeper = connect(url)) {
                List<String> tables = new ArrayList<>();
                try (Statement s = keeper.createStatement(); ResultSet rs = s.executeQuery("select quote_ident(tablename) "
                        + "from pg_tables where schemaname = 'public' and tablename <> 'flyway_schema_history'")) {
                    while (rs.next()) {
                        tables.add(rs.getString(1));
                    }
                }
                String truncate = reset.equals("TRUNCATE")
                        ? "TRUNCATE " + String.join(", ", tables) + " RESTART IDENTITY CASCADE"
                        : tables.stream().map(t -> "DELETE FROM " + t).collect(java.util.stream.Collectors.joining("; "));
                long checkpoints = checkpointsRequested(adminUrl);
                double[] waits = new double[tests];
                long suite = System.nanoTime();
                for (int i = 0; i < tests; i++) {
                    long asked = System.nanoTime();
                    execute(keeper, truncate);
                    waits[i] = (System.nanoTime() - asked) / 1e6;
                    shortTest(url);
                }
                double suiteMs = (System.nanoTime() - suite) / 1e6;
                return new Figures(name, waits, null, checkpointsRequested(adminUrl) - checkpoints, suiteMs);
            } finally {
                execute(admin, "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            }
        }
    }

    /**
     * zonky's prefetching pipeline, as its Spring test integration assembles it for an embedded
     * PostgreSQL, but built by hand: no Spring Boot, no application context, only the Spring
     * Framework types its constructors take (an {@code Environment}, an {@code ObjectProvider}).
     */
    static Figures zonky(String name, int tests) throws Exception {
        Consumer<EmbeddedPostgres.Builder> sameSettings = b -> b.setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off").setServerConfig("full_page_writes", "off")
                .setServerConfig("timezone", "UTC");
        ObjectProvider<List<Consumer<EmbeddedPostgres.Builder>>> customizers = new ObjectProvider<>() {
            @Override
            public List<Consumer<EmbeddedPostgres.Builder>> getObject() {
                return List.of(sameSettings);
            }

            @Override
            public List<Consumer<EmbeddedPostgres.Builder>> getIfAvailable() {
                return getObject();
            }
        };
        DatabaseProvider provider = new PrefetchingDatabaseProvider(new TemplatingDatabaseProvider(
                new ZonkyPostgresDatabaseProvider(new StandardEnvironment(), customizers)));
        DatabasePreparer migrate = new FlywayPreparer();
        provider.createDatabase(migrate).close(); // starts its server and builds its template, as a suite's first test would
        double[] waits = new double[tests];
        long suite = System.nanoTime();
        for (int i = 0; i < tests; i++) {
            long asked = System.nanoTime();
            EmbeddedDatabase db = provider.createDatabase(migrate);
            waits[i] = (System.nanoTime() - asked) / 1e6;
            try {
                shortTest(db);
            } finally {
                db.close();
            }
        }
        return new Figures(name, waits, null, -1, (System.nanoTime() - suite) / 1e6);
    }

    /** The JEEX migrations, as zonky's Flyway preparer would apply them (one instance: the pipeline's key). */
    static final class FlywayPreparer implements DatabasePreparer {
        @Override
        public long estimatedDuration() {
            return 1_000; // ms; above zonky's templating threshold, so migrated databases become its template
        }

        @Override
        public void prepare(DataSource dataSource) {
            JeexSchema.flyway(dataSource).migrate();
        }
    }

    /** What each test does: a connection, a few rows in a transaction, a count. */
    static void shortTest(String url) throws SQLException {
        try (Connection c = connect(url)) {
            shortTest(c);
        }
    }

    static void shortTest(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            shortTest(c);
        }
    }

    private static void shortTest(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("insert into users (email, name) values (?, 'Test')")) {
            for (int row = 0; row < ROWS; row++) {
                ps.setString(1, "t" + row + "@example.com");
                ps.addBatch();
            }
            ps.executeBatch();
        }
        c.commit();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select count(*) from users")) {
            rs.next();
            if (rs.getInt(1) != ROWS) {
                throw new IllegalStateException("a test's database was not fresh: " + rs.getInt(1) + " users");
            }
        }
        c.commit();
    }

    /**
     * Inserts and updates rows in a database of its own until closed, so that shared buffers stay
     * dirty and a checkpoint has to write them.
     */
    static final class Writer implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong rows = new AtomicLong();
        private final Thread thread;
        private final String adminUrl;
        private final String database = "jeex_wait_writer_" + HexFormat.of().formatHex(bytes(4));

        Writer(String adminUrl) throws SQLException {
            this.adminUrl = adminUrl;
            try (Connection c = connect(adminUrl)) {
                execute(c, "CREATE DATABASE " + database);
            }
            String url = adminUrl.substring(0, adminUrl.lastIndexOf('/') + 1) + database;
            thread = new Thread(() -> {
                try (Connection c = connect(url)) {
                    execute(c, "create table load (id bigserial primary key, payload text)");
                    while (!stop.get()) {
                        execute(c, "insert into load (payload) select repeat('x', 200) from generate_series(1, 500)");
                        execute(c, "update load set payload = payload where id % 7 = " + (rows.get() % 7));
                        rows.addAndGet(500);
                    }
                } catch (SQLException e) {
                    if (!stop.get()) {
                        throw new IllegalStateException(e);
                    }
                }
            }, "jeex-wait-writer");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws SQLException {
            stop.set(true);
            try {
                thread.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try (Connection c = connect(adminUrl)) {
                execute(c, "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            }
        }
    }

    static long checkpointsRequested(String adminUrl) throws SQLException {
        try (Connection c = connect(adminUrl); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select num_requested from pg_stat_checkpointer")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url, "postgres", "");
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    static double percentile(double[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static String table(List<Figures> results, int tests) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%s, %d tests per variant, Java %s; ms%n%n",
                java.time.LocalDate.now(), tests, System.getProperty("java.version")));
        out.append("| variant | wait p50 | p90 | p99 | max | drop p50 | drop p99 | drop max | checkpoints requested | suite s |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (Figures f : results) {
            if (f.waits().length == 0) {
                out.append("| ").append(f.variant()).append(" | | | | | | | | | |\n");
                continue;
            }
            double[] w = f.waits().clone();
            Arrays.sort(w);
            out.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f |", f.variant(), percentile(w, 0.5),
                    percentile(w, 0.9), percentile(w, 0.99), w[w.length - 1]));
            if (f.drops() != null) {
                double[] d = f.drops().clone();
                Arrays.sort(d);
                out.append(String.format(Locale.ROOT, " %.1f | %.1f | %.1f |", percentile(d, 0.5), percentile(d, 0.99),
                        d[d.length - 1]));
            } else {
                out.append(" | | |");
            }
            out.append(f.checkpoints() < 0 ? " (own server) |" : " " + f.checkpoints() + " |");
            out.append(String.format(Locale.ROOT, " %.1f |%n", f.suiteMs() / 1000));
        }
        return out.toString();
    }
}

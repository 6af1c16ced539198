package io.jeex.db.cli;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.TestkitSettings;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The jeex-db command line: {@code demo} (default) runs a realistic flow through every
 * repository and prints a summary. It uses the PostgreSQL given by {@code JEEX_DB_URL}
 * (with {@code JEEX_DB_USER}, {@code JEEX_DB_PASSWORD} or {@code JEEX_DB_PASSWORD_FILE}), or
 * starts an embedded PostgreSQL 18 when that is unset.
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

    /**
     * Runs a command.
     *
     * @param args the command and its options
     * @param env environment variables
     * @param out where results go
     * @param err where errors go
     * @return the exit status: 0 on success, 1 on failure, 2 on bad usage
     */
    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        String command = args.isEmpty() ? "demo" : args.get(0);
        if (!command.equals("demo")) {
            err.println("usage: jeex-db [demo]");
            return 2;
        }
        try (Target target = Target.open(env, out)) {
            try (JeexDatabase db = JeexDatabase.create(target.config())) {
                return new Demo(db, out).run();
            }
        } catch (RuntimeException e) {
            err.println("jeex-db: " + command + " failed: " + e.getMessage());
            return 1;
        }
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
                out.println("database: " + config.url() + " (JEEX_DB_URL)");
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

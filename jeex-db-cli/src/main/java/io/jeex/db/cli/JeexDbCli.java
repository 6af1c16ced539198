package io.jeex.db.cli;

import io.jeex.db.JeexDatabase;
import io.jeex.db.error.JeexDbException;
import io.jeex.db.schema.JdbcUrlMask;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The jeex-db operator tool: {@code java -jar jeex-db.jar <command>}. Results go to stdout
 * (human lines, or exactly one JSON document with {@code --json}); logs and errors to stderr.
 * See {@code --help} for the commands, the environment and the exit status.
 */
@Command(name = "jeex-db", mixinStandardHelpOptions = true, versionProvider = Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {"The jeex-db operator tool: the JEEX schema's migrations, rollbacks, drift, backups and "
                + "restores, the database's health, and masked copies for non-production use.",
                "Works on JEEX_DB_URL; without it, on a persistent embedded PostgreSQL 18 (see embedded)."},
        subcommands = {Commands.Migrate.class, Commands.Info.class, Commands.Validate.class,
                BackupCommands.Rollback.class, BackupCommands.Backup.class, BackupCommands.RestoreCommand.class,
                Commands.Health.class, Commands.Partitions.class, Commands.Mask.class, Commands.Demo.class, Commands.Embedded.class},
        commandListHeading = "%nCommands:%n",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {JeexDbCli.EXIT_OK + ":success; health: UP",
                JeexDbCli.EXIT_FAILED + ":the command failed (the reason is on stderr); health: DOWN",
                JeexDbCli.EXIT_USAGE + ":bad usage or configuration (a wrong option, command or JEEX_DB_* value)",
                JeexDbCli.EXIT_DEGRADED + ":health: DEGRADED (live, but not ready or not everything answered)"},
        footerHeading = "%nEnvironment:%n", footer = {Help.ENVIRONMENT})
public final class JeexDbCli implements Callable<Integer> {

    /** Exit status: success (health UP). */
    static final int EXIT_OK = 0;
    /** Exit status: the command failed (health DOWN). */
    static final int EXIT_FAILED = 1;
    /** Exit status: bad usage or configuration. */
    static final int EXIT_USAGE = 2;
    /** Exit status of {@code health} when the report is DEGRADED. */
    static final int EXIT_DEGRADED = 3;

    @Option(names = "--data-dir", paramLabel = "DIR", description = {"Data directory of the embedded PostgreSQL "
            + "used when JEEX_DB_URL is unset (default: $" + Environment.EMBEDDED_DIR + ", else ~/.jeex-db/embedded)."})
    Path dataDir;

    final Map<String, String> env;
    final PrintStream out;
    final PrintStream err;

    private JeexDbCli(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    /**
     * Runs a command and exits with its status.
     *
     * @param args the command and its options
     */
    public static void main(String[] args) {
        // jOOQ's banner and tip of the day: log lines a command's user did not ask for
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        Logging.configure();
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        System.exit(run(List.of(args), System.getenv(), out, System.err));
    }

    /**
     * Runs a command.
     *
     * @param args the command and its options
     * @param env environment variables
     * @param out where results go
     * @param err where errors go
     * @return the exit status: {@value #EXIT_OK} success (UP), {@value #EXIT_FAILED} failure (DOWN),
     *     {@value #EXIT_USAGE} bad usage or configuration, {@value #EXIT_DEGRADED} DEGRADED
     */
    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new JeexDbCli(env, out, err));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setParameterExceptionHandler((e, a) -> {
            CommandLine command = e.getCommandLine();
            // picocli quotes the arguments it could not place: a URL among them shows masked
            String message = JdbcUrlMask.mask(e.getMessage());
            command.getErr().println(command.getCommandName().equals("jeex-db") ? "jeex-db: " + message
                    : "jeex-db " + command.getCommandName() + ": " + message);
            CommandLine.UnmatchedArgumentException.printSuggestions(e, command.getErr());
            command.getErr().println("Try '" + command.getCommandSpec().qualifiedName() + " --help'.");
            List<String> given = List.of(a);
            int end = given.indexOf("--"); // what follows -- are positional arguments, not options
            if ((end < 0 ? given : given.subList(0, end)).contains("--json")) { // a probe gets JSON on bad usage too
                out.println(JsonOut.error(command.getCommandName(), null, "UsageError", null, EXIT_USAGE, message));
            }
            return EXIT_USAGE;
        });
        return cl.execute(args.toArray(String[]::new));
    }

    /** Without a command: the usage, on stderr, as bad usage. */
    @Override
    public Integer call() {
        err.println("jeex-db: a command is required");
        new CommandLine(this).usage(err);
        return EXIT_USAGE;
    }

    /** The body of a command that works on a database. */
    @FunctionalInterface
    interface Work {
        int run(JeexDatabase db, Target target);
    }

    /**
     * Runs a command on its database and turns failures into the exit status and one message
     * (and, with {@code --json}, one JSON document on stdout).
     *
     * @param command the command's name
     * @param json whether stdout gets JSON
     * @param demo whether it is the demo (a fresh database)
     * @param work the command's body
     * @return the exit status
     */
    int onDatabase(String command, boolean json, boolean demo, Work work) {
        String name = null;
        String database = null;
        try (Target target = demo ? Target.demo(env) : Target.operator(env, dataDir)) {
            name = target.config().name();
            database = target.description();
            try (JeexDatabase db = JeexDatabase.create(target.config())) {
                return work.run(db, target);
            }
        } catch (IllegalArgumentException e) {
            return fail(command, json, EXIT_USAGE, "ConfigurationError", null, e.getMessage(), name, database);
        } catch (JeexDbException e) {
            return fail(command, json, EXIT_FAILED, e.getClass().getSimpleName(), e.sqlState(), e.getMessage(), name,
                    database);
        } catch (RuntimeException e) {
            return fail(command, json, EXIT_FAILED, e.getClass().getSimpleName(), null,
                    e.getMessage() == null ? e.toString() : e.getMessage(), name, database);
        }
    }

    /**
     * Reports a failed command: one line on stderr and, with {@code --json}, one document on stdout.
     *
     * @return {@code status}
     */
    int fail(String command, boolean json, int status, String type, String sqlState, String message,
             String instance) {
        return fail(command, json, status, type, sqlState, message, instance, null);
    }

    /**
     * Reports a failed command on a known database: as above, the document with its
     * {@code database} field too.
     *
     * @return {@code status}
     */
    int fail(String command, boolean json, int status, String type, String sqlState, String message,
             String instance, String database) {
        String text = instance != null && message.startsWith(instance + ": ")
                ? message.substring(instance.length() + 2) : message;
        err.println("jeex-db " + command + ": " + text);
        if (json) {
            out.println(JsonOut.error(command, database, type, sqlState, status, text));
        }
        return status;
    }
}

package io.jeex.db.cli;

import io.jeex.db.JeexDatabase;
import io.jeex.db.MigrationEntry;
import io.jeex.db.MigrationResult;
import io.jeex.db.RestorePoint;
import io.jeex.db.schema.Catalog;
import io.jeex.db.health.HealthReport;
import io.jeex.db.health.HealthStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** The tool's commands. Each prints its result to stdout; errors go to stderr. */
final class Commands {

    private Commands() {
    }

    /**
     * The line of a restore point, before the line of the change it precedes.
     *
     * @param p the restore point
     * @param target the database: the embedded server archives no WAL, so nothing restores to it there
     */
    static String restorePointLine(RestorePoint p, Target target) {
        return "restore point: " + p.name() + " at LSN " + p.lsn() + (target.embedded()
                ? " (the embedded server archives no WAL: no restore reaches it)"
                : " (jeex-db restore --target-name " + p.name() + ")");
    }

    /** The {@code restorePoint} field: an object, or null. */
    static void restorePoint(com.fasterxml.jackson.core.JsonGenerator g, RestorePoint p) throws IOException {
        if (p == null) {
            g.writeNullField("restorePoint");
            return;
        }
        g.writeObjectFieldStart("restorePoint");
        g.writeStringField("name", p.name());
        g.writeStringField("lsn", p.lsn());
        g.writeStringField("createdAt", p.createdAt().toString());
        g.writeEndObject();
    }

    /** What the commands on a database share: the parent, {@code --json}. */
    abstract static class OnDatabase implements Callable<Integer> {
        @ParentCommand
        JeexDbCli root;

        @Option(names = "--json", description = "Print exactly one JSON document on stdout instead of lines, "
                + "also when the command fails.")
        boolean json;

        PrintStream out() {
            return root.out;
        }

        static String versionOrEmpty(String version) {
            return version == null ? "<empty>" : version;
        }

        /** The first line of human output: which database. */
        void database(Target target) {
            if (!json) {
                out().println("database: " + target.description());
            }
        }
    }

    @Command(name = "migrate", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Applies the pending migrations of the JEEX schema, over a direct connection to "
                    + "JEEX_DB_MIGRATION_URL (default JEEX_DB_URL) as JEEX_DB_MIGRATION_USER, after checking the "
                    + "server (PostgreSQL 18 or newer, uuidv7()). Before applying anything it creates a named restore "
                    + "point (JEEX_DB_MIGRATION_RESTORE_POINT); every statement runs with JEEX_DB_MIGRATION_LOCK_TIMEOUT "
                    + "and a migration that timed out on a lock is tried again (JEEX_DB_MIGRATION_LOCK_RETRIES).",
                    "Prints: database: <which>, restore point: <name> at LSN <lsn> (when something was pending), then "
                            + "migrate: <n> applied, schema version <before> -> <after>",
                    "and, for a service's own migrations (JEEX_DB_SERVICE_*), a second such line with its name."},
            exitCodeListHeading = "%nExit status:%n",
            exitCodeList = {"0:applied, or nothing was pending", "1:failed (the reason is on stderr)",
                    "2:bad usage or configuration"},
            footerHeading = "%nEnvironment:%n", footer = {Help.ENVIRONMENT})
    static final class Migrate extends OnDatabase {
        @Override
        public Integer call() {
            return root.onDatabase("migrate", json, false, (db, target) -> {
                database(target);
                MigrationResult r = db.migrate();
                if (!json) {
                    r.restorePointBefore().ifPresent(p -> out().println(restorePointLine(p, target)));
                    r.serviceResult().flatMap(MigrationResult::restorePointBefore)
                            .ifPresent(p -> out().println(restorePointLine(p, target)));
                }
                out().println(json ? JsonOut.object("migrate", true, g -> {
                    g.writeStringField("database", target.description());
                    g.writeNumberField("applied", r.migrationsApplied());
                    g.writeStringField("previousVersion", r.previousVersion());
                    g.writeStringField("currentVersion", r.currentVersion());
                    if (r.service() != null) {
                        g.writeObjectFieldStart("service");
                        g.writeStringField("name", db.config().serviceMigrations().orElseThrow().name());
                        g.writeNumberField("applied", r.service().migrationsApplied());
                        g.writeStringField("previousVersion", r.service().previousVersion());
                        g.writeStringField("currentVersion", r.service().currentVersion());
                        restorePoint(g, r.service().restorePoint());
                        g.writeEndObject();
                    }
                    restorePoint(g, r.restorePoint());
                }) : migrateLine(r) + (r.service() == null ? "" : System.lineSeparator() + "migrate: "
                        + r.service().migrationsApplied() + " applied, "
                        + db.config().serviceMigrations().orElseThrow().name() + " version "
                        + versionOrEmpty(r.service().previousVersion()) + " -> "
                        + versionOrEmpty(r.service().currentVersion())));
                return JeexDbCli.EXIT_OK;
            });
        }

        /** The line of {@code migrate} (also the demo's). */
        static String migrateLine(MigrationResult r) {
            return "migrate: " + r.migrationsApplied() + " applied, schema version "
                    + versionOrEmpty(r.previousVersion()) + " -> " + versionOrEmpty(r.currentVersion());
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Lists the JEEX schema's migrations, applied and pending, as the database has them.",
                    "Prints: database: <which>, schema version: <v>, <n> pending, then one line per migration: "
                            + "version, state (Success, Pending, Failed...), description; a service's own "
                            + "migrations (JEEX_DB_SERVICE_*) follow, their versions as <name>:<version>."},
            exitCodeListHeading = "%nExit status:%n",
            exitCodeList = {"0:listed (pending migrations do not fail it)", "1:failed (the reason is on stderr)",
                    "2:bad usage or configuration"},
            footerHeading = "%nEnvironment:%n", footer = {Help.ENVIRONMENT})
    static final class Info extends OnDatabase {
        @Override
        public Integer call() {
            return root.onDatabase("info", json, false, (db, target) -> {
                database(target);
                List<MigrationEntry> migrations = db.migrations();
                long pending = migrations.stream().filter(m -> m.state().equals("Pending")).count();
                String current = migrations.stream().filter(m -> m.owner().equals(MigrationEntry.JEEX))
                        .filter(MigrationEntry::applied).reduce((a, b) -> b).map(MigrationEntry::version).orElse(null);
                if (json) {
                    out().println(JsonOut.object("info", true, g -> {
                        g.writeStringField("database", target.description());
                        g.writeStringField("currentVersion", current);
                        g.writeNumberField("pending", pending);
                        g.writeArrayFieldStart("migrations");
                        for (MigrationEntry m : migrations) {
                            g.writeStartObject();
                            g.writeStringField("version", m.version());
                            g.writeStringField("description", m.description());
                            g.writeStringField("state", m.state());
                            g.writeBooleanField("applied", m.applied());
                            g.writeStringField("owner", m.owner());
                            g.writeEndObject();
                        }
                        g.writeEndArray();
                    }));
                } else {
                    out().println("schema version: " + versionOrEmpty(current) + ", " + pending + " pending");
                    for (MigrationEntry m : migrations) {
                        String version = m.owner().equals(MigrationEntry.JEEX) ? m.version()
                                : m.owner() + ":" + m.version();
                        out().printf("  %-8s %-10s %s%n", version, m.state(), m.description());
                    }
                }
                return JeexDbCli.EXIT_OK;
            });
        }
    }

    @Command(name = "validate", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Checks that the applied migrations match the scripts (checksums, nothing missing) "
                    + "and that none is pending; then that the live catalog is what the migrations make (drift): "
                    + "it applies them to a scratch database on a throw-away embedded PostgreSQL 18 and compares "
                    + "tables, columns, types, defaults, constraints, indexes, policies, triggers, functions, "
                    + "sequences and comments, object by object (not owners or privileges).",
                    "Prints: database: <which>, validate: applied migrations match the scripts, none pending, then "
                            + "drift: none, or drift: <n> differences and one line per object."},
            exitCodeListHeading = "%nExit status:%n",
            exitCodeList = {"0:valid, no drift", "1:not valid (what differs is on stderr), drift (the "
                    + "differences are on stdout), or failed", "2:bad usage or configuration"},
            footerHeading = "%nEnvironment:%n", footer = {Help.ENVIRONMENT})
    static final class Validate extends OnDatabase {
        @Option(names = "--skip-drift", description = "Check the migration history only, not the catalog.")
        boolean skipDrift;

        @Override
        public Integer call() {
            return root.onDatabase("validate", json, false, (db, target) -> {
                database(target);
                db.validateMigrations();
                List<MigrationEntry> entries = db.migrations();
                String version = entries.stream().filter(e -> e.applied() && e.owner().equals(MigrationEntry.JEEX))
                        .reduce((a, b) -> b).map(MigrationEntry::version).orElse(null);
                String serviceVersion = entries.stream()
                        .filter(e -> e.applied() && !e.owner().equals(MigrationEntry.JEEX))
                        .reduce((a, b) -> b).map(e -> e.version().substring(e.version().indexOf(':') + 1))
                        .orElse(null);
                Drift.Report drift;
                try {
                    drift = skipDrift || version == null ? null : Drift.compare(db, version, serviceVersion);
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException("the catalog could not be read for the drift check (SQLSTATE "
                            + e.getSQLState() + ", " + e.getMessage().lines().findFirst().orElse("") + ")", e);
                }
                List<Catalog.Difference> differences = drift == null ? List.of() : drift.differences();
                if (json) {
                    out().println(JsonOut.object("validate", differences.isEmpty(), g -> {
                        g.writeStringField("database", target.description());
                        g.writeBooleanField("migrationsValid", true);
                        if (drift != null) {
                            g.writeStringField("driftComparedAtVersion", drift.version());
                            g.writeArrayFieldStart("drift");
                            for (Catalog.Difference d : differences) {
                                g.writeStartObject();
                                g.writeStringField("kind", d.kind());
                                g.writeStringField("name", d.name());
                                g.writeStringField("difference", d.description());
                                g.writeEndObject();
                            }
                            g.writeEndArray();
                        }
                        if (!differences.isEmpty()) {
                            g.writeObjectFieldStart("error");
                            g.writeStringField("type", "Drift");
                            g.writeNullField("sqlState");
                            g.writeNumberField("exitCode", JeexDbCli.EXIT_FAILED);
                            g.writeStringField("message", driftMessage(differences));
                            g.writeEndObject();
                        }
                    }));
                } else {
                    out().println("validate: applied migrations match the scripts, none pending");
                    if (drift == null) {
                        out().println("drift: not checked" + (skipDrift ? " (--skip-drift)" : " (nothing applied)"));
                    } else if (differences.isEmpty()) {
                        out().println("drift: none (the catalog is what the migrations make at version "
                                + drift.version() + ")");
                    } else {
                        out().println("drift: " + count(differences.size()) + " from what the migrations make at "
                                + "version " + drift.version() + ":");
                        differences.forEach(d -> out().println("  " + d));
                    }
                }
                if (!differences.isEmpty()) {
                    root.err.println("jeex-db validate: " + driftMessage(differences));
                    return JeexDbCli.EXIT_FAILED;
                }
                return JeexDbCli.EXIT_OK;
            });
        }
    }

    private static String count(int differences) {
        return differences + (differences == 1 ? " difference" : " differences");
    }

    static String driftMessage(List<Catalog.Difference> differences) {
        return "the database differs from what the migrations make: " + count(differences.size()) + " (listed on "
                + "stdout); put each change into a migration, or undo it";
    }

    @Command(name = "health", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Checks the database's health on a connection of its own, within "
                    + "JEEX_DB_HEALTH_TIMEOUT: round trip, server version and support, migration state, breakers, "
                    + "replica. For an orchestrator's probe: --json, and the exit status.",
                    "Prints: database: <which>, health: <UP|DEGRADED|DOWN> (live=<b>, ready=<b>), then indented "
                            + "latency, server, pool, schema version, breaker, replica and reason lines.",
                    "With --json: the HealthReport's JSON document (name, status, live, ready, reasons, ...)."},
            exitCodeListHeading = "%nExit status:%n",
            exitCodeList = {"0:UP", "1:DOWN (or the check could not run)", "2:bad usage or configuration",
                    "3:DEGRADED"},
            footerHeading = "%nEnvironment:%n", footer = {Help.ENVIRONMENT})
    static final class Health extends OnDatabase {
        @Override
        public Integer call() {
            return root.onDatabase("health", json, false, (db, target) -> {
                database(target);
                HealthReport report = db.health();
                if (json) {
                    out().println(report.toJson());
                } else {
                    print(report, out());
                }
                return report.status() == HealthStatus.UP ? JeexDbCli.EXIT_OK
                        : report.status() == HealthStatus.DEGRADED ? JeexDbCli.EXIT_DEGRADED : JeexDbCli.EXIT_FAILED;
            });
        }

        private static void print(HealthReport report, PrintStream out) {
            out.println("health: " + report.status() + " (live=" + report.live() + ", ready=" + report.ready() + ")");
            report.latencyIfKnown().ifPresent(l -> out.printf(java.util.Locale.ROOT, "  latency: %.1f ms%n",
                    l.toNanos() / 1e6));
            if (report.serverVersion() != null) {
                out.println("  server: PostgreSQL " + report.serverVersion());
            }
            for (HealthReport.PoolState p : report.pools()) {
                out.println("  pool " + p.name() + ": active " + p.active() + ", idle " + p.idle() + ", pending "
                        + p.pending() + ", max " + p.max());
            }
            if (report.migrations() != null) {
                out.println("  schema version: " + versionOrEmpty(report.migrations().currentVersion())
                        + ", pending " + report.migrations().pending() + ", failed " + report.migrations().failed());
            }
            report.breakers().forEach((name, state) -> out.println("  breaker " + name + ": " + state));
            report.replicas().forEach(r -> out.println("  replica " + r.index() + " (" + r.url() + "): reachable="
                    + r.reachable() + ", inRecovery=" + r.inRecovery() + ", lag=" + r.lagIfKnown()
                    .map(l -> l.toMillis() + " ms").orElse("unknown") + ", serving=" + r.serving()));
            report.reasons().forEach(r -> out.println("  reason: " + r));
        }
    }

    @Command(name = "partitions", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Maintains the monthly partitions of agent_executions (JeexDatabase.maintainPartitions): "
                    + "makes the current month's and JEEX_DB_PARTITION_MONTHS_AHEAD more (default 3), moves rows "
                    + "waiting in the DEFAULT partition into partitions made for their months, and detaches and drops "
                    + "the months wholly past JEEX_DB_PARTITION_RETENTION_MONTHS (default 3), except one that still "
                    + "holds a pending or running execution. In system mode (JEEX_DB_MIGRATION_USER), under an "
                    + "advisory lock: idempotent, and safe to run from several hosts at once. Run it daily.",
                    "Prints: database: <which>, then partitions: <n> created, <n> rows moved from default, <n> "
                            + "dropped, <n> kept (live executions), then one line per partition created, dropped or kept.",
                    "With --json: {command, ok, database, created[], movedFromDefault, dropped[], keptLive[]}."},
            exitCodeListHeading = "%nExit status:%n",
            exitCodeList = {"0:maintained (also when nothing was to do)", "1:failed (the reason is on stderr)",
                    "2:bad usage or configuration"},
            footerHeading = "%nEnvironment:%n", footer = {Help.ENVIRONMENT})
    static final class Partitions extends OnDatabase {
        @Override
        public Integer call() {
            return root.onDatabase("partitions", json, false, (db, target) -> {
                database(target);
                io.jeex.db.PartitionMaintenance done = db.maintainPartitions();
                if (json) {
                    out().println(JsonOut.object("partitions", true, g -> {
                        g.writeStringField("database", target.description());
                        names(g, "created", done.created());
                        g.writeNumberField("movedFromDefault", done.movedFromDefault());
                        names(g, "dropped", done.dropped());
                        names(g, "keptLive", done.keptLive());
                    }));
                } else {
                    out().println("partitions: " + done.created().size() + " created, " + done.movedFromDefault()
                            + " rows moved from default, " + done.dropped().size() + " dropped, "
                            + done.keptLive().size() + " kept (live executions)");
                    done.created().forEach(n -> out().println("  created: " + n));
                    done.dropped().forEach(n -> out().println("  dropped: " + n));
                    done.keptLive().forEach(n -> out().println("  kept: " + n + " (holds pending or running executions)"));
                }
                return JeexDbCli.EXIT_OK;
            });
        }

        private static void names(com.fasterxml.jackson.core.JsonGenerator g, String field, List<String> names)
                throws IOException {
            g.writeArrayFieldStart(field);
            for (String n : names) {
                g.writeString(n);
            }
            g.writeEndArray();
        }
    }

    @Command(name = "mask", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Makes a masked copy for non-production use: a new database --target on the same "
                    + "server, migrated to the same schema version, with every column that the schema tags as "
                    + "personal data ([pii:email|name|text|json] in its comment) replaced by a deterministic "
                    + "pseudonym: HMAC-SHA256 under the key in --key-file, so a value gets the same pseudonym in "
                    + "every copy made with that key. Emails stay unique without regard to case, JSON keeps its "
                    + "shape, every constraint holds; ids, times and statuses are copied as they are. Reads one "
                    + "snapshot of the source in system mode, as JEEX_DB_MIGRATION_USER, which must bypass "
                    + "row-level security and may create databases. The source must be migrated (validate).",
                    "Prints: database: <which>, then mask: <rows> rows of <n> tables copied into <target>, "
                            + "<m> personal values replaced, schema version <v>"},
            exitCodeListHeading = "%nExit status:%n",
            exitCodeList = {"0:copied", "1:failed (the reason is on stderr; a half-made copy is dropped)",
                    "2:bad usage (a --target that is not a plain lower-case name, a key file that cannot be read "
                            + "or holds fewer than 32 bytes) or configuration"},
            footerHeading = "%nEnvironment:%n", footer = {Help.ENVIRONMENT})
    static final class Mask extends OnDatabase {
        @Option(names = "--target", required = true, paramLabel = "NAME",
                description = "Name of the new database (lower-case letters, digits, _); it must not exist.")
        String target;

        @Option(names = "--key-file", required = true, paramLabel = "FILE",
                description = {"File whose bytes are the HMAC key, at least 32 (for example: openssl rand 32 > "
                        + "mask.key). Keep it secret: with it, a pseudonym can be matched to a guessed value. Never "
                        + "printed."})
        Path keyFile;

        @Override
        public Integer call() {
            if (!io.jeex.db.cli.Mask.DATABASE_NAME.matcher(target).matches()) {
                return root.fail("mask", json, JeexDbCli.EXIT_USAGE, "ConfigurationError", null, "--target must be "
                        + "a plain lower-case name of at most 63 letters, digits and _, but was '" + target + "'", null);
            }
            Pseudonyms pseudonyms;
            try {
                pseudonyms = new Pseudonyms(Files.readAllBytes(keyFile));
            } catch (IOException e) {
                return root.fail("mask", json, JeexDbCli.EXIT_USAGE, "ConfigurationError", null, "--key-file "
                        + keyFile + " cannot be read (" + e.getClass().getSimpleName() + "): give a readable file "
                        + "of at least " + Pseudonyms.MIN_KEY_BYTES + " bytes", null);
            } catch (IllegalArgumentException e) {
                return root.fail("mask", json, JeexDbCli.EXIT_USAGE, "ConfigurationError", null, "--key-file "
                        + keyFile + ": " + e.getMessage() + "; make one with: openssl rand 32 > " + keyFile, null);
            }
            return root.onDatabase("mask", json, false, (db, target) -> {
                database(target);
                io.jeex.db.cli.Mask.Result r = new io.jeex.db.cli.Mask(db, target.config(), pseudonyms)
                        .into(this.target);
                out().println(json ? JsonOut.object("mask", true, g -> {
                    g.writeStringField("database", target.description());
                    g.writeStringField("target", r.target());
                    g.writeStringField("schemaVersion", r.schemaVersion());
                    g.writeNumberField("rows", r.rows());
                    g.writeNumberField("masked", r.masked());
                    g.writeArrayFieldStart("tables");
                    for (io.jeex.db.cli.Mask.Copied t : r.tables()) {
                        g.writeStartObject();
                        g.writeStringField("name", t.table());
                        g.writeNumberField("rows", t.rows());
                        g.writeNumberField("masked", t.masked());
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                    g.writeArrayFieldStart("maskedColumns");
                    for (String c : r.maskedColumns()) {
                        g.writeString(c);
                    }
                    g.writeEndArray();
                    g.writeArrayFieldStart("skippedTables");
                    for (String t : r.skippedTables()) {
                        g.writeString(t);
                    }
                    g.writeEndArray();
                }) : "mask: " + r.rows() + " rows of " + r.tables().size() + " tables copied into " + r.target()
                        + ", " + r.masked() + " personal values replaced, schema version " + r.schemaVersion()
                        + (r.skippedTables().isEmpty() ? "" : "; not copied (not in the JEEX schema): "
                        + String.join(", ", r.skippedTables())));
                return JeexDbCli.EXIT_OK;
            });
        }
    }

    @Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Runs a realistic flow through every repository and prints what happens: on "
                    + "JEEX_DB_URL (its data stays), else on a fresh embedded PostgreSQL 18 deleted at the end "
                    + "(never the persistent one of the other commands)."},
            exitCodeListHeading = "%nExit status:%n",
            exitCodeList = {"0:the demo ran", "1:failed (the reason is on stderr)", "2:bad usage or configuration"},
            footerHeading = "%nEnvironment:%n", footer = {Help.ENVIRONMENT})
    static final class Demo implements Callable<Integer> {
        @ParentCommand
        JeexDbCli root;

        @Override
        public Integer call() {
            return root.onDatabase("demo", false, true, (db, target) -> {
                root.out.println("database: " + target.description());
                return new io.jeex.db.cli.Demo(db, root.out).run();
            });
        }
    }

    @Command(name = "embedded", mixinStandardHelpOptions = true,
            description = {"The persistent embedded PostgreSQL 18 that migrate, info, validate and health use when "
                    + "JEEX_DB_URL is unset. It runs only while a command runs (on localhost, as postgres, no "
                    + "password); its data stays in the data directory (--data-dir, $" + Environment.EMBEDDED_DIR
                    + ", else ~/.jeex-db/embedded)."},
            subcommands = {EmbeddedPath.class, EmbeddedRemove.class},
            exitCodeListHeading = "%nExit status:%n",
            exitCodeList = {"0:done", "1:failed", "2:bad usage (a subcommand is required)"})
    static final class Embedded implements Callable<Integer> {
        @ParentCommand
        JeexDbCli root;

        @Override
        public Integer call() {
            root.err.println("jeex-db embedded: a subcommand is required: path or remove");
            return JeexDbCli.EXIT_USAGE;
        }
    }

    @Command(name = "path", mixinStandardHelpOptions = true,
            description = "Prints the data directory of the embedded PostgreSQL.")
    static final class EmbeddedPath implements Callable<Integer> {
        @ParentCommand
        Embedded embedded;

        @Override
        public Integer call() {
            JeexDbCli root = embedded.root;
            root.out.println(Environment.embeddedDirectory(root.env, root.dataDir));
            return JeexDbCli.EXIT_OK;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Deletes the data directory of the embedded PostgreSQL, and so its database; the next "
                    + "command starts with an empty one. Refused while a command uses it.",
            exitCodeListHeading = "%nExit status:%n",
            exitCodeList = {"0:removed, or there was nothing to remove", "1:failed (in use, or not removable)"})
    static final class EmbeddedRemove implements Callable<Integer> {
        @ParentCommand
        Embedded embedded;

        @Override
        public Integer call() {
            JeexDbCli root = embedded.root;
            Path dir = Environment.embeddedDirectory(root.env, root.dataDir);
            if (!Files.exists(dir)) {
                root.out.println("embedded remove: nothing at " + dir);
                return JeexDbCli.EXIT_OK;
            }
            if (!Files.exists(dir.resolve("PG_VERSION"))) {
                root.err.println("jeex-db embedded remove: " + dir + " is not a PostgreSQL data directory; "
                        + "nothing removed");
                return JeexDbCli.EXIT_FAILED;
            }
            if (inUse(dir)) {
                root.err.println("jeex-db embedded remove: another jeex-db command is using " + dir
                        + "; wait for it to end");
                return JeexDbCli.EXIT_FAILED;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                    Files.delete(p);
                }
            } catch (IOException | UncheckedIOException e) {
                root.err.println("jeex-db embedded remove: could not delete " + dir + ": " + e.getMessage());
                return JeexDbCli.EXIT_FAILED;
            }
            root.out.println("embedded remove: deleted " + dir);
            return JeexDbCli.EXIT_OK;
        }

        /** Whether a running server holds the embedded server's lock file (zonky's epg-lock). */
        private static boolean inUse(Path dir) {
            Path lock = dir.resolve("epg-lock");
            if (!Files.exists(lock)) {
                return false;
            }
            try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(lock,
                    java.nio.file.StandardOpenOption.WRITE);
                 java.nio.channels.FileLock l = c.tryLock()) {
                return l == null;
            } catch (IOException | java.nio.channels.OverlappingFileLockException e) {
                return true;
            }
        }
    }
}

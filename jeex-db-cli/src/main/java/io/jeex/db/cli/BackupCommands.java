package io.jeex.db.cli;

import io.jeex.db.RollbackResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** The recovery commands: backup, restore and rollback. */
final class BackupCommands {

    private BackupCommands() {
    }

    @Command(name = "backup", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Takes a consistent base backup of the running server (pg_backup_start, a copy of the "
                    + "data directory, pg_backup_stop) with the WAL it needs from the archive, writes SHA-256 "
                    + "checksums of every file and reads the backup back to verify it. Optionally encrypted with "
                    + "age (--key-file), optionally keeping only the newest N backups (--keep N) and the WAL they "
                    + "need. Runs on the database host, as PostgreSQL's OS user, connecting over "
                    + "JEEX_DB_MIGRATION_URL as JEEX_DB_MIGRATION_USER: a superuser, or a role granted EXECUTE on "
                    + "pg_backup_start and pg_backup_stop.",
                    "Prints: database: <which>, backup: <id> in <dir> (<files>, <size>, <n> WAL files), then "
                            + "indented start, end, verified and retention lines."},
            exitCodeListHeading = "%nExit status:%n",
            exitCodeList = {"0:backed up and verified", "1:failed (the reason is on stderr); no backup is left",
                    "2:bad usage or configuration (no archiving, a wrong --pgdata, an unusable key file)"},
            footerHeading = "%nEnvironment:%n", footer = {Help.ENVIRONMENT})
    static final class Backup extends Commands.OnDatabase {
        @Option(names = "--to", required = true, paramLabel = "DIR",
                description = "The folder of backups; this one goes into a new folder <start time> in it.")
        Path to;

        @Option(names = "--wal-archive", required = true, paramLabel = "DIR",
                description = "Where the server's archive_command copies the WAL.")
        Path walArchive;

        @Option(names = "--pgdata", paramLabel = "DIR",
                description = "The server's data directory (default: the server's data_directory setting).")
        Path pgdata;

        @Option(names = "--key-file", paramLabel = "FILE", description = "Encrypt with age for this key: an "
                + "identity (age-keygen -o FILE) or a recipients file (its public key only).")
        Path keyFile;

        @Option(names = "--keep", paramLabel = "N", description = "Then keep only the newest N backups in --to and "
                + "remove the archived WAL that only the removed ones need.")
        Integer keep;

        @Option(names = "--label", paramLabel = "TEXT", defaultValue = "jeex-db backup",
                description = "The backup's label (default: ${DEFAULT-VALUE}).")
        String label;

        @Override
        public Integer call() {
            return root.onDatabase("backup", json, false, (db, target) -> {
                if (keep != null && keep < 1) {
                    throw new IllegalArgumentException("--keep must be at least 1, but was " + keep);
                }
                if (keyFile != null) {
                    String warning = Age.check(keyFile, false);
                    if (warning != null) {
                        root.err.println("jeex-db backup: warning: " + warning);
                    }
                }
                database(target);
                BaseBackup.Result r;
                boolean connected = false;
                try (Connection c = db.migrationDataSource().getConnection()) {
                    connected = true;
                    r = BaseBackup.take(c, new BaseBackup.Request(pgdata, walArchive, to, keyFile, label));
                } catch (SQLException e) {
                    String state = String.valueOf(e.getSQLState());
                    String cause = "(SQLSTATE " + state + ", " + e.getMessage().lines().findFirst().orElse("") + ")";
                    if (connected && state.startsWith("08")) {
                        throw new IllegalStateException("the connection to the server was lost during the backup "
                                + cause + ", so nothing was kept (the unfinished folder was removed): check that the "
                                + "server is up and run the backup again", e);
                    }
                    if (state.startsWith("08") || state.startsWith("28")) {
                        throw new IllegalStateException("the database could not be reached or refused the login "
                                + cause + ": check JEEX_DB_MIGRATION_URL (or JEEX_DB_URL), JEEX_DB_MIGRATION_USER and "
                                + "its password", e);
                    }
                    throw new IllegalStateException("the server refused the backup " + cause + ": back up as a "
                            + "superuser or a role granted EXECUTE on pg_backup_start and pg_backup_stop "
                            + "(JEEX_DB_MIGRATION_USER)", e);
                } catch (IOException e) {
                    throw new IllegalStateException("the backup could not be written or read (" + e + "): check that "
                            + "--to is a folder (or may be made one) and --wal-archive a folder this user may read, "
                            + "and the free space", e);
                }
                int[] removed = {0, 0};
                if (keep != null) {
                    try {
                        removed = BaseBackup.retain(to, walArchive, keep);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                BackupSet s = r.set();
                int[] pruned = removed;
                if (json) {
                    out().println(JsonOut.object("backup", true, g -> {
                        g.writeStringField("database", target.description());
                        g.writeStringField("id", s.id());
                        g.writeStringField("dir", s.dir().toString());
                        g.writeStringField("startLsn", s.get("start.lsn"));
                        g.writeStringField("stopLsn", s.get("stop.lsn"));
                        g.writeStringField("startTime", s.get("start.time"));
                        g.writeStringField("stopTime", s.get("stop.time"));
                        g.writeNumberField("files", r.files());
                        g.writeNumberField("bytes", r.bytes());
                        g.writeNumberField("walFiles", r.walFiles());
                        g.writeBooleanField("encrypted", s.encrypted());
                        g.writeNumberField("seconds", r.took().toMillis() / 1000.0);
                        g.writeStringField("verified", r.verified());
                        g.writeNumberField("removedBackups", pruned[0]);
                        g.writeNumberField("removedWalFiles", pruned[1]);
                    }));
                } else {
                    out().printf(Locale.ROOT, "backup: %s in %s (%d files, %.1f MB, %d WAL files%s), %.1f s%n", s.id(),
                            s.dir(), r.files(), r.bytes() / 1e6, r.walFiles(), s.encrypted() ? ", encrypted" : "",
                            r.took().toMillis() / 1000.0);
                    out().println("  start: LSN " + s.get("start.lsn") + " (" + s.get("start.wal") + ") at "
                            + s.get("start.time"));
                    out().println("  end: LSN " + s.get("stop.lsn") + " (" + s.get("stop.wal") + ") at "
                            + s.get("stop.time") + "; restorable to any time from then on");
                    out().println("  verified: " + r.verified());
                    if (keep != null) {
                        out().println("  retention: kept the newest " + keep + ", removed " + pruned[0]
                                + " backups and " + pruned[1] + " archived WAL files");
                    }
                }
                return JeexDbCli.EXIT_OK;
            });
        }
    }

    /** Exactly one target, or none (the end of the archived WAL, or the backup's end without an archive). */
    static final class RecoveryTarget {
        @Option(names = "--target-time", paramLabel = "TIME", description = "Restore up to this moment "
                + "(ISO-8601, e.g. 2026-01-02T03:04:05Z): commits up to it are kept, later ones are not.")
        String time;

        @Option(names = "--target-name", paramLabel = "NAME", description = "Restore up to a restore point, for "
                + "example the one migrate created before a migration (its name is in migrate's output and log).")
        String name;
    }

    @Command(name = "restore", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Restores a base backup of the backup command into a new data directory, verifying "
                    + "every file first, and, with --wal-archive, sets up point-in-time recovery: to --target-time, "
                    + "to a restore point (--target-name) or to the end of the archived WAL. Start PostgreSQL 18 on "
                    + "the directory afterwards (pg_ctl -D DIR start): it replays the WAL to the target and then "
                    + "does --target-action. Needs no database connection.",
                    "Prints: restore: backup <id> into <dir> (<n> files), <seconds> s, then the recovery settings "
                            + "and the next step."},
            exitCodeListHeading = "%nExit status:%n",
            exitCodeList = {"0:restored, ready to start", "1:failed: a damaged backup, a wrong key (the directory "
                    + "is left empty)", "2:bad usage (a non-empty --pgdata, a target before the backup's end...)"})
    static final class RestoreCommand implements Callable<Integer> {
        @ParentCommand
        JeexDbCli root;

        @Option(names = "--json", description = "Print exactly one JSON document on stdout instead of lines, "
                + "also when the command fails.")
        boolean json;

        @Option(names = "--from", required = true, paramLabel = "BACKUP", description = "The backup's folder "
                + "(<backups>/<id>).")
        Path from;

        @Option(names = "--pgdata", required = true, paramLabel = "DIR",
                description = "The new data directory; must not exist or be empty.")
        Path pgdata;

        @Option(names = "--wal-archive", paramLabel = "DIR", description = "The WAL archive, read by "
                + "restore_command; needed for a target.")
        Path walArchive;

        @ArgGroup(exclusive = true)
        RecoveryTarget target = new RecoveryTarget();

        @Option(names = "--target-action", paramLabel = "ACTION", defaultValue = "promote",
                description = "At the target: promote (open for writes), pause (read-only, to inspect; then "
                        + "select pg_wal_replay_resume()) or shutdown (default: ${DEFAULT-VALUE}).")
        String targetAction;

        @Option(names = "--key-file", paramLabel = "FILE", description = "The age identity an encrypted backup "
                + "(and WAL archive) was encrypted for.")
        Path keyFile;

        @Override
        public Integer call() {
            try {
                if (!java.util.Set.of("promote", "pause", "shutdown").contains(targetAction)) {
                    throw new IllegalArgumentException("--target-action must be promote, pause or shutdown, but was '"
                            + targetAction + "'");
                }
                Instant time = null;
                if (target.time != null) {
                    try {
                        time = java.time.OffsetDateTime.parse(target.time).toInstant();
                    } catch (DateTimeParseException e) {
                        throw new IllegalArgumentException("--target-time must be an ISO-8601 time with a zone, such as "
                                + "2026-01-02T03:04:05Z, but was '" + target.time + "'");
                    }
                }
                Restore.Result r = Restore.restore(new Restore.Request(from.toAbsolutePath(),
                        pgdata.toAbsolutePath(), walArchive, time, target.name, targetAction, keyFile));
                Path dir = pgdata.toAbsolutePath();
                if (json) {
                    root.out.println(JsonOut.object("restore", true, g -> {
                        g.writeStringField("backup", r.set().id());
                        g.writeStringField("pgdata", dir.toString());
                        g.writeNumberField("files", r.files());
                        g.writeNumberField("seconds", r.took().toMillis() / 1000.0);
                        g.writeObjectFieldStart("recovery");
                        for (var e : r.recovery().entrySet()) {
                            if (!e.getKey().equals("restore_command")) {
                                g.writeStringField(e.getKey(), e.getValue());
                            }
                        }
                        g.writeEndObject();
                    }));
                } else {
                    root.out.printf(Locale.ROOT, "restore: backup %s into %s (%d files), %.1f s%n", r.set().id(), dir,
                            r.files(), r.took().toMillis() / 1000.0);
                    if (r.recovery().isEmpty()) {
                        root.out.println("  recovery: to the end of the backup (" + r.set().get("stop.time")
                                + "), from the WAL in the backup");
                    } else {
                        r.recovery().forEach((k, v) -> {
                            if (!k.equals("restore_command")) {
                                root.out.println("  recovery: " + k + " = '" + v + "'");
                            }
                        });
                        root.out.println("  recovery: restore_command reads " + walArchive.toAbsolutePath()
                                + (keyFile == null ? "" : " (decrypting .age files)"));
                    }
                    root.out.println("  next: start PostgreSQL 18 on " + dir + " (pg_ctl -D " + dir + " start)"
                            + (r.recovery().containsKey("recovery_target_action") ? "; at the target it does "
                            + targetAction : ""));
                }
                return JeexDbCli.EXIT_OK;
            } catch (IllegalArgumentException e) {
                return root.fail("restore", json, JeexDbCli.EXIT_USAGE, "ConfigurationError", null, e.getMessage(),
                        null);
            } catch (IOException | UncheckedIOException e) {
                return root.fail("restore", json, JeexDbCli.EXIT_FAILED, e.getClass().getSimpleName(), null,
                        "the restore failed: " + e.getMessage(), null);
            } catch (RuntimeException e) {
                return root.fail("restore", json, JeexDbCli.EXIT_FAILED, e.getClass().getSimpleName(), null,
                        String.valueOf(e.getMessage()), null);
            }
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Rolls the JEEX schema back to version N: applies the rollback script "
                    + "(db/rollback/jeex/, one per migration from V2 on) of every applied migration above N, newest "
                    + "first, each in its own transaction with the removal of its history row, after a restore "
                    + "point. Refuses, changing nothing, when a script is missing or N is ahead. Stop the services "
                    + "that migrate at start-up first.",
                    "Prints: database: <which>, restore point: <name> at LSN <lsn>, then rollback: <n> rolled "
                            + "back, schema version <before> -> <after>, then one line per script."},
            exitCodeListHeading = "%nExit status:%n",
            exitCodeList = {"0:rolled back, or already at N", "1:refused or failed (the reason is on stderr)",
                    "2:bad usage or configuration"},
            footerHeading = "%nEnvironment:%n", footer = {Help.ENVIRONMENT})
    static final class Rollback extends Commands.OnDatabase {
        @Option(names = "--to", required = true, paramLabel = "N", description = "The schema version to go back to.")
        String to;

        @Override
        public Integer call() {
            return root.onDatabase("rollback", json, false, (db, target) -> {
                database(target);
                RollbackResult r = db.rollback(to);
                if (json) {
                    out().println(JsonOut.object("rollback", true, g -> {
                        g.writeStringField("database", target.description());
                        g.writeStringField("previousVersion", r.previousVersion());
                        g.writeStringField("currentVersion", r.currentVersion());
                        g.writeArrayFieldStart("rolledBack");
                        for (String s : r.rolledBack()) {
                            g.writeString(s);
                        }
                        g.writeEndArray();
                        Commands.restorePoint(g, r.restorePoint());
                    }));
                } else {
                    r.restorePointBefore().ifPresent(p -> out().println(Commands.restorePointLine(p, target)));
                    out().println("rollback: " + r.rolledBack().size() + " rolled back, schema version "
                            + Commands.OnDatabase.versionOrEmpty(r.previousVersion()) + " -> "
                            + Commands.OnDatabase.versionOrEmpty(r.currentVersion()));
                    r.rolledBack().forEach(s -> out().println("  " + s));
                }
                return JeexDbCli.EXIT_OK;
            });
        }
    }
}

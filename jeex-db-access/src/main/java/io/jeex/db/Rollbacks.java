package io.jeex.db;

import io.jeex.db.error.MigrationException;
import io.jeex.db.schema.JeexSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rolls the JEEX schema back with its rollback scripts ({@value JeexSchema#ROLLBACK_FOLDER}): for
 * each applied migration above the target, newest first, one transaction that locks the history
 * table, checks that this migration is still the newest applied, runs the script and deletes the
 * migration's history row. Everything is checked before the first change: a missing script, a
 * target ahead of the schema or a failed migration in the history change nothing.
 */
final class Rollbacks {

    private static final Logger LOG = LoggerFactory.getLogger(Rollbacks.class);

    private final Migrations migrations;

    /** @param migrations the migration runner whose connections, checks and words are used */
    public Rollbacks(Migrations migrations) {
        this.migrations = migrations;
    }

    /** A failure of one rollback step, carrying the JDBC failure through the lock retry. */
    private static final class StepFailed extends RuntimeException {
        StepFailed(SQLException cause) {
            super(cause);
        }

        SQLException sql() {
            return (SQLException) getCause();
        }
    }

    /**
     * @param toVersion the version to go back to
     * @return what was rolled back
     * @throws IllegalArgumentException if {@code toVersion} is not a version
     * @throws MigrationException if it cannot be done, or a script fails
     */
    public RollbackResult rollback(String toVersion) {
        MigrationVersion target = parse(toVersion);
        return migrations.run("rolling back the JEEX schema", flyway -> plan(flyway, target));
    }

    private static MigrationVersion parse(String version) {
        try {
            MigrationVersion v = MigrationVersion.fromVersion(version.strip());
            if (v == MigrationVersion.LATEST || v == MigrationVersion.CURRENT || v == MigrationVersion.EMPTY) {
                throw new IllegalArgumentException(version);
            }
            return v;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the rollback target must be a schema version such as 1 or 2, but was '"
                    + version + "'", e);
        }
    }

    private RollbackResult plan(Flyway flyway, MigrationVersion target) {
        String name = migrations.config().name();
        List<MigrationInfo> applied = new ArrayList<>();
        for (MigrationInfo m : flyway.info().applied()) {
            if (m.getState() == MigrationState.FAILED) {
                throw refuse("migration " + m.getVersion() + " (" + m.getDescription() + ") failed when it was applied: "
                        + "repair the database by hand and remove its failed row from " + JeexSchema.HISTORY_TABLE
                        + " first");
            }
            if (m.getVersion() != null && m.getState().isApplied()) {
                applied.add(m);
            }
        }
        MigrationInfo current = applied.stream().max(Comparator.comparing(MigrationInfo::getVersion)).orElse(null);
        String from = current == null ? null : current.getVersion().getVersion();
        if (current == null || target.isNewerThan(from)) {
            throw refuse("the target version " + target + " is ahead of the schema version "
                    + (from == null ? "<empty>" : from) + ": rollback only goes back; to go forward, migrate");
        }
        List<MigrationInfo> undo = applied.stream().filter(m -> m.getVersion().isNewerThan(target.getVersion()))
                .sorted(Comparator.comparing(MigrationInfo::getVersion).reversed()).toList();
        List<String> missing = new ArrayList<>();
        List<String> scripts = new ArrayList<>();
        for (MigrationInfo m : undo) {
            String script = JeexSchema.rollbackScript(m.getScript()).orElse(null);
            if (script == null) {
                missing.add(JeexSchema.ROLLBACK_FOLDER + "/" + m.getScript());
            }
            scripts.add(script);
        }
        if (!missing.isEmpty()) {
            throw refuse("no rollback script for " + String.join(", ", missing) + " in this jeex-db, so nothing was "
                    + "rolled back: restore from a backup to a restore point before that migration instead "
                    + "(jeex-db restore --target-name), or use the jeex-db version that has the script");
        }
        String to = target.getVersion();
        if (undo.isEmpty()) {
            LOG.info("{}: rollback: nothing to roll back, schema version {}", name, from);
            return new RollbackResult(List.of(), from, from, null);
        }
        RestorePoint point = migrations.restorePoint("rollback", from, to);
        List<String> done = new ArrayList<>();
        for (int i = 0; i < undo.size(); i++) {
            MigrationInfo m = undo.get(i);
            String sql = scripts.get(i);
            try {
                migrations.retryingOnLockTimeout("rolling back " + m.getScript(), () -> step(m, sql));
            } catch (StepFailed e) {
                throw Migrations.naming(point, failed(m, done, e.sql()));
            }
            done.add(m.getScript());
            LOG.info("{}: rolled back {}", name, m.getScript());
        }
        String now = applied.stream().map(MigrationInfo::getVersion).filter(v -> !v.isNewerThan(to))
                .max(Comparator.naturalOrder()).map(MigrationVersion::getVersion).orElse(null);
        LOG.info("{}: rollback: {} rolled back, schema version {} -> {}", name, done.size(), from, now);
        return new RollbackResult(done, from, now, point);
    }

    /** One rollback script and its history row, in one transaction. */
    private Void step(MigrationInfo m, String sql) {
        try (Connection c = migrations.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                // Serialises with Flyway's history writes and a second rollback: the newest applied
                // migration cannot change under this transaction.
                s.execute("LOCK TABLE " + JeexSchema.HISTORY_TABLE + " IN SHARE ROW EXCLUSIVE MODE");
                try (ResultSet rs = s.executeQuery("select version from " + JeexSchema.HISTORY_TABLE
                        + " where success and version is not null order by installed_rank desc limit 1")) {
                    String newest = rs.next() ? rs.getString(1) : null;
                    if (!m.getVersion().getVersion().equals(newest)) {
                        c.rollback();
                        throw new StepFailed(new SQLException("the newest applied migration is " + newest + ", not "
                                + m.getVersion() + ": the history changed meanwhile (another migrate or rollback)",
                                "40001"));
                    }
                }
                s.execute(sql);
                try (PreparedStatement d = c.prepareStatement("delete from " + JeexSchema.HISTORY_TABLE
                        + " where version = ?")) {
                    d.setString(1, m.getVersion().getVersion());
                    d.executeUpdate();
                }
                c.commit();
                return null;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StepFailed(e);
        }
    }

    private MigrationException refuse(String why) {
        return new MigrationException(migrations.config().name() + ": rolling back the JEEX schema refused: " + why,
                Migrations.context(null), null);
    }

    private RuntimeException failed(MigrationInfo m, List<String> done, SQLException e) {
        String state = e.getSQLState();
        if (state != null && (SqlStates.isConnectionState(state) || state.startsWith("28"))) {
            return migrations.unavailable(e);
        }
        String text = "rollback " + m.getScript() + " failed: " + migrations.serverText(e, state)
                + (LockRetry.LOCK_NOT_AVAILABLE.equals(state) ? migrations.lockAdvice()
                : ". PostgreSQL rolled this script back; fix the cause and roll back again")
                + (done.isEmpty() ? "" : " (already rolled back: " + String.join(", ", done) + ")");
        return new MigrationException(migrations.config().name() + ": " + text, Migrations.context(state), e);
    }
}

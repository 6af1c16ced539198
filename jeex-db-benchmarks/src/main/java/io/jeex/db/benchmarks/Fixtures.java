package io.jeex.db.benchmarks;

import io.jeex.db.JeexDatabase;
import io.jeex.db.benchmarks.peers.JeexWorkload;
import io.jeex.db.benchmarks.peers.Workload;
import io.jeex.db.repository.ExecutionStatus;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.NewAgentExecution;
import io.jeex.db.repository.Page;
import io.jeex.db.repository.Project;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/** Rows the benchmarks start from, written through the repositories (set-up, never measured). */
final class Fixtures {

    private static final AtomicLong SEQUENCE = new AtomicLong();
    private final JeexDatabase db;

    Fixtures(JeexDatabase db) {
        this.db = db;
    }

    UUID user(String prefix) {
        return db.actingAsNewUser().users().create(prefix + SEQUENCE.incrementAndGet() + "@example.com", "Fixture " + prefix).id();
    }

    List<UUID> users(int n) {
        List<UUID> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(user("seed"));
        }
        return ids;
    }

    UUID project(UUID owner) {
        return db.actingAs(owner).projects().create(owner, "Fixture project", "en").id();
    }

    /**
     * Gives the owner {@code count} projects (each in its own transaction, so each has its own
     * updated_at) and returns where the second page of 20 begins.
     */
    Workload.PageKey secondPage(UUID owner, int count) {
        for (int i = 0; i < count; i++) {
            project(owner);
        }
        Page<Project> first = db.actingAs(owner).projects().listByOwner(owner, Optional.empty(), Workload.PAGE_SIZE, Optional.empty());
        Project last = first.items().get(first.items().size() - 1);
        return new Workload.PageKey(last.updatedAt(), last.id(), first.nextCursor().orElseThrow());
    }

    /** Rows for a batch insert: completed executions when {@code completed}, else running ones. */
    List<NewAgentExecution> runningExecutions(UUID project, int n, UUID correlation, boolean completed) {
        Instant t0 = Instant.parse("2026-11-25T10:00:00Z");
        List<NewAgentExecution> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            rows.add(completed
                    ? NewAgentExecution.completed(project, "validator", correlation, Json.of("{\"check\": " + i + "}"),
                            Json.of("{\"ok\": true}"), t0.plusSeconds(i), t0.plusSeconds(i + 1))
                    : new NewAgentExecution(project, "validator", correlation, Json.of("{\"check\": " + i + "}"), null,
                            ExecutionStatus.RUNNING, null, t0.plusSeconds(i), null));
        }
        return rows;
    }

    /** Inserts {@code n} running executions and returns their ids. */
    UUID[] runningExecutionIds(UUID project, int n) {
        UUID correlation = UUID.randomUUID();
        for (int done = 0; done < n; done += 1000) {
            JeexWorkload.anyUser(db).agentExecutions().insertBatch(runningExecutions(project, Math.min(1000, n - done), correlation, false));
        }
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("select id from agent_executions where correlation_id = ? order by id")) {
            ps.setObject(1, correlation);
            List<UUID> ids = new ArrayList<>(n);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getObject(1, UUID.class));
                }
            }
            return ids.toArray(UUID[]::new);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Refreshes the planner's statistics after the set-up: a table filled a moment ago still looks
     * empty to the planner until autovacuum analyzes it, and a plan chosen then (for example the
     * status index for a guarded update by id) would be the same bad plan for every library.
     */
    void analyze() {
        try (Connection c = db.dataSource().getConnection(); var s = c.createStatement()) {
            s.execute("analyze");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sets the first {@code used} executions back to running, in one statement. */
    void rearm(UUID[] ids, int used) {
        if (used == 0) {
            return;
        }
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("update agent_executions set status = 'running', "
                     + "output_data = null, completed_at = null where id = any(?)")) {
            ps.setArray(1, c.createArrayOf("uuid", Arrays.copyOf(ids, used)));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}

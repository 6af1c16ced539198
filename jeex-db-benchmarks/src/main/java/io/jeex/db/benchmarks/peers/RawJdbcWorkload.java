package io.jeex.db.benchmarks.peers;

import io.jeex.db.repository.AgentExecution;
import io.jeex.db.repository.DocumentVersion;
import io.jeex.db.repository.ExecutionStatus;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.NewAgentExecution;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.ProjectStatus;
import io.jeex.db.repository.User;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The baseline: pgjdbc on the pool, by hand, as short as correct JDBC gets (auto-commit for one
 * statement, an explicit transaction for the append).
 */
public final class RawJdbcWorkload implements Workload {

    private final DataSource pool;

    public RawJdbcWorkload(DataSource pool) {
        this.pool = pool;
    }

    @Override
    public User createUser(String email, String name) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(Sql.INSERT_USER)) {
            ps.setObject(1, Ids.next());
            ps.setString(2, email);
            ps.setString(3, name);
            ps.setString(4, "{}");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Rows.user(rs);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Optional<User> userById(UUID id) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(Sql.USER_BY_ID)) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(Rows.user(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public DocumentVersion appendVersion(UUID projectId, String documentType, String content, Json metadata,
                                         UUID authorId) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement lock = c.prepareStatement(Sql.LOCK_DOCUMENT)) {
                    lock.setString(1, projectId + "/" + documentType);
                    lock.execute();
                }
                DocumentVersion stored;
                try (PreparedStatement ps = c.prepareStatement(Sql.APPEND_VERSION)) {
                    ps.setObject(1, Ids.next());
                    ps.setObject(2, projectId);
                    ps.setString(3, documentType);
                    ps.setObject(4, projectId);
                    ps.setString(5, documentType);
                    ps.setString(6, content);
                    ps.setString(7, metadata.text());
                    ps.setObject(8, authorId);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        stored = Rows.version(rs);
                    }
                }
                c.commit();
                return stored;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public List<Project> projectPage(UUID ownerId, PageKey after) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(Sql.PROJECT_PAGE)) {
            ps.setObject(1, ownerId);
            ps.setObject(2, Rows.offset(after.updatedAt()));
            ps.setObject(3, after.id());
            ps.setInt(4, PAGE_SIZE + 1);
            List<Project> page = new ArrayList<>(PAGE_SIZE + 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    page.add(Rows.project(rs));
                }
            }
            return page.size() > PAGE_SIZE ? page.subList(0, PAGE_SIZE) : page;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Project changeStatus(UUID projectId, ProjectStatus to) {
        try (Connection c = pool.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(Sql.CHANGE_STATUS.get(to))) {
                ps.setString(1, to.dbValue());
                ps.setObject(2, projectId);
                List<String> from = Guards.from(to);
                for (int i = 0; i < from.size(); i++) {
                    ps.setString(3 + i, from.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return Rows.project(rs);
                    }
                }
            }
            throw Guards.refused("project", projectId, status(c, Sql.PROJECT_STATUS, projectId), to.dbValue());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public AgentExecution completeExecution(UUID executionId, Json output) {
        try (Connection c = pool.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(Sql.COMPLETE_EXECUTION)) {
                ps.setString(1, ExecutionStatus.COMPLETED.dbValue());
                ps.setString(2, output == null ? null : output.text());
                ps.setObject(3, executionId);
                ps.setString(4, Guards.LIVE.get(0));
                ps.setString(5, Guards.LIVE.get(1));
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return Rows.execution(rs);
                    }
                }
            }
            throw Guards.refused("agent execution", executionId, status(c, Sql.EXECUTION_STATUS, executionId),
                    ExecutionStatus.COMPLETED.dbValue());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The repositories' statement: one INSERT ... SELECT FROM unnest(arrays), auto-committed (all or none). */
    @Override
    public int insertExecutions(List<NewAgentExecution> executions) {
        int n = executions.size();
        String[][] columns = new String[10][n];
        for (int i = 0; i < n; i++) {
            NewAgentExecution e = executions.get(i);
            columns[0][i] = Ids.next().toString();
            columns[1][i] = e.projectId().toString();
            columns[2][i] = e.agentType();
            columns[3][i] = e.correlationId().toString();
            columns[4][i] = e.input() == null ? null : e.input().text();
            columns[5][i] = e.output() == null ? null : e.output().text();
            columns[6][i] = e.status().dbValue();
            columns[7][i] = e.errorMessage();
            columns[8][i] = e.startedAt().truncatedTo(ChronoUnit.MICROS).toString();
            columns[9][i] = e.completedAt() == null ? null : e.completedAt().truncatedTo(ChronoUnit.MICROS).toString();
        }
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(Sql.INSERT_EXECUTIONS_UNNEST)) {
            for (int col = 0; col < columns.length; col++) {
                ps.setArray(col + 1, c.createArrayOf("text", columns[col]));
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String status(Connection c, String sql, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}

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
import java.sql.Statement;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The baseline: pgjdbc on the pool, by hand, as short as correct JDBC gets (auto-commit for one
 * statement, an explicit transaction for the append).
 *
 * <p>With {@code acting}, the same statements carry the acting user the way jeex-db's repositories
 * send it, written by hand: {@code SELECT set_config('jeex.acting_user_id', ?, true); <statement>}
 * in one round trip for a single statement, {@code SET LOCAL} as the transaction's first statement
 * for the append. Row-level security needs it and the other peers do not send it, so this is the
 * baseline that tells the layer's own cost from the cost of the acting user on the server.
 */
public final class RawJdbcWorkload implements Workload {

    /** What jeex-db sends before a single statement with an acting user (its ActingUser.PREFIX). */
    static final String ACTING_PREFIX = "SELECT set_config('jeex.acting_user_id', ?, true); ";

    /** The acting user of the operations the workload names no user for, as in JeexWorkload. */
    private static final UUID ANY_USER = UUID.fromString("01900000-0000-7000-8000-000000000001");

    private final DataSource pool;
    private final boolean acting;
    private final int offset;

    public RawJdbcWorkload(DataSource pool) {
        this(pool, false);
    }

    /**
     * @param pool the pool
     * @param acting whether every operation carries an acting user as jeex-db sends it
     */
    public RawJdbcWorkload(DataSource pool, boolean acting) {
        this.pool = pool;
        this.acting = acting;
        this.offset = acting ? 1 : 0;
    }

    /** The statement, behind the acting user's {@code set_config} when this workload sends one. */
    private PreparedStatement prepare(Connection c, String sql, UUID user) throws SQLException {
        if (!acting) {
            return c.prepareStatement(sql);
        }
        PreparedStatement ps = c.prepareStatement(ACTING_PREFIX + sql);
        ps.setString(1, user.toString());
        return ps;
    }

    /** The statement's rows: with an acting user, the second result. */
    private ResultSet query(PreparedStatement ps) throws SQLException {
        if (!acting) {
            return ps.executeQuery();
        }
        ps.execute();
        ps.getMoreResults();
        return ps.getResultSet();
    }

    private int update(PreparedStatement ps) throws SQLException {
        if (!acting) {
            return ps.executeUpdate();
        }
        ps.execute();
        ps.getMoreResults();
        return ps.getUpdateCount();
    }

    @Override
    public User createUser(String email, String name) {
        UUID id = Ids.next();
        try (Connection c = pool.getConnection(); PreparedStatement ps = prepare(c, Sql.INSERT_USER, id)) {
            ps.setObject(offset + 1, id);
            ps.setString(offset + 2, email);
            ps.setString(offset + 3, name);
            ps.setString(offset + 4, "{}");
            try (ResultSet rs = query(ps)) {
                rs.next();
                return Rows.user(rs);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Optional<User> userById(UUID id) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = prepare(c, Sql.USER_BY_ID, id)) {
            ps.setObject(offset + 1, id);
            try (ResultSet rs = query(ps)) {
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
                if (acting) {
                    try (Statement set = c.createStatement()) {
                        set.execute("SET LOCAL jeex.acting_user_id = '" + authorId + "'");
                    }
                }
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
        try (Connection c = pool.getConnection(); PreparedStatement ps = prepare(c, Sql.PROJECT_PAGE, ownerId)) {
            ps.setObject(offset + 1, ownerId);
            ps.setObject(offset + 2, Rows.offset(after.updatedAt()));
            ps.setObject(offset + 3, after.id());
            ps.setInt(offset + 4, PAGE_SIZE + 1);
            List<Project> page = new ArrayList<>(PAGE_SIZE + 1);
            try (ResultSet rs = query(ps)) {
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
            try (PreparedStatement ps = prepare(c, Sql.CHANGE_STATUS.get(to), ANY_USER)) {
                ps.setString(offset + 1, to.dbValue());
                ps.setObject(offset + 2, projectId);
                List<String> from = Guards.from(to);
                for (int i = 0; i < from.size(); i++) {
                    ps.setString(offset + 3 + i, from.get(i));
                }
                try (ResultSet rs = query(ps)) {
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
            try (PreparedStatement ps = prepare(c, Sql.COMPLETE_EXECUTION, ANY_USER)) {
                ps.setString(offset + 1, ExecutionStatus.COMPLETED.dbValue());
                ps.setString(offset + 2, output == null ? null : output.text());
                ps.setObject(offset + 3, executionId);
                ps.setString(offset + 4, Guards.LIVE.get(0));
                ps.setString(offset + 5, Guards.LIVE.get(1));
                try (ResultSet rs = query(ps)) {
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
        try (Connection c = pool.getConnection();
             PreparedStatement ps = prepare(c, Sql.INSERT_EXECUTIONS_UNNEST, ANY_USER)) {
            for (int col = 0; col < columns.length; col++) {
                ps.setArray(offset + col + 1, c.createArrayOf("text", columns[col]));
            }
            return update(ps);
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

package io.jeex.db.benchmarks.peers;

import io.jeex.db.repository.AgentExecution;
import io.jeex.db.repository.DocumentVersion;
import io.jeex.db.repository.ExecutionStatus;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.NewAgentExecution;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.ProjectStatus;
import io.jeex.db.repository.User;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Spring Framework 7's {@link JdbcTemplate} without Spring Boot or a context, as its reference
 * documentation shows it: {@code query} / {@code queryForObject} with a row-mapper lambda,
 * {@link TransactionTemplate} over a {@link DataSourceTransactionManager} for the append and the
 * batch, {@code batchUpdate} for the batch insert.
 */
public final class SpringJdbcWorkload implements Workload {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;

    public SpringJdbcWorkload(DataSource pool) {
        this.jdbc = new JdbcTemplate(pool);
        this.transactions = new TransactionTemplate(new DataSourceTransactionManager(pool));
    }

    @Override
    public User createUser(String email, String name) {
        return jdbc.queryForObject(Sql.INSERT_USER, (rs, n) -> Rows.user(rs), Ids.next(), email, name, "{}");
    }

    @Override
    public Optional<User> userById(UUID id) {
        List<User> found = jdbc.query(Sql.USER_BY_ID, (rs, n) -> Rows.user(rs), id);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    @Override
    public DocumentVersion appendVersion(UUID projectId, String documentType, String content, Json metadata,
                                         UUID authorId) {
        return transactions.execute(status -> {
            jdbc.queryForObject(Sql.LOCK_DOCUMENT, String.class, projectId + "/" + documentType);
            return jdbc.queryForObject(Sql.APPEND_VERSION, (rs, n) -> Rows.version(rs), Ids.next(), projectId,
                    documentType, projectId, documentType, content, metadata.text(), authorId);
        });
    }

    @Override
    public List<Project> projectPage(UUID ownerId, PageKey after) {
        List<Project> page = jdbc.query(Sql.PROJECT_PAGE, (rs, n) -> Rows.project(rs), ownerId,
                Rows.offset(after.updatedAt()), after.id(), PAGE_SIZE + 1);
        return page.size() > PAGE_SIZE ? page.subList(0, PAGE_SIZE) : page;
    }

    @Override
    public Project changeStatus(UUID projectId, ProjectStatus to) {
        List<Object> args = new ArrayList<>(List.of(to.dbValue(), projectId));
        args.addAll(Guards.from(to));
        List<Project> updated = jdbc.query(Sql.CHANGE_STATUS.get(to), (rs, n) -> Rows.project(rs), args.toArray());
        if (!updated.isEmpty()) {
            return updated.get(0);
        }
        throw Guards.refused("project", projectId, status(Sql.PROJECT_STATUS, projectId), to.dbValue());
    }

    @Override
    public AgentExecution completeExecution(UUID executionId, Json output) {
        String completed = ExecutionStatus.COMPLETED.dbValue();
        List<AgentExecution> updated = jdbc.query(Sql.COMPLETE_EXECUTION, (rs, n) -> Rows.execution(rs), completed,
                output == null ? null : output.text(), executionId, Guards.LIVE.get(0), Guards.LIVE.get(1));
        if (!updated.isEmpty()) {
            return updated.get(0);
        }
        throw Guards.refused("agent execution", executionId, status(Sql.EXECUTION_STATUS, executionId), completed);
    }

    @Override
    public int insertExecutions(List<NewAgentExecution> executions) {
        int[] counts = transactions.execute(status -> jdbc.batchUpdate(Sql.INSERT_EXECUTION,
                new BatchPreparedStatementSetter() {
                    @Override
                    public void setValues(PreparedStatement ps, int i) throws SQLException {
                        Rows.bindExecution(ps, Ids.next(), executions.get(i));
                    }

                    @Override
                    public int getBatchSize() {
                        return executions.size();
                    }
                }));
        int n = 0;
        for (int count : counts) {
            n += count;
        }
        return n;
    }

    private String status(String sql, UUID id) {
        List<String> found = jdbc.queryForList(sql, String.class, id);
        return found.isEmpty() ? null : found.get(0);
    }
}

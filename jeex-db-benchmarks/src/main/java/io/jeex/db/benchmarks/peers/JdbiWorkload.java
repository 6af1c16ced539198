package io.jeex.db.benchmarks.peers;

import io.jeex.db.repository.AgentExecution;
import io.jeex.db.repository.DocumentVersion;
import io.jeex.db.repository.ExecutionStatus;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.NewAgentExecution;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.ProjectStatus;
import io.jeex.db.repository.User;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * jdbi 3's fluent API as its developer guide shows it: {@code Jdbi.create(dataSource)},
 * {@code withHandle} / {@code inTransaction}, positional binds, a row-mapper lambda, and
 * {@link PreparedBatch} for the batch insert (one JDBC batch in a transaction).
 */
public final class JdbiWorkload implements Workload {

    private final Jdbi jdbi;

    public JdbiWorkload(DataSource pool) {
        this.jdbi = Jdbi.create(pool);
    }

    @Override
    public User createUser(String email, String name) {
        return jdbi.withHandle(h -> h.createQuery(Sql.INSERT_USER)
                .bind(0, Ids.next()).bind(1, email).bind(2, name).bind(3, "{}")
                .map((rs, ctx) -> Rows.user(rs)).one());
    }

    @Override
    public Optional<User> userById(UUID id) {
        return jdbi.withHandle(h -> h.createQuery(Sql.USER_BY_ID).bind(0, id).map((rs, ctx) -> Rows.user(rs)).findOne());
    }

    @Override
    public DocumentVersion appendVersion(UUID projectId, String documentType, String content, Json metadata,
                                         UUID authorId) {
        return jdbi.inTransaction(h -> {
            h.createQuery(Sql.LOCK_DOCUMENT).bind(0, projectId + "/" + documentType).mapTo(String.class).one();
            return h.createQuery(Sql.APPEND_VERSION)
                    .bind(0, Ids.next()).bind(1, projectId).bind(2, documentType).bind(3, projectId)
                    .bind(4, documentType).bind(5, content).bind(6, metadata.text()).bind(7, authorId)
                    .map((rs, ctx) -> Rows.version(rs)).one();
        });
    }

    @Override
    public List<Project> projectPage(UUID ownerId, PageKey after) {
        List<Project> page = jdbi.withHandle(h -> h.createQuery(Sql.PROJECT_PAGE)
                .bind(0, ownerId).bind(1, Rows.offset(after.updatedAt())).bind(2, after.id()).bind(3, PAGE_SIZE + 1)
                .map((rs, ctx) -> Rows.project(rs)).list());
        return page.size() > PAGE_SIZE ? page.subList(0, PAGE_SIZE) : page;
    }

    @Override
    public Project changeStatus(UUID projectId, ProjectStatus to) {
        List<String> from = Guards.from(to);
        return jdbi.withHandle(h -> {
            var update = h.createQuery(Sql.CHANGE_STATUS.get(to)).bind(0, to.dbValue()).bind(1, projectId);
            for (int i = 0; i < from.size(); i++) {
                update.bind(2 + i, from.get(i));
            }
            return update.map((rs, ctx) -> Rows.project(rs)).findOne().orElseThrow(() -> Guards.refused("project",
                    projectId, status(h, Sql.PROJECT_STATUS, projectId), to.dbValue()));
        });
    }

    @Override
    public AgentExecution completeExecution(UUID executionId, Json output) {
        String completed = ExecutionStatus.COMPLETED.dbValue();
        return jdbi.withHandle(h -> h.createQuery(Sql.COMPLETE_EXECUTION)
                .bind(0, completed).bind(1, output == null ? null : output.text()).bind(2, executionId)
                .bind(3, Guards.LIVE.get(0)).bind(4, Guards.LIVE.get(1))
                .map((rs, ctx) -> Rows.execution(rs)).findOne()
                .orElseThrow(() -> Guards.refused("agent execution", executionId,
                        status(h, Sql.EXECUTION_STATUS, executionId), completed)));
    }

    @Override
    public int insertExecutions(List<NewAgentExecution> executions) {
        return jdbi.inTransaction(h -> {
            PreparedBatch batch = h.prepareBatch(Sql.INSERT_EXECUTION);
            for (NewAgentExecution e : executions) {
                batch.bind(0, Ids.next()).bind(1, e.projectId()).bind(2, e.agentType()).bind(3, e.correlationId())
                        .bind(4, e.input() == null ? null : e.input().text())
                        .bind(5, e.output() == null ? null : e.output().text())
                        .bind(6, e.status().dbValue()).bind(7, e.errorMessage())
                        .bind(8, Rows.offset(e.startedAt())).bind(9, Rows.offset(e.completedAt())).add();
            }
            int n = 0;
            for (int count : batch.execute()) {
                n += count;
            }
            return n;
        });
    }

    private static String status(Handle h, String sql, UUID id) {
        return h.createQuery(sql).bind(0, id).mapTo(String.class).findOne().orElse(null);
    }
}

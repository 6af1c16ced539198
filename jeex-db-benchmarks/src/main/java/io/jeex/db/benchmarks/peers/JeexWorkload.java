package io.jeex.db.benchmarks.peers;

import io.jeex.db.JeexDatabase;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.AgentExecution;
import io.jeex.db.repository.DocumentVersion;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.NewAgentExecution;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.ProjectStatus;
import io.jeex.db.repository.User;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * jeex-db's repositories on a full {@link JeexDatabase}: validation, Retry(CircuitBreaker(...)),
 * transaction and statement meters, typed errors, mapping to immutable records.
 */
public final class JeexWorkload implements Workload {

    /**
     * The acting user of the operations the workload names no user for (a status change, an
     * execution's completion, a batch). The benchmarks connect as a superuser, which row-level
     * security does not restrict, so whichever user is set costs the same: one {@code set_config}
     * in the statement's own round trip. What the policies cost is RowLevelSecurityBenchmark's.
     */
    private static final UUID ANY_USER = UUID.fromString("01900000-0000-7000-8000-000000000001");

    private final JeexDatabase db;
    private final Repositories any;

    public JeexWorkload(JeexDatabase db) {
        this.db = db;
        this.any = anyUser(db);
    }

    /**
     * @param db the database
     * @return its repositories acting as {@link #ANY_USER}
     */
    public static Repositories anyUser(JeexDatabase db) {
        return db.actingAs(ANY_USER);
    }

    @Override
    public User createUser(String email, String name) {
        return db.actingAsNewUser().users().create(email, name);
    }

    @Override
    public Optional<User> userById(UUID id) {
        return db.actingAs(id).users().byId(id);
    }

    @Override
    public DocumentVersion appendVersion(UUID projectId, String documentType, String content, Json metadata,
                                         UUID authorId) {
        return db.actingAs(authorId).documents().append(projectId, documentType, content, metadata, authorId);
    }

    @Override
    public List<Project> projectPage(UUID ownerId, PageKey after) {
        return db.actingAs(ownerId).projects().listByOwner(ownerId, Optional.empty(), PAGE_SIZE, Optional.of(after.cursor())).items();
    }

    @Override
    public Project changeStatus(UUID projectId, ProjectStatus to) {
        return any.projects().changeStatus(projectId, to);
    }

    @Override
    public AgentExecution completeExecution(UUID executionId, Json output) {
        return any.agentExecutions().complete(executionId, output);
    }

    @Override
    public int insertExecutions(List<NewAgentExecution> executions) {
        return any.agentExecutions().insertBatch(executions);
    }
}

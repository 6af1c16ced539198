package io.jeex.db.benchmarks.peers;

import io.jeex.db.JeexDatabase;
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

    private final JeexDatabase db;

    public JeexWorkload(JeexDatabase db) {
        this.db = db;
    }

    @Override
    public User createUser(String email, String name) {
        return db.users().create(email, name);
    }

    @Override
    public Optional<User> userById(UUID id) {
        return db.users().byId(id);
    }

    @Override
    public DocumentVersion appendVersion(UUID projectId, String documentType, String content, Json metadata,
                                         UUID authorId) {
        return db.documents().append(projectId, documentType, content, metadata, authorId);
    }

    @Override
    public List<Project> projectPage(UUID ownerId, PageKey after) {
        return db.projects().listByOwner(ownerId, Optional.empty(), PAGE_SIZE, Optional.of(after.cursor())).items();
    }

    @Override
    public Project changeStatus(UUID projectId, ProjectStatus to) {
        return db.projects().changeStatus(projectId, to);
    }

    @Override
    public AgentExecution completeExecution(UUID executionId, Json output) {
        return db.agentExecutions().complete(executionId, output);
    }

    @Override
    public int insertExecutions(List<NewAgentExecution> executions) {
        return db.agentExecutions().insertBatch(executions);
    }
}

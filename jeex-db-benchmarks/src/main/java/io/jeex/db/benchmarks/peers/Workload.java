package io.jeex.db.benchmarks.peers;

import io.jeex.db.repository.AgentExecution;
import io.jeex.db.repository.DocumentVersion;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.NewAgentExecution;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.ProjectStatus;
import io.jeex.db.repository.User;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The benchmark workload, one implementation per data-access library. Every implementation runs
 * the same SQL semantics on the same pool and maps to the same records:
 * <ul>
 *   <li>{@link #createUser}: one INSERT ... RETURNING with a client-made UUIDv7, auto-committed;</li>
 *   <li>{@link #userById}: one SELECT by primary key, auto-committed;</li>
 *   <li>{@link #appendVersion}: in one transaction, the document's advisory lock, then an INSERT
 *       whose version is one more than the latest, RETURNING the row;</li>
 *   <li>{@link #projectPage}: one keyset page of an owner's projects after a given row, newest
 *       update first (limit + 1 rows read, to know whether a next page exists);</li>
 *   <li>{@link #changeStatus}: an UPDATE guarded by the allowed previous statuses, RETURNING the
 *       row; when nothing was updated, a SELECT tells "no such project" from "not allowed";</li>
 *   <li>{@link #completeExecution}: the same guarded UPDATE on an agent execution;</li>
 *   <li>{@link #insertExecutions}: many rows, all or none.</li>
 * </ul>
 */
public interface Workload {

    /** The page size of {@link #projectPage}. */
    int PAGE_SIZE = 20;

    /**
     * Where a keyset page continues: the previous page's last row, and the repositories' cursor
     * for that position (jeex-db takes the cursor, the peers the row's values).
     *
     * @param updatedAt the last row's updated_at
     * @param id the last row's id
     * @param cursor the repositories' cursor of the same position
     */
    record PageKey(Instant updatedAt, UUID id, String cursor) {
    }

    User createUser(String email, String name);

    Optional<User> userById(UUID id);

    DocumentVersion appendVersion(UUID projectId, String documentType, String content, Json metadata, UUID authorId);

    /** @return the page's rows ({@link #PAGE_SIZE} at most) */
    List<Project> projectPage(UUID ownerId, PageKey after);

    Project changeStatus(UUID projectId, ProjectStatus to);

    AgentExecution completeExecution(UUID executionId, Json output);

    /** @return the number of rows inserted */
    int insertExecutions(List<NewAgentExecution> executions);
}

package io.jeex.db.benchmarks.peers;

import io.jeex.db.repository.ProjectStatus;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The SQL of the workload, written out once for the peers that take SQL text (raw pgjdbc, jdbi,
 * Spring's JdbcTemplate): the statements jeex-db's repositories send (jOOQ renders the same
 * shapes), with explicit column lists so that every peer reads the same columns in the same order.
 */
final class Sql {

    static final String USER_COLUMNS = "id, email, name, profile_data, created_at, last_login_at, updated_at";
    static final String PROJECT_COLUMNS = "id, name, status, current_step, language, created_by, created_at, updated_at";
    static final String VERSION_COLUMNS = "id, project_id, document_type, version, content, metadata, created_by, created_at";
    static final String EXECUTION_COLUMNS = "id, project_id, agent_type, correlation_id, input_data, output_data, status, "
            + "error_message, started_at, completed_at";

    static final String INSERT_USER = "insert into users (id, email, name, profile_data) values (?, ?, ?, cast(? as jsonb)) "
            + "returning " + USER_COLUMNS;

    static final String USER_BY_ID = "select " + USER_COLUMNS + " from users where id = ?";

    /** Serializes appends to one document: the repositories' advisory lock, released at commit. */
    static final String LOCK_DOCUMENT = "select pg_advisory_xact_lock(hashtextextended(?, 0))";

    /** Binds: id, project, type, project, type, content, metadata, author. */
    static final String APPEND_VERSION = "insert into document_versions (id, project_id, document_type, version, content, "
            + "metadata, created_by) values (?, ?, ?, (select coalesce(max(version), 0) + 1 from document_versions "
            + "where project_id = ? and document_type = ?), ?, cast(? as jsonb), ?) returning " + VERSION_COLUMNS;

    /** Keyset page: binds owner, updated_at and id of the previous page's last row, limit. */
    static final String PROJECT_PAGE = "select " + PROJECT_COLUMNS + " from projects where created_by = ? "
            + "and (updated_at, id) < (?, ?) order by updated_at desc, id desc limit ?";

    static final String PROJECT_STATUS = "select status from projects where id = ?";

    /** The guarded update to each status: binds the new status, the id, then the allowed previous statuses. */
    static final Map<ProjectStatus, String> CHANGE_STATUS;

    static {
        Map<ProjectStatus, String> sql = new EnumMap<>(ProjectStatus.class);
        for (ProjectStatus to : ProjectStatus.values()) {
            int from = to.previous().size();
            if (from > 0) {
                sql.put(to, "update projects set status = ? where id = ? and status in ("
                        + String.join(", ", Collections.nCopies(from, "?")) + ") returning " + PROJECT_COLUMNS);
            }
        }
        CHANGE_STATUS = Collections.unmodifiableMap(sql);
    }

    /** Binds: status, output, id, then the live statuses (pending, running). */
    static final String COMPLETE_EXECUTION = "update agent_executions set status = ?, output_data = cast(? as jsonb), "
            + "error_message = null, completed_at = greatest(now(), started_at) where id = ? and status in (?, ?) "
            + "returning " + EXECUTION_COLUMNS;

    static final String EXECUTION_STATUS = "select status from agent_executions where id = ?";

    /** The repositories' batch insert: one statement, one text array per column. */
    static final String INSERT_EXECUTIONS_UNNEST = "insert into agent_executions (" + EXECUTION_COLUMNS + ") "
            + "select * from unnest(?::uuid[], ?::uuid[], ?::varchar[], ?::uuid[], ?::jsonb[], ?::jsonb[], ?::varchar[], "
            + "?::text[], ?::timestamptz[], ?::timestamptz[])";

    /** One row of a JDBC batch (jdbi's PreparedBatch, JdbcTemplate.batchUpdate). */
    static final String INSERT_EXECUTION = "insert into agent_executions (" + EXECUTION_COLUMNS + ") "
            + "values (?, ?, ?, ?, cast(? as jsonb), cast(? as jsonb), ?, ?, ?, ?)";

    private Sql() {
    }
}

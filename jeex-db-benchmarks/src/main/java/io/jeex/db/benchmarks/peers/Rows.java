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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;

/**
 * Row mapping shared by the peers that hand out a {@link ResultSet} (raw pgjdbc, jdbi, Spring):
 * by column index, in the order of {@link Sql}'s column lists, to the same immutable records the
 * repositories return (JSON checked by {@link Json}'s constructor, as the repositories do).
 */
final class Rows {

    private Rows() {
    }

    static User user(ResultSet rs) throws SQLException {
        return new User(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), Json.ofStored(rs.getString(4)),
                instant(rs, 5), Optional.ofNullable(instant(rs, 6)), instant(rs, 7));
    }

    static Project project(ResultSet rs) throws SQLException {
        return new Project(rs.getObject(1, UUID.class), rs.getString(2), ProjectStatus.fromDb(rs.getString(3)),
                rs.getInt(4), rs.getString(5), rs.getObject(6, UUID.class), instant(rs, 7), instant(rs, 8));
    }

    static DocumentVersion version(ResultSet rs) throws SQLException {
        return new DocumentVersion(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
                rs.getInt(4), rs.getString(5), Json.ofStored(rs.getString(6)),
                Optional.ofNullable(rs.getObject(7, UUID.class)), instant(rs, 8));
    }

    static AgentExecution execution(ResultSet rs) throws SQLException {
        return new AgentExecution(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
                rs.getObject(4, UUID.class), json(rs.getString(5)), json(rs.getString(6)),
                ExecutionStatus.fromDb(rs.getString(7)), Optional.ofNullable(rs.getString(8)), instant(rs, 9),
                Optional.ofNullable(instant(rs, 10)));
    }

    /** Binds one row of {@link Sql#INSERT_EXECUTION}. */
    static void bindExecution(PreparedStatement ps, UUID id, NewAgentExecution e) throws SQLException {
        ps.setObject(1, id);
        ps.setObject(2, e.projectId());
        ps.setString(3, e.agentType());
        ps.setObject(4, e.correlationId());
        ps.setString(5, e.input() == null ? null : e.input().text());
        ps.setString(6, e.output() == null ? null : e.output().text());
        ps.setString(7, e.status().dbValue());
        ps.setString(8, e.errorMessage());
        ps.setObject(9, offset(e.startedAt()));
        ps.setObject(10, offset(e.completedAt()));
    }

    static OffsetDateTime offset(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static Optional<Json> json(String text) {
        return text == null ? Optional.empty() : Optional.of(Json.ofStored(text));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}

package io.jeex.db.benchmarks.peers;

import static io.jeex.db.codegen.Tables.AGENT_EXECUTIONS;
import static io.jeex.db.codegen.Tables.DOCUMENT_VERSIONS;
import static io.jeex.db.codegen.Tables.PROJECTS;
import static io.jeex.db.codegen.Tables.USERS;

import io.jeex.db.codegen.tables.records.AgentExecutionsRecord;
import io.jeex.db.codegen.tables.records.DocumentVersionsRecord;
import io.jeex.db.codegen.tables.records.ProjectsRecord;
import io.jeex.db.codegen.tables.records.UsersRecord;
import io.jeex.db.repository.AgentExecution;
import io.jeex.db.repository.DocumentVersion;
import io.jeex.db.repository.ExecutionStatus;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.NewAgentExecution;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.ProjectStatus;
import io.jeex.db.repository.User;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.Row10;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * Plain jOOQ 3.19 with the generated classes, as its manual shows it: {@code DSL.using(dataSource,
 * dialect)} with default settings, the typed DSL, {@code transactionResult} for the append, one
 * multi-row INSERT for the batch.
 */
public final class JooqWorkload implements Workload {

    private final DSLContext dsl;

    public JooqWorkload(DataSource pool) {
        this.dsl = DSL.using(pool, SQLDialect.POSTGRES);
    }

    @Override
    public User createUser(String email, String name) {
        return user(dsl.insertInto(USERS).set(USERS.ID, Ids.next()).set(USERS.EMAIL, email).set(USERS.NAME, name)
                .set(USERS.PROFILE_DATA, JSONB.valueOf("{}")).returning().fetchOne());
    }

    @Override
    public Optional<User> userById(UUID id) {
        return dsl.selectFrom(USERS).where(USERS.ID.eq(id)).fetchOptional().map(JooqWorkload::user);
    }

    @Override
    public DocumentVersion appendVersion(UUID projectId, String documentType, String content, Json metadata,
                                         UUID authorId) {
        return dsl.transactionResult(cfg -> {
            DSLContext tx = cfg.dsl();
            tx.select(DSL.field("pg_advisory_xact_lock(hashtextextended({0}, 0))", Object.class,
                    DSL.val(projectId + "/" + documentType))).fetch();
            var next = DSL.select(DSL.coalesce(DSL.max(DOCUMENT_VERSIONS.VERSION), 0).plus(1))
                    .from(DOCUMENT_VERSIONS)
                    .where(DOCUMENT_VERSIONS.PROJECT_ID.eq(projectId)).and(DOCUMENT_VERSIONS.DOCUMENT_TYPE.eq(documentType));
            return version(tx.insertInto(DOCUMENT_VERSIONS).set(DOCUMENT_VERSIONS.ID, Ids.next())
                    .set(DOCUMENT_VERSIONS.PROJECT_ID, projectId).set(DOCUMENT_VERSIONS.DOCUMENT_TYPE, documentType)
                    .set(DOCUMENT_VERSIONS.VERSION, DSL.field(next)).set(DOCUMENT_VERSIONS.CONTENT, content)
                    .set(DOCUMENT_VERSIONS.METADATA, JSONB.valueOf(metadata.text()))
                    .set(DOCUMENT_VERSIONS.CREATED_BY, authorId).returning().fetchOne());
        });
    }

    @Override
    public List<Project> projectPage(UUID ownerId, PageKey after) {
        return dsl.selectFrom(PROJECTS).where(PROJECTS.CREATED_BY.eq(ownerId))
                .and(DSL.row(PROJECTS.UPDATED_AT, PROJECTS.ID).lt(DSL.row(after.updatedAt(), after.id())))
                .orderBy(PROJECTS.UPDATED_AT.desc(), PROJECTS.ID.desc()).limit(PAGE_SIZE + 1)
                .fetch(JooqWorkload::project).stream().limit(PAGE_SIZE).toList();
    }

    @Override
    public Project changeStatus(UUID projectId, ProjectStatus to) {
        return dsl.update(PROJECTS).set(PROJECTS.STATUS, to.dbValue())
                .where(PROJECTS.ID.eq(projectId)).and(PROJECTS.STATUS.in(Guards.from(to)))
                .returning().fetchOptional().map(JooqWorkload::project)
                .orElseThrow(() -> Guards.refused("project", projectId, dsl.select(PROJECTS.STATUS).from(PROJECTS)
                        .where(PROJECTS.ID.eq(projectId)).fetchOne(PROJECTS.STATUS), to.dbValue()));
    }

    @Override
    public AgentExecution completeExecution(UUID executionId, Json output) {
        String completed = ExecutionStatus.COMPLETED.dbValue();
        return dsl.update(AGENT_EXECUTIONS).set(AGENT_EXECUTIONS.STATUS, completed)
                .set(AGENT_EXECUTIONS.OUTPUT_DATA, output == null ? null : JSONB.valueOf(output.text()))
                .set(AGENT_EXECUTIONS.ERROR_MESSAGE, (String) null)
                .set(AGENT_EXECUTIONS.COMPLETED_AT, DSL.greatest(DSL.currentInstant(), AGENT_EXECUTIONS.STARTED_AT))
                .where(AGENT_EXECUTIONS.ID.eq(executionId)).and(AGENT_EXECUTIONS.STATUS.in(Guards.LIVE))
                .returning().fetchOptional().map(JooqWorkload::execution)
                .orElseThrow(() -> Guards.refused("agent execution", executionId, dsl.select(AGENT_EXECUTIONS.STATUS)
                        .from(AGENT_EXECUTIONS).where(AGENT_EXECUTIONS.ID.eq(executionId))
                        .fetchOne(AGENT_EXECUTIONS.STATUS), completed));
    }

    @Override
    public int insertExecutions(List<NewAgentExecution> executions) {
        List<Row10<UUID, UUID, String, UUID, JSONB, JSONB, String, String, Instant, Instant>> rows =
                new ArrayList<>(executions.size());
        for (NewAgentExecution e : executions) {
            rows.add(DSL.row(Ids.next(), e.projectId(), e.agentType(), e.correlationId(),
                    e.input() == null ? null : JSONB.valueOf(e.input().text()),
                    e.output() == null ? null : JSONB.valueOf(e.output().text()),
                    e.status().dbValue(), e.errorMessage(), e.startedAt(), e.completedAt()));
        }
        return dsl.insertInto(AGENT_EXECUTIONS, AGENT_EXECUTIONS.ID, AGENT_EXECUTIONS.PROJECT_ID,
                        AGENT_EXECUTIONS.AGENT_TYPE, AGENT_EXECUTIONS.CORRELATION_ID, AGENT_EXECUTIONS.INPUT_DATA,
                        AGENT_EXECUTIONS.OUTPUT_DATA, AGENT_EXECUTIONS.STATUS, AGENT_EXECUTIONS.ERROR_MESSAGE,
                        AGENT_EXECUTIONS.STARTED_AT, AGENT_EXECUTIONS.COMPLETED_AT)
                .valuesOfRows(rows).execute();
    }

    private static User user(UsersRecord r) {
        return new User(r.getId(), r.getEmail(), r.getName(), Json.ofStored(r.getProfileData().data()), r.getCreatedAt(),
                Optional.ofNullable(r.getLastLoginAt()), r.getUpdatedAt());
    }

    private static Project project(ProjectsRecord r) {
        return new Project(r.getId(), r.getName(), ProjectStatus.fromDb(r.getStatus()), r.getCurrentStep(),
                r.getLanguage(), r.getCreatedBy(), r.getCreatedAt(), r.getUpdatedAt());
    }

    private static DocumentVersion version(DocumentVersionsRecord r) {
        return new DocumentVersion(r.getId(), r.getProjectId(), r.getDocumentType(), r.getVersion(), r.getContent(),
                Json.ofStored(r.getMetadata().data()), Optional.ofNullable(r.getCreatedBy()), r.getCreatedAt());
    }

    private static AgentExecution execution(AgentExecutionsRecord r) {
        return new AgentExecution(r.getId(), r.getProjectId(), r.getAgentType(), r.getCorrelationId(),
                Optional.ofNullable(r.getInputData()).map(j -> Json.ofStored(j.data())),
                Optional.ofNullable(r.getOutputData()).map(j -> Json.ofStored(j.data())),
                ExecutionStatus.fromDb(r.getStatus()), Optional.ofNullable(r.getErrorMessage()), r.getStartedAt(),
                Optional.ofNullable(r.getCompletedAt()));
    }
}

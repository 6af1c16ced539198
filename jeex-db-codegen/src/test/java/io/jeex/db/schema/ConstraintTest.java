package io.jeex.db.schema;

import static io.jeex.db.codegen.Tables.AGENT_EXECUTIONS;
import static io.jeex.db.codegen.Tables.DOCUMENT_VERSIONS;
import static io.jeex.db.codegen.Tables.EXPORTS;
import static io.jeex.db.codegen.Tables.PROJECTS;
import static io.jeex.db.codegen.Tables.USERS;
import static io.jeex.db.schema.Violations.assertCheckFails;
import static io.jeex.db.schema.Violations.assertNotNullFails;
import static io.jeex.db.schema.Violations.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.testkit.junit.JeexDbTest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every constraint of schema v1 rejects what it must; each test also shows a valid neighbour passes. */
@JeexDbTest
class ConstraintTest {

    private DSLContext dsl;
    private UUID user;
    private UUID project;

    @BeforeEach
    void rows(DSLContext dsl) {
        this.dsl = dsl;
        this.user = Rows.user(dsl);
        this.project = Rows.project(dsl, user);
    }

    @Test
    void unknownProjectStatusIsRejected() {
        assertCheckFails("projects_status_check", () -> dsl.update(PROJECTS)
                .set(PROJECTS.STATUS, "paused").where(PROJECTS.ID.eq(project)).execute());
        assertThat(dsl.update(PROJECTS).set(PROJECTS.STATUS, "in_progress").where(PROJECTS.ID.eq(project)).execute())
                .isOne();
    }

    @Test
    void unknownAgentExecutionStatusIsRejected() {
        assertCheckFails("agent_executions_status_check", () -> dsl.insertInto(AGENT_EXECUTIONS)
                .set(AGENT_EXECUTIONS.PROJECT_ID, project).set(AGENT_EXECUTIONS.AGENT_TYPE, "analyst")
                .set(AGENT_EXECUTIONS.CORRELATION_ID, UUID.randomUUID()).set(AGENT_EXECUTIONS.STATUS, "done")
                .execute());
    }

    @Test
    void unknownExportStatusIsRejected() {
        assertCheckFails("exports_status_check", () -> dsl.insertInto(EXPORTS)
                .set(EXPORTS.PROJECT_ID, project).set(EXPORTS.STATUS, "expired").execute());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 5})
    void currentStepOutsideOneToFourIsRejected(int step) {
        assertCheckFails("projects_current_step_check", () -> dsl.update(PROJECTS)
                .set(PROJECTS.CURRENT_STEP, step).where(PROJECTS.ID.eq(project)).execute());
        assertThat(dsl.update(PROJECTS).set(PROJECTS.CURRENT_STEP, 4).where(PROJECTS.ID.eq(project)).execute())
                .isOne();
    }

    @ParameterizedTest
    @ValueSource(strings = {"english", "EN", "e", "en_US", "en-us", "12"})
    void badLanguageCodeIsRejected(String language) {
        assertCheckFails("projects_language_check", () -> dsl.update(PROJECTS)
                .set(PROJECTS.LANGUAGE, language).where(PROJECTS.ID.eq(project)).execute());
    }

    @ParameterizedTest
    @ValueSource(strings = {"en", "de", "fil", "pt-BR"})
    void wellFormedLanguageCodesAreAccepted(String language) {
        assertThat(dsl.update(PROJECTS).set(PROJECTS.LANGUAGE, language).where(PROJECTS.ID.eq(project)).execute())
                .isOne();
    }

    @Test
    void versionZeroIsRejected() {
        assertCheckFails("document_versions_version_check", () -> insertVersion(0));
        assertThat(insertVersion(1)).isOne();
    }

    @Test
    void duplicateVersionOfTheSameDocumentIsRejected() {
        insertVersion(1);
        assertRejected("23505", "document_versions_project_type_version_key", () -> insertVersion(1));
    }

    @Test
    void jsonArrayWhereAnObjectBelongsIsRejected() {
        JSONB array = JSONB.valueOf("[1, 2]");
        assertCheckFails("users_profile_data_object_check", () -> dsl.update(USERS)
                .set(USERS.PROFILE_DATA, array).where(USERS.ID.eq(user)).execute());
        assertCheckFails("document_versions_metadata_object_check", () -> dsl.insertInto(DOCUMENT_VERSIONS)
                .set(DOCUMENT_VERSIONS.PROJECT_ID, project).set(DOCUMENT_VERSIONS.DOCUMENT_TYPE, "about")
                .set(DOCUMENT_VERSIONS.VERSION, 1).set(DOCUMENT_VERSIONS.CONTENT, "x")
                .set(DOCUMENT_VERSIONS.METADATA, array).execute());
        assertCheckFails("agent_executions_input_data_object_check", () -> dsl.insertInto(AGENT_EXECUTIONS)
                .set(AGENT_EXECUTIONS.PROJECT_ID, project).set(AGENT_EXECUTIONS.AGENT_TYPE, "analyst")
                .set(AGENT_EXECUTIONS.CORRELATION_ID, UUID.randomUUID())
                .set(AGENT_EXECUTIONS.INPUT_DATA, JSONB.valueOf("\"text\"")).execute());
        assertCheckFails("exports_manifest_object_check", () -> dsl.insertInto(EXPORTS)
                .set(EXPORTS.PROJECT_ID, project).set(EXPORTS.MANIFEST, array).execute());
        assertThat(dsl.update(USERS).set(USERS.PROFILE_DATA, JSONB.valueOf("{\"theme\": \"dark\"}"))
                .where(USERS.ID.eq(user)).execute()).isOne();
    }

    @Test
    void emailEqualToAnotherButForCaseIsRejected() {
        dsl.insertInto(USERS).set(USERS.EMAIL, "Alice@Example.com").set(USERS.NAME, "Alice").execute();
        assertRejected("23505", "users_email_lower_key", () -> dsl.insertInto(USERS)
                .set(USERS.EMAIL, "alice@example.COM").set(USERS.NAME, "Other Alice").execute());
        assertThat(dsl.fetchCount(USERS, USERS.EMAIL.likeIgnoreCase("alice@example.com"))).isOne();
    }

    @Test
    void malformedEmailIsRejected() {
        assertCheckFails("users_email_format_check", () -> dsl.insertInto(USERS)
                .set(USERS.EMAIL, "not an email").set(USERS.NAME, "X").execute());
    }

    @Test
    void blankNamesAreRejected() {
        assertCheckFails("users_name_not_blank_check", () -> dsl.update(USERS)
                .set(USERS.NAME, "   ").where(USERS.ID.eq(user)).execute());
        assertCheckFails("projects_name_not_blank_check", () -> dsl.update(PROJECTS)
                .set(PROJECTS.NAME, "").where(PROJECTS.ID.eq(project)).execute());
    }

    @Test
    void childRowWithoutAProjectIsRejected() {
        assertNotNullFails("project_id", () -> dsl.insertInto(DOCUMENT_VERSIONS)
                .set(DOCUMENT_VERSIONS.DOCUMENT_TYPE, "about").set(DOCUMENT_VERSIONS.VERSION, 1)
                .set(DOCUMENT_VERSIONS.CONTENT, "x").execute());
        assertNotNullFails("project_id", () -> dsl.insertInto(AGENT_EXECUTIONS)
                .set(AGENT_EXECUTIONS.AGENT_TYPE, "analyst").set(AGENT_EXECUTIONS.CORRELATION_ID, UUID.randomUUID())
                .execute());
        assertNotNullFails("project_id", () -> dsl.insertInto(EXPORTS).defaultValues().execute());
        assertRejected("23503", "exports_project_id_fkey", () -> dsl.insertInto(EXPORTS)
                .set(EXPORTS.PROJECT_ID, UUID.randomUUID()).execute());
        assertRejected("23503", "document_versions_project_id_fkey", () -> dsl.insertInto(DOCUMENT_VERSIONS)
                .set(DOCUMENT_VERSIONS.PROJECT_ID, UUID.randomUUID()).set(DOCUMENT_VERSIONS.DOCUMENT_TYPE, "about")
                .set(DOCUMENT_VERSIONS.VERSION, 1).set(DOCUMENT_VERSIONS.CONTENT, "x").execute());
        assertRejected("23503", "agent_executions_project_id_fkey", () -> dsl.insertInto(AGENT_EXECUTIONS)
                .set(AGENT_EXECUTIONS.PROJECT_ID, UUID.randomUUID()).set(AGENT_EXECUTIONS.AGENT_TYPE, "analyst")
                .set(AGENT_EXECUTIONS.CORRELATION_ID, UUID.randomUUID()).execute());
        assertNotNullFails("created_by", () -> dsl.insertInto(PROJECTS).set(PROJECTS.NAME, "Orphan").execute());
    }

    @Test
    void completedBeforeStartedIsRejected() {
        Instant started = Instant.now().truncatedTo(ChronoUnit.MICROS);
        assertCheckFails("agent_executions_completed_after_started_check", () -> dsl.insertInto(AGENT_EXECUTIONS)
                .set(AGENT_EXECUTIONS.PROJECT_ID, project).set(AGENT_EXECUTIONS.AGENT_TYPE, "analyst")
                .set(AGENT_EXECUTIONS.CORRELATION_ID, UUID.randomUUID()).set(AGENT_EXECUTIONS.STATUS, "completed")
                .set(AGENT_EXECUTIONS.STARTED_AT, started)
                .set(AGENT_EXECUTIONS.COMPLETED_AT, started.minusSeconds(1)).execute());
        assertThat(dsl.insertInto(AGENT_EXECUTIONS)
                .set(AGENT_EXECUTIONS.PROJECT_ID, project).set(AGENT_EXECUTIONS.AGENT_TYPE, "analyst")
                .set(AGENT_EXECUTIONS.CORRELATION_ID, UUID.randomUUID()).set(AGENT_EXECUTIONS.STATUS, "completed")
                .set(AGENT_EXECUTIONS.STARTED_AT, started).set(AGENT_EXECUTIONS.COMPLETED_AT, started).execute())
                .isOne();
    }

    @Test
    void terminalExecutionNeedsACompletionTimeAndALiveOneHasNone() {
        assertCheckFails("agent_executions_completed_at_state_check", () -> dsl.insertInto(AGENT_EXECUTIONS)
                .set(AGENT_EXECUTIONS.PROJECT_ID, project).set(AGENT_EXECUTIONS.AGENT_TYPE, "analyst")
                .set(AGENT_EXECUTIONS.CORRELATION_ID, UUID.randomUUID()).set(AGENT_EXECUTIONS.STATUS, "failed")
                .execute());
        assertCheckFails("agent_executions_completed_at_state_check", () -> dsl.insertInto(AGENT_EXECUTIONS)
                .set(AGENT_EXECUTIONS.PROJECT_ID, project).set(AGENT_EXECUTIONS.AGENT_TYPE, "analyst")
                .set(AGENT_EXECUTIONS.CORRELATION_ID, UUID.randomUUID()).set(AGENT_EXECUTIONS.STATUS, "running")
                .set(AGENT_EXECUTIONS.COMPLETED_AT, Instant.now().plusSeconds(3600)).execute());
    }

    @Test
    void completedExportNeedsAFile() {
        assertCheckFails("exports_completed_has_file_check", () -> dsl.insertInto(EXPORTS)
                .set(EXPORTS.PROJECT_ID, project).set(EXPORTS.STATUS, "completed").execute());
    }

    private int insertVersion(int version) {
        return dsl.insertInto(DOCUMENT_VERSIONS)
                .set(DOCUMENT_VERSIONS.PROJECT_ID, project).set(DOCUMENT_VERSIONS.DOCUMENT_TYPE, "about")
                .set(DOCUMENT_VERSIONS.VERSION, version).set(DOCUMENT_VERSIONS.CONTENT, "text").execute();
    }
}

package io.jeex.db.schema;

import static io.jeex.db.codegen.Tables.AGENT_EXECUTIONS;
import static io.jeex.db.codegen.Tables.DOCUMENT_VERSIONS;
import static io.jeex.db.codegen.Tables.EXPORTS;
import static io.jeex.db.codegen.Tables.PROJECTS;
import static io.jeex.db.codegen.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.testkit.junit.JeexDbTest;
import java.util.UUID;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;

/** Each ON DELETE rule does what V1 documents. */
@JeexDbTest
class ReferentialActionTest {

    @Test
    void deletingAProjectDeletesItsVersionsExecutionsAndExports(DSLContext dsl) {
        UUID owner = Rows.user(dsl);
        UUID project = Rows.project(dsl, owner);
        UUID other = Rows.project(dsl, owner);
        for (UUID p : new UUID[] {project, other}) {
            dsl.insertInto(DOCUMENT_VERSIONS).set(DOCUMENT_VERSIONS.PROJECT_ID, p)
                    .set(DOCUMENT_VERSIONS.DOCUMENT_TYPE, "about").set(DOCUMENT_VERSIONS.VERSION, 1)
                    .set(DOCUMENT_VERSIONS.CONTENT, "x").execute();
            dsl.insertInto(AGENT_EXECUTIONS).set(AGENT_EXECUTIONS.PROJECT_ID, p)
                    .set(AGENT_EXECUTIONS.AGENT_TYPE, "analyst").set(AGENT_EXECUTIONS.CORRELATION_ID, UUID.randomUUID())
                    .execute();
            dsl.insertInto(EXPORTS).set(EXPORTS.PROJECT_ID, p).execute();
        }

        assertThat(dsl.deleteFrom(PROJECTS).where(PROJECTS.ID.eq(project)).execute()).isOne();

        assertThat(dsl.fetchCount(DOCUMENT_VERSIONS, DOCUMENT_VERSIONS.PROJECT_ID.eq(project))).isZero();
        assertThat(dsl.fetchCount(AGENT_EXECUTIONS, AGENT_EXECUTIONS.PROJECT_ID.eq(project))).isZero();
        assertThat(dsl.fetchCount(EXPORTS, EXPORTS.PROJECT_ID.eq(project))).isZero();
        // the other project's rows are untouched
        assertThat(dsl.fetchCount(DOCUMENT_VERSIONS, DOCUMENT_VERSIONS.PROJECT_ID.eq(other))).isOne();
        assertThat(dsl.fetchCount(AGENT_EXECUTIONS, AGENT_EXECUTIONS.PROJECT_ID.eq(other))).isOne();
        assertThat(dsl.fetchCount(EXPORTS, EXPORTS.PROJECT_ID.eq(other))).isOne();
    }

    @Test
    void deletingAUserDeletesTheirProjectsAndEverythingInThem(DSLContext dsl) {
        UUID owner = Rows.user(dsl);
        UUID keeper = Rows.user(dsl);
        UUID project = Rows.project(dsl, owner);
        UUID kept = Rows.project(dsl, keeper);
        dsl.insertInto(DOCUMENT_VERSIONS).set(DOCUMENT_VERSIONS.PROJECT_ID, project)
                .set(DOCUMENT_VERSIONS.DOCUMENT_TYPE, "about").set(DOCUMENT_VERSIONS.VERSION, 1)
                .set(DOCUMENT_VERSIONS.CONTENT, "x").set(DOCUMENT_VERSIONS.CREATED_BY, owner).execute();

        dsl.deleteFrom(USERS).where(USERS.ID.eq(owner)).execute();

        assertThat(dsl.fetchCount(PROJECTS, PROJECTS.ID.eq(project))).isZero();
        assertThat(dsl.fetchCount(DOCUMENT_VERSIONS, DOCUMENT_VERSIONS.PROJECT_ID.eq(project))).isZero();
        assertThat(dsl.fetchCount(PROJECTS, PROJECTS.ID.eq(kept))).isOne();
    }

    @Test
    void deletingACollaboratorKeepsTheirVersionsWithoutAnAuthor(DSLContext dsl) {
        UUID owner = Rows.user(dsl);
        UUID collaborator = Rows.user(dsl);
        UUID project = Rows.project(dsl, owner);
        UUID version = dsl.insertInto(DOCUMENT_VERSIONS).set(DOCUMENT_VERSIONS.PROJECT_ID, project)
                .set(DOCUMENT_VERSIONS.DOCUMENT_TYPE, "about").set(DOCUMENT_VERSIONS.VERSION, 1)
                .set(DOCUMENT_VERSIONS.CONTENT, "written by a collaborator")
                .set(DOCUMENT_VERSIONS.CREATED_BY, collaborator)
                .returning(DOCUMENT_VERSIONS.ID).fetchOne(DOCUMENT_VERSIONS.ID);

        dsl.deleteFrom(USERS).where(USERS.ID.eq(collaborator)).execute();

        var row = dsl.selectFrom(DOCUMENT_VERSIONS).where(DOCUMENT_VERSIONS.ID.eq(version)).fetchOne();
        assertThat(row).isNotNull();
        assertThat(row.getCreatedBy()).isNull();
        assertThat(row.getContent()).isEqualTo("written by a collaborator");
    }
}

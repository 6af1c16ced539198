package io.jeex.db.codegen;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.testkit.junit.JeexDbTest;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.ForeignKey;
import org.jooq.Meta;
import org.jooq.Table;
import org.jooq.UniqueKey;
import org.junit.jupiter.api.Test;

/** The generated classes cover the five tables, their keys and indexes, and match the live schema. */
@JeexDbTest
class GeneratedCodeTest {

    private static final List<Table<?>> TABLES = List.of(Tables.USERS, Tables.PROJECTS, Tables.DOCUMENT_VERSIONS,
            Tables.AGENT_EXECUTIONS, Tables.EXPORTS);

    @Test
    void theFiveTablesAreGeneratedAndNothingElse() {
        assertThat(DefaultSchema.DEFAULT_SCHEMA.getTables()).extracting(Table::getName)
                .containsExactlyInAnyOrder("users", "projects", "document_versions", "agent_executions", "exports");
    }

    @Test
    void primaryAndUniqueKeysAreGenerated() {
        assertThat(TABLES).allSatisfy(t -> assertThat(t.getPrimaryKey()).as(t.getName()).isNotNull());
        assertThat(Tables.DOCUMENT_VERSIONS.getKeys()).extracting(UniqueKey::getName)
                .contains("document_versions_project_type_version_key");
        assertThat(Keys.DOCUMENT_VERSIONS_PROJECT_TYPE_VERSION_KEY.getFields())
                .extracting(f -> f.getName()).containsExactly("project_id", "document_type", "version");
    }

    @Test
    void foreignKeysAreGenerated() {
        Set<String> fks = TABLES.stream().flatMap(t -> t.getReferences().stream()).map(ForeignKey::getName)
                .collect(Collectors.toSet());
        assertThat(fks).containsExactlyInAnyOrder("projects_created_by_fkey", "document_versions_project_id_fkey",
                "document_versions_created_by_fkey", "agent_executions_project_id_fkey", "exports_project_id_fkey");
    }

    @Test
    void indexesAreGenerated() {
        Set<String> indexes = TABLES.stream().flatMap(t -> t.getIndexes().stream()).map(i -> i.getName())
                .collect(Collectors.toSet());
        assertThat(indexes).contains("idx_projects_created", "idx_projects_user_status", "idx_projects_user_updated",
                "idx_documents_project_version", "idx_executions_project", "idx_executions_correlation",
                "idx_executions_status", "idx_exports_project", "idx_exports_expires");
    }

    @Test
    void timestampsAreInstantsAndCommentsBecomeDocumentation() {
        assertThat(Tables.PROJECTS.UPDATED_AT.getType()).isEqualTo(Instant.class);
        assertThat(Tables.EXPORTS.EXPIRES_AT.getType()).isEqualTo(Instant.class);
        assertThat(Tables.USERS.getComment()).isNotBlank();
        assertThat(Tables.USERS.EMAIL.getComment()).contains("unique");
    }

    @Test
    void generatedColumnsMatchTheMigratedDatabase(DSLContext dsl) {
        Meta live = dsl.meta();
        for (Table<?> generated : TABLES) {
            Table<?> actual = live.getTables(generated.getName()).stream()
                    .filter(t -> "public".equals(t.getSchema().getName())).findFirst().orElseThrow();
            assertThat(actual.fields()).as(generated.getName()).extracting(f -> f.getName())
                    .containsExactlyElementsOf(List.of(generated.fields()).stream().map(f -> f.getName()).toList());
        }
    }
}

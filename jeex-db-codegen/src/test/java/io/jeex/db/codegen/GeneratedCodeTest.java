package io.jeex.db.codegen;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.testkit.junit.JeexDbTest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.ForeignKey;
import org.jooq.Index;
import org.jooq.Meta;
import org.jooq.Record;
import org.jooq.SortOrder;
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

    /**
     * Indexes of the live schema that jOOQ's code generator (3.19, open-source edition) does not
     * generate: it skips expression ("function-based") indexes, jOOQ issue #6310. Code that needs
     * them refers to them by name.
     */
    private static final Set<String> NOT_GENERATED = Set.of(
            "users_email_lower_key"); // UNIQUE (lower(email)): an expression index

    /**
     * Partial indexes: jOOQ generates them, but without their WHERE predicate (its generated
     * Index carries no condition), so DDL exported from the generated classes would index every
     * row. The predicates live in V1 only.
     */
    private static final Set<String> PREDICATE_NOT_GENERATED = Set.of(
            "idx_documents_created_by", // WHERE created_by IS NOT NULL
            "idx_exports_expires");     // WHERE status = 'completed'

    @Test
    void generatedIndexesMatchTheLiveSchemaButForJooqsKnownGaps(DSLContext dsl) {
        // Every index of our tables, except those backing a primary key or unique constraint
        // (generated as keys, see primaryAndUniqueKeysAreGenerated): name -> columns with direction.
        Map<String, String> live = new TreeMap<>();
        Set<String> expression = new TreeSet<>();
        Set<String> partial = new TreeSet<>();
        for (Record r : dsl.fetch("""
                select ic.relname::text as name, i.indexprs is not null as expression, i.indpred is not null as partial,
                       array_to_string(array(
                           select a.attname || case when i.indoption[k] & 1 = 1 then ' desc' else '' end
                             from generate_subscripts(i.indkey, 1) as k
                             join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[k]
                            order by k), ', ') as columns
                  from pg_index i
                  join pg_class ic on ic.oid = i.indexrelid
                  join pg_class t on t.oid = i.indrelid
                 where t.relnamespace = 'public'::regnamespace and t.relname <> 'jeex_schema_history'
                   and not t.relispartition
                   and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid and c.contype in ('p', 'u'))
                """)) {
            String name = r.get("name", String.class);
            live.put(name, r.get("columns", String.class));
            if (r.get("expression", Boolean.class)) {
                expression.add(name);
            }
            if (r.get("partial", Boolean.class)) {
                partial.add(name);
            }
        }
        // the exclusion lists are exact: a new expression or partial index must be added there, knowingly
        assertThat(expression).isEqualTo(new TreeSet<>(NOT_GENERATED));
        assertThat(partial).isEqualTo(new TreeSet<>(PREDICATE_NOT_GENERATED));

        Map<String, String> generated = new TreeMap<>();
        for (Index index : TABLES.stream().flatMap(t -> t.getIndexes().stream()).toList()) {
            generated.put(index.getName(), index.getFields().stream()
                    .map(f -> f.getName() + (f.getOrder() == SortOrder.DESC ? " desc" : ""))
                    .collect(Collectors.joining(", ")));
            if (PREDICATE_NOT_GENERATED.contains(index.getName())) {
                assertThat(index.getWhere()).as(index.getName() + ": jOOQ now generates the predicate; "
                        + "drop it from PREDICATE_NOT_GENERATED").isNull();
            }
        }
        Map<String, String> expected = new TreeMap<>(live);
        expected.keySet().removeAll(NOT_GENERATED);
        assertThat(generated).hasSizeGreaterThanOrEqualTo(10).isEqualTo(expected);
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

package io.jeex.db.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.testkit.junit.JeexDbTest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.junit.jupiter.api.Test;

/**
 * The personal-data marking of migration V4, checked against the catalog: exactly the documented
 * columns carry a {@code [pii:<kind>]} tag of a known kind, and every column that could hold what a
 * person typed (text, varchar, json, jsonb) is either tagged or listed here as not personal, with the
 * reason, so that a new free-text column cannot slip into the masking copy unmasked.
 */
@JeexDbTest
class PersonalDataTagsTest {

    private static final Pattern TAG = Pattern.compile("\\[pii:([a-z]+)]");

    /** The personal columns and their kinds, as V4 and the README document them. */
    private static final Map<String, String> PERSONAL = Map.ofEntries(
            Map.entry("users.email", "email"),
            Map.entry("users.name", "name"),
            Map.entry("users.profile_data", "json"),
            Map.entry("projects.name", "text"),
            Map.entry("document_versions.content", "text"),
            Map.entry("document_versions.metadata", "json"),
            Map.entry("agent_executions.input_data", "json"),
            Map.entry("agent_executions.output_data", "json"),
            Map.entry("agent_executions.error_message", "text"),
            Map.entry("exports.file_path", "text"),
            Map.entry("exports.manifest", "json"));

    /** Text-like columns that hold no personal data: values the library chooses from a fixed set or format. */
    private static final Map<String, String> NOT_PERSONAL = Map.of(
            "projects.status", "one of four states",
            "projects.language", "an ISO 639 code",
            "document_versions.document_type", "a lower-case identifier the service chooses",
            "agent_executions.agent_type", "the name of an agent",
            "agent_executions.status", "one of five states",
            "exports.status", "one of four states");

    @Test
    void exactlyTheDocumentedColumnsAreTaggedWithAKnownKind(DSLContext dsl) {
        Map<String, String> tagged = new LinkedHashMap<>();
        for (Record r : columns(dsl)) {
            String comment = r.get("comment", String.class);
            Matcher m = TAG.matcher(comment == null ? "" : comment);
            if (m.find()) {
                tagged.put(r.get("col", String.class), m.group(1));
                assertThat(m.find()).as("one tag per column: %s", r.get("col")).isFalse();
            }
        }
        assertThat(tagged).containsExactlyInAnyOrderEntriesOf(PERSONAL);
        assertThat(tagged.values()).allMatch(k -> k.equals("email") || k.equals("name") || k.equals("text")
                || k.equals("json"));
    }

    @Test
    void everyColumnThatCouldHoldWhatAPersonTypedIsTaggedOrListedAsNotPersonal(DSLContext dsl) {
        for (Record r : columns(dsl)) {
            String column = r.get("col", String.class);
            String type = r.get("type", String.class);
            if (type.matches("text|character varying.*|jsonb?")) {
                assertThat(PERSONAL.containsKey(column) || NOT_PERSONAL.containsKey(column))
                        .as("%s (%s) must be tagged [pii:...] in a migration, or listed as not personal here", column,
                                type).isTrue();
            }
        }
        assertThat(NOT_PERSONAL.keySet()).doesNotContainAnyElementsOf(PERSONAL.keySet());
    }

    private static org.jooq.Result<Record> columns(DSLContext dsl) {
        return dsl.fetch("""
                select t.relname || '.' || a.attname as col, format_type(a.atttypid, a.atttypmod) as type,
                       col_description(t.oid, a.attnum) as comment
                  from pg_class t
                  join pg_attribute a on a.attrelid = t.oid and a.attnum > 0 and not a.attisdropped
                 where t.relnamespace = 'public'::regnamespace and t.relkind in ('r', 'p') and not t.relispartition
                   and t.relname <> ?
                """, JeexSchema.HISTORY_TABLE);
    }
}

package io.jeex.db;

import io.jeex.db.schema.JeexSchema;
import static io.jeex.db.codegen.Tables.DOCUMENT_VERSIONS;
import static io.jeex.db.codegen.Tables.PROJECTS;
import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.error.UniqueViolationException;
import io.jeex.db.health.HealthReport;
import io.jeex.db.repository.DocumentVersion;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.User;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.tx.IsolationLevel;
import io.jeex.db.tx.TxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jooq.DSLContext;
import org.jooq.Record2;
import org.jooq.Result;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/**
 * The README's usage examples, compiled and run here. The regions between {@code // README:
 * name} and {@code // README: end} are what README.md shows; {@link #readmeShowsTheseExamplesVerbatim}
 * fails when the two drift apart.
 */
class ReadmeExamplesTest {

    @Test
    void usage() {
        try (TestDatabase test = JeexPostgres.shared().newEmptyDatabase()) {
            String url = test.jdbcUrl();
            String user = test.user();
            String password = test.password();
            // README: create
            JeexDbConfig config = JeexDbConfig.builder(url)      // or JeexDbConfig.fromEnvironment()
                    .user(user)
                    .password(password)
                    .poolSize(10)
                    .build();
            try (JeexDatabase db = JeexDatabase.create(config)) {
                MigrationResult migration = db.migrate();        // direct connection, never through PgBouncer
                // README: end
                assertThat(migration.currentVersion()).isEqualTo(JeexSchema.latestVersion());

                // README: repositories
                User ada = db.users().create("ada@example.com", "Ada Lovelace");
                Project engine = db.projects().create(ada.id(), "Analytical Engine", "en");
                DocumentVersion v1 = db.documents().append(engine.id(), "about", "An engine that computes.",
                        Json.of("{\"words\": 4}"), ada.id());
                try {
                    db.users().create("ADA@example.com", "Impostor");
                } catch (UniqueViolationException e) {
                    // "a user with this email already exists" (no email in the message)
                }
                // README: end
                assertThat(v1.version()).isEqualTo(1);

                // README: transaction
                Project renamed = db.transaction(TxOptions.named("rename_and_note")
                        .withIsolation(IsolationLevel.REPEATABLE_READ)
                        .withActingUser(ada.id()), tx -> {
                    Project p = db.projects().rename(engine.id(), "Difference Engine"); // joins this transaction
                    db.documents().append(p.id(), "about", "Renamed.", Json.EMPTY, ada.id());
                    return p;
                });                                              // retried as a whole on 40001 / 40P01
                // README: end
                assertThat(renamed.name()).isEqualTo("Difference Engine");

                // README: query
                Result<Record2<String, Integer>> latest = db.readOnly(tx -> tx.dsl()
                        .select(PROJECTS.NAME, DSL.max(DOCUMENT_VERSIONS.VERSION))
                        .from(PROJECTS)
                        .join(DOCUMENT_VERSIONS).on(DOCUMENT_VERSIONS.PROJECT_ID.eq(PROJECTS.ID))
                        .where(PROJECTS.CREATED_BY.eq(ada.id()))
                        .groupBy(PROJECTS.NAME)
                        .fetch());
                // README: end
                // README: health
                HealthReport report = db.health();
                String body = report.toJson();          // {"name":"jeex-db","status":"UP","live":true,"ready":true,...}
                int httpStatus = report.ready() ? 200 : 503;
                // README: end
                assertThat(body).startsWith("{\"name\":\"jeex-db\",\"status\":\"UP\",\"live\":true,\"ready\":true,");
                assertThat(httpStatus).isEqualTo(200);
                assertThat(latest).hasSize(1);
                assertThat(latest.get(0).value2()).isEqualTo(2);
                DSLContext dsl = db.dsl();
                assertThat(dsl.fetchCount(PROJECTS)).isOne();
                assertThat(db.users().byId(UUID.randomUUID())).isEmpty();
            }
        }
    }

    @Test
    void readmeShowsTheseExamplesVerbatim() throws Exception {
        String source = Files.readString(Path.of("src/test/java/io/jeex/db/ReadmeExamplesTest.java"));
        String readme = Files.readString(Path.of("../README.md"));
        Matcher m = Pattern.compile("(?m)^\\s*// README: (\\w+)\\n(.*?)^\\s*// README: end$", Pattern.DOTALL)
                .matcher(source);
        List<String> names = new ArrayList<>();
        while (m.find()) {
            names.add(m.group(1));
            assertThat(normalize(readme)).as("README.md shows the '%s' example of %s", m.group(1),
                    "ReadmeExamplesTest").contains(normalize(m.group(2)));
        }
        assertThat(names).containsExactly("create", "repositories", "transaction", "query", "health");
    }

    /** Drops each line's leading blanks, so that indentation does not matter. */
    private static String normalize(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).reduce("", (a, b) -> a + b + "\n");
    }
}

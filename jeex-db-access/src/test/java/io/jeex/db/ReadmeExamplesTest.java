package io.jeex.db;

import static io.jeex.db.codegen.Tables.DOCUMENT_VERSIONS;
import static io.jeex.db.codegen.Tables.PROJECTS;
import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.error.RowSecurityException;
import io.jeex.db.error.UniqueViolationException;
import io.jeex.db.health.HealthReport;
import io.jeex.db.repository.DocumentVersion;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.jeex.db.schema.JeexSchema;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.tx.IsolationLevel;
import io.jeex.db.tx.TxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
                Repositories signUp = db.actingAsNewUser();         // a sign-up acts as the user it creates
                User ada = signUp.users().create("ada@example.com", "Ada Lovelace");
                Repositories asAda = db.actingAs(ada.id());        // a request of Ada's: every call acts as her
                Project engine = asAda.projects().create(ada.id(), "Analytical Engine", "en");
                DocumentVersion v1 = asAda.documents().append(engine.id(), "about", "An engine that computes.",
                        Json.of("{\"words\": 4}"), ada.id());
                try {
                    db.actingAsNewUser().users().create("ADA@example.com", "Impostor");
                } catch (UniqueViolationException e) {
                    // "a user with this email already exists" (no email in the message)
                }
                // README: end
                assertThat(v1.version()).isEqualTo(1);

                // README: transaction
                Project renamed = db.transaction(TxOptions.named("rename_and_note")
                        .withIsolation(IsolationLevel.REPEATABLE_READ)
                        .withActingUser(ada.id()), tx -> {
                    Project p = asAda.projects().rename(engine.id(), "Difference Engine"); // joins this transaction
                    asAda.documents().append(p.id(), "about", "Renamed.", Json.EMPTY, ada.id());
                    return p;
                });                                              // retried as a whole on 40001 / 40P01
                // README: end
                assertThat(renamed.name()).isEqualTo("Difference Engine");

                // README: query
                Result<Record2<String, Integer>> latest = db.readOnly(TxOptions.named("latest_versions")
                        .withActingUser(ada.id()), tx -> tx.dsl()  // the policies show Ada's rows only
                        .select(PROJECTS.NAME, DSL.max(DOCUMENT_VERSIONS.VERSION))
                        .from(PROJECTS)
                        .join(DOCUMENT_VERSIONS).on(DOCUMENT_VERSIONS.PROJECT_ID.eq(PROJECTS.ID))
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
                // README: partitions
                PartitionMaintenance partitions = db.maintainPartitions();  // daily, from any instance: idempotent
                List<String> dropped = partitions.dropped();                 // months past the retention
                // README: end
                assertThat(partitions.created()).as("the migration made this month and three ahead").isEmpty();
                assertThat(dropped).isEmpty();
                assertThat(latest).hasSize(1);
                assertThat(latest.get(0).value2()).isEqualTo(2);
                DSLContext dsl = db.dsl();
                assertThat(dsl.fetchCount(PROJECTS)).isOne();
                assertThat(asAda.users().byId(UUID.randomUUID())).isEmpty();
            }
        }
    }

    /** Where a service keeps its export files; here, what it was asked to delete. */
    private static final class Storage {
        private final List<String> deleted = new ArrayList<>();

        void deleteAll(List<String> paths) {
            deleted.addAll(paths);
        }
    }

    @Test
    void rowLevelSecurity() {
        try (TestDatabase test = JeexPostgres.shared().newDatabase();
             JeexDatabase db = JeexDatabase.create(JeexDbConfig.builder(test.jdbcUrl())
                     .user(test.appUser()).password(test.appPassword())
                     .credentials(c -> c.withMigrationUser(test.user()).withMigrationPassword(test.password()))
                     .build())) {
            User ada = db.actingAsNewUser().users().create("ada@example.com", "Ada");
            Project engine = db.actingAs(ada.id()).projects().create(ada.id(), "Engine", "en");
            db.actingAs(ada.id()).exports().create(engine.id(), Json.EMPTY, java.time.Duration.ofMillis(1));
            User bob = db.actingAsNewUser().users().create("bob@example.com", "Bob");
            Storage storage = new Storage();
            boolean refused = false;

            // README: rls
            Repositories asBob = db.actingAs(bob.id());
            Optional<Project> theirs = asBob.projects().byId(engine.id());    // empty: Ada's project
            try {
                asBob.documents().append(engine.id(), "about", "Bob was here", Json.EMPTY, bob.id());
            } catch (RowSecurityException e) {
                // "a row-level security policy refused the row: it would not belong to the acting user ..."
                refused = true;
            }
            // README: end
            assertThat(theirs).isEmpty();
            assertThat(refused).isTrue();

            test.dsl().execute("update exports set expires_at = created_at + interval '1 microsecond'");
            // README: system
            long deleted = db.system().exports().purgeExpired(500, paths -> storage.deleteAll(paths));
            long finished = db.system().agentExecutions().purgeFinished(500);   // older than 90 days
            // README: end
            assertThat(deleted).isOne();
            assertThat(finished).isZero();
            assertThat(storage.deleted).isEmpty(); // the export never had a file
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
        assertThat(names).containsExactly("create", "repositories", "transaction", "query", "health", "partitions", "rls",
                "system");
    }

    /** Drops each line's leading blanks, so that indentation does not matter. */
    private static String normalize(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).reduce("", (a, b) -> a + b + "\n");
    }
}

package io.jeex.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.jeex.db.JeexDatabase;
import io.jeex.db.error.IllegalTransitionException;
import io.jeex.db.error.InvalidInputException;
import io.jeex.db.error.JeexDbException;
import io.jeex.db.error.NotFoundException;
import io.jeex.db.error.UniqueViolationException;
import io.jeex.db.health.HealthReport;
import io.jeex.db.health.HealthStatus;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.ProjectStatus;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import java.util.UUID;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

@JeexDbTest
class ErrorsHealthAuditTest {

    @Test
    void invalidInputNamesFieldAndRuleNeverTheValue(TestDatabase database) {
        try (JeexDatabase db = AuditDb.open(database)) {
            Repositories signUp = db.actingAsNewUser();
            Throwable blank = catchThrowable(() -> signUp.users().create("   ", "Ada"));
            assertThat(blank).isInstanceOf(InvalidInputException.class);
            assertThat(((InvalidInputException) blank).field()).isEqualTo("email");
            Throwable malformed = catchThrowable(() -> signUp.users().create("not-an-email-zq", "Ada"));
            assertThat(malformed).isInstanceOf(InvalidInputException.class);
            assertThat(malformed.getMessage()).contains("email").doesNotContain("not-an-email-zq");
            String longName = "Zq".repeat(300);
            Throwable tooLong = catchThrowable(() -> signUp.users().create("ada@example.com", longName));
            assertThat(tooLong).isInstanceOf(InvalidInputException.class);
            assertThat(tooLong.getMessage()).contains("name").doesNotContain("ZqZq").doesNotContain("600");
            User ada = signUp.users().create("ada@example.com", "Ada");
            Repositories asAda = db.actingAs(ada.id());
            Throwable lang = catchThrowable(() -> asAda.projects().create(ada.id(), "P", "Klingon-Xyz"));
            assertThat(lang).isInstanceOf(InvalidInputException.class);
            assertThat(lang.getMessage()).contains("language").doesNotContain("Klingon-Xyz");
            Throwable json = catchThrowable(() -> Json.of("{\"secretKeyZq\": "));
            assertThat(json).isInstanceOf(InvalidInputException.class); // Json documents InvalidInputException
            assertThat(json.getMessage()).doesNotContain("secretKeyZq");
            Throwable step = catchThrowable(() -> asAda.projects().changeStep(UUID.randomUUID(), 9, java.time.Instant.now()));
            assertThat(step).isInstanceOf(InvalidInputException.class).hasMessageContaining("step");
            Throwable docType = catchThrowable(() -> asAda.documents().latest(UUID.randomUUID(), "Not Lower Zq"));
            assertThat(docType).isInstanceOf(InvalidInputException.class);
            assertThat(docType.getMessage()).doesNotContain("Not Lower Zq");
        }
    }

    @Test
    void notFoundAndIllegalTransitionAreTyped(TestDatabase database) {
        try (JeexDatabase db = AuditDb.open(database)) {
            User ada = db.actingAsNewUser().users().create("ada@example.com", "Ada");
            Repositories asAda = db.actingAs(ada.id());
            Throwable nf = catchThrowable(() -> asAda.projects().rename(UUID.randomUUID(), "Secret Plan Zq"));
            assertThat(nf).isInstanceOf(NotFoundException.class);
            assertThat(nf.getMessage()).contains("project").doesNotContain("Secret Plan Zq");
            Project p = asAda.projects().create(ada.id(), "P", "en");
            asAda.projects().changeStatus(p.id(), ProjectStatus.ARCHIVED);
            Throwable it = catchThrowable(() -> asAda.projects().changeStatus(p.id(), ProjectStatus.IN_PROGRESS));
            assertThat(it).isInstanceOf(IllegalTransitionException.class);
            assertThat(it.getMessage()).containsIgnoringCase("archived");
        }
    }

    @Test
    void ownSqlUniqueViolationIsTypedWithConstraintAndNoValue(TestDatabase database) {
        try (JeexDatabase db = AuditDb.open(database)) {
            db.actingAsNewUser().users().create("ada@example.com", "Ada");
            Throwable t = catchThrowable(() -> db.transaction(TxOptions().asSystem(), tx -> tx.dsl()
                    .execute("insert into users (id, email, name) values (uuidv7(), 'ADA@example.com', 'Zq Dup')")));
            assertThat(t).isInstanceOf(UniqueViolationException.class);
            JeexDbException e = (JeexDbException) t;
            assertThat(e.sqlState()).isEqualTo("23505");
            assertThat(e.constraint()).isNotBlank();
            assertThat(e.getMessage()).doesNotContainIgnoringCase("ada@example.com").doesNotContain("Zq Dup");
        }
    }

    private static io.jeex.db.tx.TxOptions TxOptions() {
        return io.jeex.db.tx.TxOptions.named("own_sql");
    }

    @Test
    void healthIsUpReadyAndJsonHasNoSecrets(TestDatabase database) throws Exception {
        try (JeexDatabase db = AuditDb.open(database)) {
            HealthReport r = db.health();
            assertThat(r.status()).as(r.toString()).isEqualTo(HealthStatus.UP);
            assertThat(r.live()).isTrue();
            assertThat(r.ready()).as(r.toString()).isTrue();
            String json = r.toJson();
            try (JsonParser p = new JsonFactory().createParser(json)) {
                while (p.nextToken() != null) {
                    // valid JSON throughout
                }
            }
            assertThat(json).contains("\"status\":\"UP\"").contains("\"live\":true").contains("\"ready\":true");
            if (!database.appPassword().isEmpty()) {
                assertThat(json).doesNotContain(database.appPassword());
            }
            if (!database.password().isEmpty()) {
                assertThat(json).doesNotContain(database.password());
            }
            assertThat(r.toString()).doesNotContain(database.appPassword().isEmpty() ? "\u0000" : database.appPassword());
        }
    }
}

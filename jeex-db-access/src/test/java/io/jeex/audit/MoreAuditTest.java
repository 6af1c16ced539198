package io.jeex.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.error.DatabaseTimeoutException;
import io.jeex.db.error.InvalidInputException;
import io.jeex.db.error.JeexDbException;
import io.jeex.db.health.HealthReport;
import io.jeex.db.health.HealthStatus;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import io.jeex.db.tx.TxOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@JeexDbTest
class MoreAuditTest {

    static final String PW = "Sup3rS3cretPw";

    private static String everything(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    @Test
    void aUrlWithAPasswordBeforeTheHostIsRefusedBeforeItReachesAnyConnectionOrMessage() {
        // pgjdbc has no user info in its URLs: it would take "app:<password>@localhost" for a host
        // name, and the UnknownHostException of every connect would carry the password
        Throwable refused = catchThrowable(() -> JeexDbConfig.builder("jdbc:postgresql://app:" + PW + "@localhost:1/jeex"));
        assertThat(refused).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not hold a user or password before the host")
                .hasMessageContaining("user() and password()");
        assertThat(everything(refused)).doesNotContain(PW);
    }

    @Test
    void aRepositoryWriteInsideReadOnlyIsRefusedClearly(TestDatabase database) {
        try (JeexDatabase db = AuditDb.open(database)) {
            User ada = db.actingAsNewUser().users().create("ada@example.com", "Ada");
            Repositories asAda = db.actingAs(ada.id());
            Throwable t = catchThrowable(() -> db.readOnly(TxOptions.named("ro").withActingUser(ada.id()),
                    tx -> asAda.projects().create(ada.id(), "RO", "en")));
            // documented: IllegalStateException if a nested call asks for read-write inside a read-only transaction
            assertThat(t).isInstanceOf(IllegalStateException.class);
            assertThat(t.getMessage()).doesNotContain("RO\"");
            assertThat(asAda.projects().listByOwner(ada.id(), Optional.empty(), 10, Optional.empty()).items()).isEmpty();
        }
    }

    @Test
    void aTransactionTimeoutIsTypedAndSaysTheSetting(TestDatabase database) {
        try (JeexDatabase db = AuditDb.open(database)) {
            Throwable t = catchThrowable(() -> db.transaction(TxOptions.named("slow").withTimeout(Duration.ofMillis(200)),
                    tx -> tx.dsl().execute("select pg_sleep(3)")));
            assertThat(t).isInstanceOf(DatabaseTimeoutException.class);
            assertThat(((JeexDbException) t).sqlState()).isEqualTo("57014");
        }
    }

    @Test
    void pagingLimitsAreValidatedWithTheRule(TestDatabase database) {
        try (JeexDatabase db = AuditDb.open(database)) {
            User ada = db.actingAsNewUser().users().create("ada@example.com", "Ada");
            Throwable t = catchThrowable(() -> db.actingAs(ada.id()).projects()
                    .listByOwner(ada.id(), Optional.empty(), 0, Optional.empty()));
            assertThat(t).isInstanceOf(InvalidInputException.class).hasMessageContaining("limit");
            Throwable c = catchThrowable(() -> db.actingAs(ada.id()).projects()
                    .listByOwner(ada.id(), Optional.empty(), 10, Optional.of("garbage-cursor-zq")));
            assertThat(c).isInstanceOf(InvalidInputException.class).hasMessageContaining("cursor");
            assertThat(c.getMessage()).doesNotContain("garbage-cursor-zq");
        }
    }

    @Test
    void creatingAnotherUserWhileActingAsAdaIsRefused(TestDatabase database) {
        try (JeexDatabase db = AuditDb.open(database)) {
            User ada = db.actingAsNewUser().users().create("ada@example.com", "Ada");
            Throwable t = catchThrowable(() -> db.actingAs(ada.id()).users().create("eve@example.com", "Eve"));
            assertThat(t).isInstanceOf(JeexDbException.class);
            assertThat(t.getMessage()).doesNotContain("eve@example.com").doesNotContain("Eve");
        }
    }

    @Test
    void erasureBySelfRemovesProjects(TestDatabase database) {
        try (JeexDatabase db = AuditDb.open(database)) {
            User ada = db.actingAsNewUser().users().create("ada@example.com", "Ada");
            Project p = db.actingAs(ada.id()).projects().create(ada.id(), "P", "en");
            assertThat(db.actingAs(ada.id()).users().delete(ada.id())).isTrue();
            assertThat(db.system().projects().byId(p.id())).isEmpty();
            assertThat(db.system().users().byId(ada.id())).isEmpty();
            assertThat(db.actingAs(UUID.randomUUID()).users().delete(ada.id())).isFalse();
        }
    }
}

package io.jeex.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.error.AuthenticationFailedException;
import io.jeex.db.error.PermissionDeniedException;
import io.jeex.db.error.WrongScopeException;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import io.jeex.db.tx.TxOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@JeexDbTest
class ScopeAuditTest {

    @Test
    void reusingOneSignUpsRepositoriesForASecondUserSaysToCallActingAsNewUserAgain(TestDatabase database) {
        try (JeexDatabase db = AuditDb.open(database)) {
            // "cheap, immutable, thread-safe": a service might keep one as a field
            Repositories signUp = db.actingAsNewUser();
            User ada = signUp.users().create("ada@example.com", "Ada");
            Throwable t = catchThrowable(() -> signUp.users().create("bob@example.com", "Bob"));
            // expected: a typed error that says to call actingAsNewUser() per sign-up, never bob silently lost
            assertThat(t).as("second create on the same sign-up repositories").isNotNull();
            assertThat(t.getMessage()).doesNotContain("bob@example.com");
            assertThat(t.getMessage()).contains("actingAsNewUser");
            assertThat(db.system().users().byId(ada.id())).get().extracting(User::email).isEqualTo("ada@example.com");
        }
    }

    @Test
    void aSignUpInsideAnotherUsersTransactionIsWrongScope(TestDatabase database) {
        try (JeexDatabase db = AuditDb.open(database)) {
            User ada = db.actingAsNewUser().users().create("ada@example.com", "Ada");
            Throwable t = catchThrowable(() -> db.transaction(TxOptions.named("ada").withActingUser(ada.id()),
                    tx -> db.actingAsNewUser().users().create("bob@example.com", "Bob")));
            assertThat(t).isInstanceOf(WrongScopeException.class);
            Throwable two = catchThrowable(() -> db.transaction(tx -> {
                db.actingAsNewUser().users().create("c@example.com", "C");
                return db.actingAsNewUser().users().create("d@example.com", "D");
            }));
            assertThat(two).isInstanceOf(WrongScopeException.class);
            Throwable sys = catchThrowable(() -> db.transaction(TxOptions.named("sys").asSystem(),
                    tx -> db.actingAs(ada.id()).projects().create(ada.id(), "x", "en")));
            assertThat(sys).isInstanceOf(WrongScopeException.class);
        }
    }

    @Test
    void systemModeWithoutAMigrationUserNamesTheSetting(TestDatabase database) {
        JeexDbConfig c = JeexDbConfig.builder(database.jdbcUrl()).user(database.appUser()).password(database.appPassword())
                .health(h -> h.withMonitorInterval(Duration.ZERO)).build();
        try (JeexDatabase db = JeexDatabase.create(c)) {
            Throwable t = catchThrowable(() -> db.system().users().byEmail("ada@example.com"));
            assertThat(t).isInstanceOf(PermissionDeniedException.class).hasMessageContaining("MIGRATION_USER");
        }
    }

    @Test
    void aWrongPasswordIsAuthenticationFailedWithoutThePassword(TestDatabase database) {
        String wrong = "Wr0ngPassw0rdZq";
        JeexDbConfig c = JeexDbConfig.builder(database.jdbcUrl()).user(database.appUser()).password(wrong)
                .retry(r -> r.withMaxAttempts(1)).health(h -> h.withMonitorInterval(Duration.ZERO)).build();
        try (JeexDatabase db = JeexDatabase.create(c)) {
            Throwable t = catchThrowable(() -> db.transaction(tx -> 1));
            // the embedded test server trusts local logins: nothing to check there
            org.assertj.core.api.Assumptions.assumeThat(t).isNotNull();
            assertThat(t).isInstanceOf(AuthenticationFailedException.class);
            assertThat(t.getMessage()).doesNotContain(wrong);
            assertThat(db.health().toJson()).doesNotContain(wrong);
        }
    }
}

package io.jeex.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.jeex.db.JeexDatabase;
import io.jeex.db.MigrationResult;
import io.jeex.db.error.NotFoundException;
import io.jeex.db.error.RowSecurityException;
import io.jeex.db.error.UniqueViolationException;
import io.jeex.db.error.WrongScopeException;
import io.jeex.db.repository.DocumentVersion;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.Page;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.ProjectStatus;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@JeexDbTest
class RlsAuditTest {

    @Test
    void aServiceMigratesAtStartUpAsTheMigrationUser(TestDatabase database) {
        try (JeexDatabase db = AuditDb.open(database)) {
            MigrationResult r = db.migrate();
            assertThat(r).isNotNull();
        }
    }

    @Test
    void aSecondUserCannotSeeOrChangeTheFirstsProject(TestDatabase database) {
        try (JeexDatabase db = AuditDb.open(database)) {
            User ada = db.actingAsNewUser().users().create("ada@example.com", "Ada Lovelace");
            Repositories asAda = db.actingAs(ada.id());
            Project engine = asAda.projects().create(ada.id(), "Analytical Engine", "en");
            asAda.documents().append(engine.id(), "about", "An engine.", Json.EMPTY, ada.id());

            User bob = db.actingAsNewUser().users().create("bob@example.com", "Bob Babbage");
            Repositories asBob = db.actingAs(bob.id());
            assertThat(asBob.projects().byId(engine.id())).isEmpty();
            assertThat(asBob.users().byId(ada.id())).isEmpty();
            assertThat(asBob.documents().latest(engine.id(), "about")).isEmpty();
            Page<Project> page = asBob.projects().listByOwner(ada.id(), Optional.empty(), 10, Optional.empty());
            assertThat(page.items()).isEmpty();

            Throwable rename = catchThrowable(() -> asBob.projects().rename(engine.id(), "Stolen Engine"));
            assertThat(rename).isInstanceOf(NotFoundException.class);
            assertThat(rename.getMessage()).doesNotContain("Stolen Engine").doesNotContain("Analytical");

            Throwable status = catchThrowable(() -> asBob.projects().changeStatus(engine.id(), ProjectStatus.ARCHIVED));
            assertThat(status).isInstanceOf(NotFoundException.class);

            Throwable append = catchThrowable(() -> asBob.documents().append(engine.id(), "about", "Bob was here",
                    Json.EMPTY, bob.id()));
            assertThat(append).isInstanceOf(RowSecurityException.class);
            assertThat(append.getMessage()).doesNotContain("Bob was here").doesNotContain("bob@example.com");

            Throwable forAda = catchThrowable(() -> asBob.projects().create(ada.id(), "Bobs project for Ada", "en"));
            assertThat(forAda).isInstanceOf(RowSecurityException.class);
            assertThat(forAda.getMessage()).doesNotContain("Bobs project for Ada");

            Throwable rename2 = catchThrowable(() -> asBob.users().updateName(ada.id(), "Mallory"));
            assertThat(rename2).isInstanceOf(NotFoundException.class);
            assertThat(rename2.getMessage()).doesNotContain("Mallory");

            assertThat(asBob.users().delete(ada.id())).as("bob cannot erase ada").isFalse();
            assertThat(asAda.projects().byId(engine.id())).get().extracting(Project::name).isEqualTo("Analytical Engine");
        }
    }

    @Test
    void theSignUpRepositoriesGoOnAsTheNewUser(TestDatabase database) {
        try (JeexDatabase db = AuditDb.open(database)) {
            Repositories signUp = db.actingAsNewUser();
            User ada = signUp.users().create("ada@example.com", "Ada");
            // README's sign-up does this inside db.transaction; outside one, a service expects the same
            Project p = signUp.projects().create(ada.id(), "First", "en");
            assertThat(p.ownerId()).isEqualTo(ada.id());
        }
    }

    @Test
    void systemModeLooksUpAnyUserAndUserReposRefuse(TestDatabase database) {
        try (JeexDatabase db = AuditDb.open(database)) {
            User ada = db.actingAsNewUser().users().create("Ada@Example.com", "Ada");
            assertThat(db.system().users().byEmail("ada@example.com")).get().extracting(User::id).isEqualTo(ada.id());
            assertThat(db.system().users().byId(ada.id())).isPresent();
            assertThat(db.system().isSystem()).isTrue();
            assertThat(db.system().actingUser()).isEmpty();
            Throwable t = catchThrowable(() -> db.actingAs(ada.id()).users().byEmail("ada@example.com"));
            assertThat(t).isInstanceOf(WrongScopeException.class).hasMessageContaining("db.system()");
            assertThat(t.getMessage()).doesNotContain("ada@example.com");
        }
    }

    @Test
    void duplicateEmailMessageHasNoEmail(TestDatabase database) {
        try (JeexDatabase db = AuditDb.open(database)) {
            db.actingAsNewUser().users().create("ada@example.com", "Ada");
            Throwable t = catchThrowable(() -> db.actingAsNewUser().users().create("ADA@example.com", "Impostor"));
            assertThat(t).isInstanceOf(UniqueViolationException.class)
                    .hasMessageContaining("a user with this email already exists");
            assertThat(t.getMessage()).doesNotContainIgnoringCase("ada@example.com").doesNotContain("Impostor");
            assertThat(t.getCause() == null ? "" : String.valueOf(t.getCause().getMessage()))
                    .doesNotContainIgnoringCase("ada@example.com");
        }
    }

    @Test
    void anUnknownActingUserSeesNothingAndCannotWrite(TestDatabase database) {
        try (JeexDatabase db = AuditDb.open(database)) {
            UUID ghost = UUID.randomUUID();
            Repositories asGhost = db.actingAs(ghost);
            assertThat(asGhost.users().byId(ghost)).isEmpty();
            Throwable t = catchThrowable(() -> asGhost.projects().create(ghost, "Ghost", "en"));
            assertThat(t).isInstanceOf(io.jeex.db.error.JeexDbException.class);
            assertThat(t.getMessage()).doesNotContain("Ghost");
        }
    }
}
